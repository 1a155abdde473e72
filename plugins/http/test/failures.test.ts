import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { cleanup, startHttp, type WorkerKind } from './helpers.js';

afterEach(cleanup);

describe.each<WorkerKind>(['raw', 'lib'])('worker failures (%s worker)', (worker) => {
  it('a soft error answers internal_error_code with an empty body; the worker lives on', async () => {
    const s = await startHttp({ worker, http: { internal_error_code: 502, pool: { num_workers: 1 } } });
    const pid = (await (await request(`${s.url}/echo`)).body.json() as { pid: number }).pid;
    const r = await request(`${s.url}/soft`);
    expect(r.statusCode).toBe(502);
    expect(await r.body.text()).toBe('');
    const after = (await (await request(`${s.url}/echo`)).body.json() as { pid: number }).pid;
    expect(after).toBe(pid);
    const line = await s.waitForRecord((x) => x.logger === 'http' && x.msg === 'execute');
    expect(line.level).toBe('error');
    expect(line.fields).toMatchObject({ elapsed: expect.any(Number), start: expect.any(Date) });
  });

  it('in pool.debug a soft error body is the HTML-escaped message', async () => {
    const s = await startHttp({ worker, http: { pool: { debug: true } } });
    const r = await request(`${s.url}/soft`);
    expect(r.statusCode).toBe(500);
    const text = await r.body.text();
    expect(text).toContain('boom &lt;b&gt;&#34;bad&#34;&lt;/b&gt; &amp; failed');
    expect(text).not.toContain('<b>');
  });

  it('a worker crash answers 500 and a new worker takes over', async () => {
    const s = await startHttp({ worker, http: { pool: { num_workers: 1 } } });
    const r = await request(`${s.url}/crash`);
    expect(r.statusCode).toBe(500);
    expect(await r.body.text()).toBe('');
    const ok = await request(`${s.url}/hello`);
    expect(await ok.body.text()).toBe('Hello, world!');
  });
});

describe('pool limits', () => {
  it('exec_ttl kills a hung worker and answers 500', async () => {
    const s = await startHttp({ http: { pool: { num_workers: 1, supervisor: { exec_ttl: '300ms' } } } });
    const r = await request(`${s.url}/hang`);
    expect(r.statusCode).toBe(500);
    await r.body.text();
    expect(await (await request(`${s.url}/hello`)).body.text()).toBe('Hello, world!');
  });

  it('no free worker: internal_error_code with No-Workers and Retry-After', async () => {
    const s = await startHttp({ http: { pool: { num_workers: 1, allocate_timeout: '200ms' } } });
    const slow = request(`${s.url}/sleep/1500`);
    const r = await request(`${s.url}/hello`);
    expect(r.statusCode).toBe(500);
    expect(r.headers['no-workers']).toBe('true');
    expect(r.headers['retry-after']).toBe('1');
    await r.body.text();
    expect(await (await slow).body.text()).toBe('slept 1500');
  });

  it('a full queue answers internal_error_code at once', async () => {
    const s = await startHttp({ http: { internal_error_code: 503, pool: { num_workers: 1, max_queue_size: 1 } } });
    const busy = request(`${s.url}/sleep/800`);
    const queued = request(`${s.url}/sleep/10`);
    let r = await request(`${s.url}/hello`);
    // The queued request may not have reached the queue yet; retry until the queue is full.
    for (let i = 0; i < 20 && r.statusCode === 200; i++) {
      await r.body.text();
      r = await request(`${s.url}/hello`);
    }
    expect(r.statusCode).toBe(503);
    await r.body.text();
    expect((await busy).statusCode).toBe(200);
    expect((await queued).statusCode).toBe(200);
  });

  it('pool.debug shows a worker boot failure as a page to loopback clients', async () => {
    const s = await startHttp({ command: 'php -r "fwrite(STDERR, \'cannot boot: missing APP_KEY\'); exit(3);"', http: { pool: { debug: true, allocate_timeout: '2s' } } });
    const r = await request(`${s.url}/`);
    expect(r.statusCode).toBe(500);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    const page = await r.body.text();
    expect(page).toContain('could not start');
    expect(page).toContain('cannot boot: missing APP_KEY');
  });
});

describe('max_request_size', () => {
  it('answers 413 to a declared length over the limit and to a chunked body growing over it', async () => {
    const s = await startHttp({ http: { max_request_size: 1 } });
    const big = Buffer.alloc(1024 * 1024 + 1, 'x');
    const r = await request(`${s.url}/echo`, { method: 'POST', body: big });
    expect(r.statusCode).toBe(413);
    await r.body.text();
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 3; i++) yield Buffer.alloc(512 * 1024, 'y');
    }
    const c = await request(`${s.url}/echo`, { method: 'POST', body: chunks() });
    expect(c.statusCode).toBe(413);
    await c.body.text();
    const ok = await request(`${s.url}/echo`, { method: 'POST', body: Buffer.alloc(1024 * 1024, 'z') });
    expect(ok.statusCode).toBe(200);
    expect((await ok.body.json() as { bodyLen: number }).bodyLen).toBe(1024 * 1024);
  });
});
