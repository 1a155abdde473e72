import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { LeanResponse } from './lean-response.js';
import type { LeanHandler } from './server.js';
import { RawClient, closeAll, startLane, type WireResponse } from '../test/harness.js';

afterEach(closeAll);

const IMF_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Sends `requests` (HTTP/1.1 GETs unless given) on one connection; returns the parsed answers. */
async function exchange(handler: LeanHandler, requests: string[], methods: string[] = []): Promise<WireResponse[]> {
  const lane = await startLane(handler);
  const c = await RawClient.connect(lane.port);
  await c.send(requests.join(''));
  return c.responses(requests.length, methods);
}
const get = (url: string, method = 'GET'): string => `${method} ${url} HTTP/1.1\r\nHost: t\r\n\r\n`;

/** Runs `act` in the handler and answers with the error code it threw (or "no error"). */
function codeOf(act: (res: LeanResponse) => void): LeanHandler {
  return (_req, res) => {
    let code = 'no error';
    try {
      act(res);
    } catch (err) {
      code = (err as { code?: string }).code ?? String(err);
    }
    // Undo what the failed call left, so the answer carrying the code can be written.
    res.statusCode = 200;
    res.statusMessage = '';
    if (!res.writableEnded) {
      if (res.headersSent) res.end(`|${code}`);
      else res.end(code);
    }
  };
}

describe('framing', () => {
  it('end(body) before any write: Content-Length, head and body together', async () => {
    const [text, bytes] = await exchange((req, res) => {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(req.url === '/s' ? 'héllo' : Buffer.from([0, 1, 2]));
    }, [get('/s'), get('/b')]);
    expect(text!.framing).toBe('length');
    expect(text!.headers['content-length']).toEqual(['6']);
    expect(text!.body.toString()).toBe('héllo');
    expect([...bytes!.body]).toEqual([0, 1, 2]);
  });

  it('end() without a body: Content-Length: 0', async () => {
    const [r] = await exchange((_req, res) => res.end(), [get('/')]);
    expect(r!.headers['content-length']).toEqual(['0']);
    expect(r!.body.length).toBe(0);
  });

  it('a body over 64 KiB given to end() arrives intact with its length', async () => {
    const big = Buffer.alloc(200 * 1024, 'x');
    const [r] = await exchange((_req, res) => res.end(big), [get('/')]);
    expect(r!.headers['content-length']).toEqual([String(big.length)]);
    expect(r!.body.equals(big)).toBe(true);
  });

  it('pipelined answers from the shared write buffer stay intact when the socket backs up (12 MB unread)', async () => {
    // Each 60 KiB answer is built in one buffer reused by every response; once the client stops
    // reading, the kernel takes part of a write or none, and the rest must be copied before queueing.
    const bodyOf = (i: number): Buffer => Buffer.alloc(60 * 1024, `answer ${i};`);
    const n = 200;
    const responses = await exchange((req, res) => res.end(bodyOf(Number(req.url!.slice(1)))), Array.from({ length: n }, (_, i) => get(`/${i}`)));
    expect(responses).toHaveLength(n);
    responses.forEach((r, i) => expect(r.body.equals(bodyOf(i)), `answer ${i}`).toBe(true));
  });

  it('write() before end() on HTTP/1.1: chunked, one chunk per write, then the last chunk', async () => {
    const [r, next] = await exchange((req, res) => {
      if (req.url === '/next') {
        res.end('next');
        return;
      }
      res.write('ab');
      res.write(Buffer.from('cde'));
      res.write('');
      res.end('f');
    }, [get('/chunks'), get('/next')]);
    expect(r!.framing).toBe('chunked');
    expect(r!.headers['content-length']).toBeUndefined();
    expect(r!.chunks).toEqual([2, 3, 1, 0]);
    expect(r!.body.toString()).toBe('abcdef');
    expect(next!.body.toString()).toBe('next');
  });

  it('write() before end() on HTTP/1.0: no length, Connection: close, the body ends with the connection', async () => {
    const lane = await startLane((_req, res) => {
      res.write('part one, ');
      res.end('part two');
    });
    const c = await RawClient.connect(lane.port);
    await c.send('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const [r] = await c.closeAndResponses();
    expect(r!.framing).toBe('close');
    expect(r!.headers['connection']).toEqual(['close']);
    expect(r!.headers['transfer-encoding']).toBeUndefined();
    expect(r!.body.toString()).toBe('part one, part two');
  });

  it('a handler-set Content-Length is used with write(); no chunking', async () => {
    const [r] = await exchange((_req, res) => {
      res.setHeader('Content-Length', 6);
      res.write('abc');
      res.end('def');
    }, [get('/')]);
    expect(r!.framing).toBe('length');
    expect(r!.body.toString()).toBe('abcdef');
  });

  it('flushHeaders() then end(): a chunked answer with no data chunks', async () => {
    const [r] = await exchange((_req, res) => {
      res.flushHeaders();
      res.end();
    }, [get('/')]);
    expect(r!.framing).toBe('chunked');
    expect(r!.chunks).toEqual([0]);
  });
});

describe('answers without a body', () => {
  it.each([
    ['HEAD with end(body)', 'HEAD', 200, (res: LeanResponse) => res.end('not sent')],
    ['HEAD with write() first', 'HEAD', 200, (res: LeanResponse) => { res.write('not sent'); res.end('nor this'); }],
    ['204 with end(body)', 'GET', 204, (res: LeanResponse) => res.end('not sent')],
    ['304 with write() first', 'GET', 304, (res: LeanResponse) => { res.write('not sent'); res.end(); }],
  ])('%s sends no body bytes; the next pipelined answer follows at once', async (_what, method, status, act) => {
    const lane = await startLane((req, res) => {
      if (req.url === '/next') {
        res.end('next');
        return;
      }
      res.statusCode = status;
      act(res);
    });
    const c = await RawClient.connect(lane.port);
    await c.send(get('/', method) + get('/next'));
    const [first, next] = await c.responses(2, [method, 'GET']);
    expect(first!.status).toBe(status);
    expect(first!.headers['transfer-encoding']).toBeUndefined();
    // The whole stream is exactly two heads and "next": nothing of the first body leaked.
    expect(c.text).toBe(`${first!.head}\r\n${next!.head}\r\nnext`);
  });
});

describe('trailers', () => {
  it('addTrailers after write(): sent after the last chunk', async () => {
    const [r] = await exchange((_req, res) => {
      res.setHeader('Trailer', 'X-Checksum');
      res.write('data');
      res.addTrailers({ 'X-Checksum': 'abc123', 'X-Multi': ['1', '2'] });
      res.end();
    }, [get('/')]);
    expect(r!.framing).toBe('chunked');
    expect(r!.body.toString()).toBe('data');
    expect(r!.trailers).toEqual({ 'x-checksum': ['abc123'], 'x-multi': ['1', '2'] });
  });

  it('addTrailers before end(body): chunked instead of Content-Length, so the trailers can follow', async () => {
    const [r, next] = await exchange((req, res) => {
      if (req.url === '/next') {
        res.end('next');
        return;
      }
      res.addTrailers({ 'X-T': 'v' });
      res.end('whole');
    }, [get('/'), get('/next')]);
    expect(r!.framing).toBe('chunked');
    expect(r!.body.toString()).toBe('whole');
    expect(r!.trailers).toEqual({ 'x-t': ['v'] });
    expect(next!.body.toString()).toBe('next');
  });

  it('rejects an invalid trailer value', async () => {
    const [r] = await exchange(codeOf((res) => res.addTrailers({ 'X-T': 'a\r\nb' })), [get('/')]);
    expect(r!.body.toString()).toBe('ERR_INVALID_CHAR');
  });
});

describe('status line and headers', () => {
  it('writeHead(status, reason, object) with array values', async () => {
    const [r] = await exchange((_req, res) => {
      res.setHeader('X-Before', 'kept');
      res.writeHead(299, 'Custom Reason', { 'X-A': '1', 'Set-Cookie': ['a=1', 'b=2'], 'X-Num': 5 });
      res.end('ok');
    }, [get('/')]);
    expect(r!.status).toBe(299);
    expect(r!.reason).toBe('Custom Reason');
    expect(r!.headers).toMatchObject({ 'x-before': ['kept'], 'x-a': ['1'], 'set-cookie': ['a=1', 'b=2'], 'x-num': ['5'] });
    expect(r!.head).toContain('\r\nX-A: 1\r\n');
  });

  it('writeHead(status, flat array) keeps repeated names as separate lines', async () => {
    const [r] = await exchange((_req, res) => {
      res.writeHead(201, ['X-Dup', 'one', 'X-Dup', 'two', 'Content-Type', 'text/x']);
      res.end();
    }, [get('/')]);
    expect(r!.status).toBe(201);
    expect(r!.reason).toBe('Created');
    expect(r!.headers['x-dup']).toEqual(['one', 'two']);
    expect(r!.head).toContain('X-Dup: one\r\nX-Dup: two\r\n');
  });

  it('header getters mirror what was set; names keep their case on the wire', async () => {
    const [r] = await exchange((_req, res) => {
      res.setHeader('X-Case', 'v');
      res.setHeader('x-gone', 'v');
      res.removeHeader('X-Gone');
      const view = JSON.stringify([res.getHeader('x-case'), res.hasHeader('X-CASE'), res.getHeaderNames(), { ...res.getHeaders() }]);
      res.end(view);
    }, [get('/')]);
    expect(JSON.parse(r!.body.toString())).toEqual(['v', true, ['x-case'], { 'x-case': 'v' }]);
    expect(r!.head).toContain('\r\nX-Case: v\r\n');
    expect(r!.headers['x-gone']).toBeUndefined();
  });

  it('Date is present as IMF-fixdate unless sendDate is off or the handler set one', async () => {
    const [auto, off, own] = await exchange((req, res) => {
      if (req.url === '/off') res.sendDate = false;
      if (req.url === '/own') res.setHeader('Date', 'Thu, 01 Jan 1970 00:00:00 GMT');
      res.end();
    }, [get('/auto'), get('/off'), get('/own')]);
    expect(auto!.headers['date']).toHaveLength(1);
    expect(auto!.headers['date']![0]).toMatch(IMF_DATE);
    expect(Math.abs(Date.parse(auto!.headers['date']![0]!) - Date.now())).toBeLessThan(60_000);
    expect(off!.headers['date']).toBeUndefined();
    expect(own!.headers['date']).toEqual(['Thu, 01 Jan 1970 00:00:00 GMT']);
  });

  it.each([
    ['setHeader after write()', 'ERR_HTTP_HEADERS_SENT', (res: LeanResponse) => { res.write('x'); res.setHeader('X-Late', '1'); }],
    ['setHeader after writeHead()', 'ERR_HTTP_HEADERS_SENT', (res: LeanResponse) => { res.writeHead(200); res.setHeader('X-Late', '1'); }],
    ['removeHeader after write()', 'ERR_HTTP_HEADERS_SENT', (res: LeanResponse) => { res.write('x'); res.removeHeader('Date'); }],
    ['writeHead twice', 'ERR_HTTP_HEADERS_SENT', (res: LeanResponse) => { res.writeHead(200); res.writeHead(201); }],
    ['a CR LF in a header value', 'ERR_INVALID_CHAR', (res: LeanResponse) => res.setHeader('X-Evil', 'a\r\nInjected: 1')],
    ['a NUL in an array value', 'ERR_INVALID_CHAR', (res: LeanResponse) => res.setHeader('X-Evil', ['ok', 'a\0b'])],
    ['a CR LF in a writeHead value', 'ERR_INVALID_CHAR', (res: LeanResponse) => res.writeHead(200, { 'X-Evil': 'a\nb' })],
    ['a CR LF in a flat-array value', 'ERR_INVALID_CHAR', (res: LeanResponse) => res.writeHead(200, ['X-Evil', 'a\rb'])],
    ['an undefined header value', 'ERR_HTTP_INVALID_HEADER_VALUE', (res: LeanResponse) => res.setHeader('X-U', undefined as never)],
    ['a header name with a space', 'ERR_INVALID_HTTP_TOKEN', (res: LeanResponse) => res.setHeader('X Bad', '1')],
    ['a CR LF in the reason phrase', 'ERR_INVALID_CHAR', (res: LeanResponse) => res.writeHead(200, 'OK\r\nInjected: 1')],
    ['a CR LF in statusMessage set directly', 'ERR_INVALID_CHAR', (res: LeanResponse) => { res.statusMessage = 'OK\r\nInjected: 1'; res.end(); }],
    ['a status code out of range', 'ERR_HTTP_INVALID_STATUS_CODE', (res: LeanResponse) => res.writeHead(1000)],
    ['a status code set directly out of range', 'ERR_HTTP_INVALID_STATUS_CODE', (res: LeanResponse) => { res.statusCode = 99; res.end(); }],
  ])('%s throws %s and writes nothing bad', async (_what, code, act) => {
    const [r] = await exchange(codeOf(act), [get('/')]);
    // `x|CODE` when the head went out before the throw.
    expect(r!.body.toString()).toMatch(new RegExp(`^(x?\\|)?${code}$`));
    expect(r!.head).not.toContain('Injected');
    expect(r!.headers['x-evil']).toBeUndefined();
  });
});

describe('events and stream behaviour', () => {
  it('end() emits finish and close and runs its callback; write after end reports ERR_STREAM_WRITE_AFTER_END', async () => {
    const events: string[] = [];
    let answered: Promise<WireResponse[]> | undefined;
    const done = new Promise<void>((resolve) => {
      answered = exchange((_req, res) => {
        res.on('finish', () => events.push('finish'));
        res.on('close', () => {
          events.push('close');
          res.write('late', (err) => {
            events.push(`write: ${(err as { code?: string } | undefined)?.code}`);
            events.push(`ended: ${res.writableEnded}`);
            resolve();
          });
        });
        res.end('x', () => events.push('end callback'));
      }, [get('/')]);
    });
    await done;
    expect((await answered!)[0]!.body.toString()).toBe('x');
    expect(events).toEqual(['end callback', 'finish', 'close', 'write: ERR_STREAM_WRITE_AFTER_END', 'ended: true']);
  });

  it('a synchronous throw before the head is a 500 with Content-Length: 0; the connection stays usable', async () => {
    const [r, next] = await exchange((req, res) => {
      if (req.url === '/boom') throw new Error('boom');
      res.end('fine');
    }, [get('/boom'), get('/next')]);
    expect(r!.status).toBe(500);
    expect(r!.headers['content-length']).toEqual(['0']);
    expect(next!.body.toString()).toBe('fine');
  });

  it('_writeRaw sends an informational answer before the final one', async () => {
    const [early, final] = await exchange((_req, res) => {
      res._writeRaw('HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n', 'latin1');
      res.end('final');
    }, [get('/')]);
    expect(early!.status).toBe(103);
    expect(early!.headers['link']).toEqual(['</a.css>; rel=preload']);
    expect(final!.body.toString()).toBe('final');
  });

  it("emits one 'drain' per back-pressure episode, however many writes returned false", async () => {
    let drains = 0;
    let falses = 0;
    let socketDrainListeners = 0;
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 'd');
    const lane = await startLane((req, res) => {
      if (req.url === '/count') {
        res.end(`${drains} ${falses} ${socketDrainListeners}`);
        return;
      }
      res.on('drain', () => {
        drains++;
        res.end();
      });
      // Loopback buffers take megabytes: write until the socket pushes back, then ten more times.
      let writes = 0;
      while (falses < 11 && writes < 4096) {
        writes++;
        if (!res.write(chunk)) falses++;
      }
      written = writes * chunk.length;
      socketDrainListeners = res.socket.listenerCount('drain');
    });
    const c = await RawClient.connect(lane.port);
    await c.send(get('/flood') + get('/count'));
    const [flood, count] = await c.responses(2);
    expect(flood!.body.length).toBe(written);
    const [d, f, l] = count!.body.toString().split(' ').map(Number);
    expect(f).toBe(11);
    expect(d).toBe(1);
    expect(l).toBeLessThanOrEqual(1);
  });

  it('Readable.pipe(res) of 16 MiB arrives intact, with back-pressure (write false, then drain)', async () => {
    const size = 16 * 1024 * 1024;
    const chunk = 64 * 1024;
    const pattern = (i: number): Buffer => Buffer.alloc(chunk, i % 251);
    const expected = createHash('sha256');
    for (let i = 0; i < size / chunk; i++) expected.update(pattern(i));
    const stats = { falses: 0, drains: 0, maxBuffered: 0 };
    const lane = await startLane((_req, res) => {
      let i = 0;
      const source = new Readable({
        highWaterMark: chunk,
        read() {
          this.push(i < size / chunk ? pattern(i++) : null);
        },
      });
      const write = res.write.bind(res);
      res.write = ((data: Buffer) => {
        const ok = write(data);
        if (!ok) stats.falses++;
        stats.maxBuffered = Math.max(stats.maxBuffered, res.socket.writableLength);
        return ok;
      }) as typeof res.write;
      res.on('drain', () => stats.drains++);
      res.setHeader('Content-Type', 'application/octet-stream');
      source.pipe(res as unknown as NodeJS.WritableStream);
    });
    const client = new Client(`http://127.0.0.1:${lane.port}`);
    try {
      const r = await client.request({ path: '/stream', method: 'GET' });
      expect(r.headers['transfer-encoding']).toBe('chunked');
      const got = createHash('sha256');
      let length = 0;
      for await (const part of r.body) {
        got.update(part as Buffer);
        length += (part as Buffer).length;
      }
      expect(length).toBe(size);
      expect(got.digest('hex')).toBe(expected.digest('hex'));
    } finally {
      await client.close();
    }
    expect(stats.falses).toBeGreaterThan(0);
    expect(stats.drains).toBeGreaterThan(0);
    // Back-pressure held: the socket never buffered much more than a few chunks.
    expect(stats.maxBuffered).toBeLessThan(size / 4);
  });
});
