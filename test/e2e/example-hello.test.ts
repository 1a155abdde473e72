// examples/hello as ./examples/run.sh serves it: the real rr binary (packages/cli/dist: run
// `pnpm build` first) with the example's own .rr.yaml and PHP worker, on a free port.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAllRr, repoRoot, startRr, tempDir } from '../helpers/rr-process.js';

const config = join(repoRoot, 'examples/hello/.rr.yaml');
const cleanups: Array<() => void> = [];
afterEach(() => {
  killAllRr();
  for (const c of cleanups.splice(0)) c();
});

/** A port that was free a moment ago (the example's address is an override, as a user would pass it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function serveExample() {
  const port = await freePort();
  const t = tempDir();
  cleanups.push(t.cleanup);
  // rpc moves to a private socket so parallel runs do not fight over the example's 6001.
  const rr = startRr(['serve', '-c', config, '-o', `http.address=127.0.0.1:${port}`, '-o', `rpc.listen=unix://${t.path('rpc.sock')}`]);
  await rr.waitFor(/RoadRunner server started/);
  return { rr, base: `http://127.0.0.1:${port}` };
}

describe('examples/hello', () => {
  it('answers from long-lived PHP workers whose request counters grow, and stops cleanly', async () => {
    const { rr, base } = await serveExample();

    const seen = new Map<number, number[]>();
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${base}/?name=tester`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      const text = await res.text();
      expect(text).toMatch(/^Hello from rr, tester!\n/);
      const m = /This PHP worker \(pid (\d+)\) has served (\d+) requests? in \d+ s without restarting\./.exec(text);
      expect(m, text).not.toBeNull();
      const pid = Number(m![1]);
      seen.set(pid, [...(seen.get(pid) ?? []), Number(m![2])]);
    }
    // At most the pool's two workers, each counting its own requests 1, 2, 3… (state survives).
    expect(seen.size).toBeGreaterThanOrEqual(1);
    expect(seen.size).toBeLessThanOrEqual(2);
    for (const counts of seen.values()) expect(counts).toEqual(counts.map((_, i) => i + 1));
    for (const pid of seen.keys()) {
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('worker.php');
    }

    const json = await fetch(`${base}/json?name=j`);
    expect(json.headers.get('content-type')).toBe('application/json');
    const body = (await json.json()) as { hello: string; pid: number; requests: number };
    expect(body.hello).toBe('j');
    expect(readFileSync(`/proc/${body.pid}/cmdline`, 'utf8').split('\0')).toContain('worker.php');
    expect(body.requests).toBe((seen.get(body.pid)?.length ?? 0) + 1);

    rr.kill('SIGTERM');
    expect(await rr.exited).toBe(0);
    for (const pid of [...seen.keys(), body.pid]) expect(alive(pid)).toBe(false);
  });

  it('logs one `http log` line per request at the example\'s info level', async () => {
    const { rr, base } = await serveExample();
    const res = await fetch(`${base}/some/path?x=1`);
    expect(res.status).toBe(200);
    await res.text();
    const line = await rr.waitFor(/http log/);
    expect(line).toMatch(/\tINFO\thttp +\thttp log\t/);
    expect(line).toContain('"URI": "/some/path?x=1"');
    expect(line).toContain('"status": 200');
  });
});
