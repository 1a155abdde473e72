// End to end: a real nginx fronts rr with fastcgi_pass (skipped, with the reason printed, when
// nginx is not installed; CI does not install it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, startHttp, tempDir } from './helpers.js';

const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']
  .find((p) => spawnSync(p, ['-v'], { stdio: 'ignore' }).status === 0);
if (NGINX === undefined) console.log('fcgi-nginx.test.ts: skipped, nginx is not installed');

const agents: Agent[] = [];
const procs: ChildProcess[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.close();
  for (const p of procs.splice(0)) {
    if (p.exitCode === null && p.signalCode === null) {
      const gone = new Promise((resolve) => p.once('exit', resolve));
      p.kill('SIGTERM');
      await gone;
    }
  }
  await cleanup();
});

/** nginx listening on a unix socket (no port to race for), passing everything to rr's FastCGI socket. */
async function startNginx(dir: string, rrSock: string): Promise<Agent> {
  const sock = join(dir, 'nginx.sock');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `
daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  fastcgi_temp_path ${dir}/fastcgi;
  proxy_temp_path ${dir}/proxy;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  client_max_body_size 10m;
  upstream rr { server unix:${rrSock}; keepalive 4; }
  server {
    listen unix:${sock};
    set_real_ip_from unix:;
    real_ip_header X-Real-IP;
    location / {
      include /etc/nginx/fastcgi_params;
      fastcgi_keep_conn on;
      fastcgi_pass rr;
    }
  }
}
`);
  const p = spawn(NGINX!, ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  procs.push(p);
  let stderr = '';
  p.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  const agent = new Agent({ connect: { socketPath: sock } });
  agents.push(agent);
  // Ready once it answers (no fixed wait): retry on "connection refused / no such file" only.
  for (;;) {
    if (p.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    try {
      const r = await request('http://nginx.test/hello', { dispatcher: agent });
      await r.body.text();
      return agent;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'ENOENT' && code !== 'ECONNREFUSED') throw err;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

describe.skipIf(NGINX === undefined)('nginx fastcgi_pass → rr', () => {
  it('GET, POST over 64 KiB, repeated response headers, client address, failures, keep-alive upstream', async () => {
    const dir = tempDir('rr-nginx-');
    const rrSock = join(dir, 'rr.sock');
    await startHttp({ http: { address: '', fcgi: { address: `unix://${rrSock}` }, internal_error_code: 503, pool: { num_workers: 2 } } });
    const agent = await startNginx(dir, rrSock);

    const get = await request('http://nginx.test/echo?a=1&b=x%20y', { dispatcher: agent, headers: { 'x-real-ip': '198.51.100.4', 'x-custom': 'v' } });
    expect(get.statusCode).toBe(200);
    const e = await get.body.json() as { ctx: { uri: string; rawQuery: string; remoteAddr: string; headers: Record<string, string[]>; method: string } };
    expect(e.ctx.method).toBe('GET');
    expect(e.ctx.uri).toBe('http://nginx.test/echo?a=1&b=x%20y');
    expect(e.ctx.rawQuery).toBe('a=1&b=x%20y');
    expect(e.ctx.remoteAddr).toBe('198.51.100.4');
    expect(e.ctx.headers['X-Custom']).toEqual(['v']);

    const body = Buffer.alloc(200_000, 'z');
    body.write('start', 0);
    const post = await request('http://nginx.test/echo', { dispatcher: agent, method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
    const p = await post.body.json() as { bodyLen: number; bodyMd5: string };
    expect(p.bodyLen).toBe(body.length);
    expect(p.bodyMd5).toBe(createHash('md5').update(body).digest('hex'));

    const h = await request('http://nginx.test/headers', { dispatcher: agent });
    expect(h.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(await h.body.text()).toBe('h');

    const big = await request('http://nginx.test/big/1000000', { dispatcher: agent });
    expect((await big.body.arrayBuffer()).byteLength).toBe(1_000_000);

    const nf = await request('http://nginx.test/status/404', { dispatcher: agent });
    expect(nf.statusCode).toBe(404);
    await nf.body.text();
    const soft = await request('http://nginx.test/soft', { dispatcher: agent });
    expect(soft.statusCode).toBe(503);
    await soft.body.text();

    // Several requests at once over nginx's kept-alive upstream connections.
    const many = await Promise.all(Array.from({ length: 6 }, async () => (await request('http://nginx.test/hello', { dispatcher: agent })).body.text()));
    expect(many).toEqual(Array.from({ length: 6 }, () => 'Hello, world!'));
  });
});
