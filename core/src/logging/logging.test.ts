import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogging, type LoggingOptions } from './logging.js';

function collector(isTTY?: boolean) {
  const chunks: string[] = [];
  const stream: Writable & { isTTY?: boolean } = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  if (isTTY !== undefined) stream.isTTY = isTTY;
  return { stream, text: () => chunks.join(''), lines: () => chunks.join('').split('\n').filter((l) => l !== '') };
}

function setup(section: unknown, extra: LoggingOptions = {}) {
  const out = collector(false);
  const err = collector(false);
  const logging = createLogging(section, { stdout: out.stream, stderr: err.stream, env: {}, ...extra });
  return { logging, out, err };
}

const NS = /"ts":(\d+),/;
const DEV_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/;

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rr-logging-'));
  dirs.push(d);
  return d;
}

describe('production / json', () => {
  it('writes level, ts (integer ns), logger, msg, then fields in call order', () => {
    const { logging, out } = setup({ mode: 'production', output: 'stdout' });
    // The sub-millisecond digits come from the monotonic clock, anchored to Date.now() within 1 ms.
    const before = BigInt(Date.now() - 1) * 1_000_000n;
    logging.named('http').info('http log', {
      status: 200, method: 'GET', URI: '/?a=1', URL: '/?a=1', remote_address: '127.0.0.1:51234',
      read_bytes: 0, write_bytes: 12, elapsed: 3,
    });
    const after = BigInt(Date.now() + 2) * 1_000_000n;
    const text = out.text();
    const ts = BigInt(NS.exec(text)![1]!);
    expect(ts >= before && ts < after).toBe(true);
    expect(text.replace(NS, '"ts":TS,')).toBe(
      '{"level":"info","ts":TS,"logger":"http","msg":"http log","status":200,"method":"GET","URI":"/?a=1","URL":"/?a=1",' +
        '"remote_address":"127.0.0.1:51234","read_bytes":0,"write_bytes":12,"elapsed":3}\n',
    );
    // What Octane's writeServerOutput reads.
    const line = JSON.parse(text) as Record<string, unknown>;
    expect([line.level, line.logger, line.msg, line.remote_address, line.elapsed, line.method, line.status, line.URI])
      .toEqual(['info', 'http', 'http log', '127.0.0.1:51234', 3, 'GET', 200, '/?a=1']);
  });

  it('uses lowercase levels, writes errors as their message under their key, dates as integer ns', () => {
    const { logging, out } = setup({ mode: 'production', output: ['stdout'], level: 'debug' });
    const log = logging.named('server');
    log.debug('d');
    log.warn('w');
    const err = Object.assign(new Error('worker exited'), { code: 'RR_ERR_POOL_WORKER' });
    log.error('execute', { error: err, start: new Date(1718630000120), nested: { list: [1, 'x', null], big: 10n } });
    const lines = out.lines().map((l) => l.replace(NS, '"ts":TS,'));
    expect(lines).toEqual([
      '{"level":"debug","ts":TS,"logger":"server","msg":"d"}',
      '{"level":"warn","ts":TS,"logger":"server","msg":"w"}',
      '{"level":"error","ts":TS,"logger":"server","msg":"execute","error":"RR_ERR_POOL_WORKER: worker exited",' +
        '"start":1718630000120000000,"nested":{"list":[1,"x",null],"big":10}}',
    ]);
  });

  it('keeps a worker stderr chunk (trailing newline, JSON inside) intact in msg', () => {
    const { logging, out } = setup({ mode: 'production', output: 'stdout' });
    const chunk = '{"type":"throwable","message":"boom"}\n';
    logging.named('server').info(chunk);
    const line = JSON.parse(out.text()) as { msg: string };
    expect(line.msg).toBe(chunk);
    expect(JSON.parse(line.msg)).toEqual({ type: 'throwable', message: 'boom' });
    expect(out.text().endsWith('\\n"}\n')).toBe(true);
  });

  it('is the layout for json encoding in any mode, and for file_logger_options', () => {
    const { logging, err } = setup({ mode: 'development', encoding: 'json' });
    logging.named('rpc').debug('plugin was started', { address: 'tcp://127.0.0.1:6001' });
    expect(err.text().replace(NS, '"ts":TS,')).toBe(
      '{"level":"debug","ts":TS,"logger":"rpc","msg":"plugin was started","address":"tcp://127.0.0.1:6001"}\n',
    );
  });
});

describe('development / console', () => {
  it('writes tab-separated time, CAPS level, name padded to 12, message, spaced JSON fields', () => {
    const { logging, err } = setup(undefined);
    logging.named('http').debug('http server was started', { address: '127.0.0.1:8080' });
    logging.named('server').info('no fields');
    const [first, second] = err.lines();
    const cols = first!.split('\t');
    expect(cols[0]).toMatch(DEV_TIME);
    expect(cols.slice(1)).toEqual(['DEBUG', 'http        ', 'http server was started', '{"address": "127.0.0.1:8080"}']);
    // No fields: no trailing tab.
    expect(second!.split('\t').slice(1)).toEqual(['INFO', 'server      ', 'no fields']);
    expect(err.text()).not.toContain('\x1b');
  });

  it('spaces nested JSON like zap and writes dates as the development time string', () => {
    const { logging, err } = setup({ mode: 'development' });
    logging.named('rpc').debug('x', { list: ['a', 'b'], obj: { k: 1, j: true }, at: new Date(Date.UTC(2024, 5, 17, 13, 13, 20)) });
    expect(err.text().split('\t')[4]).toBe('{"list": ["a", "b"], "obj": {"k": 1, "j": true}, "at": "2024-06-17T13:13:20+0000"}\n');
  });

  it('does not pad names of 12 characters or more', () => {
    const { logging, err } = setup({});
    logging.named('google_pub_sub').warn('m');
    expect(err.text().split('\t').slice(1)).toEqual(['WARN', 'google_pub_sub', 'm\n']);
  });

  it('colours level and name only on a terminal without NO_COLOR or TERM=dumb', () => {
    const write = (opts: LoggingOptions) => {
      const err = collector();
      createLogging({}, { stderr: err.stream, env: {}, ...opts }).named('http').error('e');
      return err.text().split('\t').slice(1).join('\t');
    };
    expect(write({ isTTY: true })).toBe('\x1b[91mERROR\x1b[0m\t\x1b[92mhttp        \x1b[0m\te\n');
    expect(write({ isTTY: false })).toBe('ERROR\thttp        \te\n');
    expect(write({ isTTY: true, env: { NO_COLOR: '1' } })).toBe('ERROR\thttp        \te\n');
    expect(write({ isTTY: true, env: { TERM: 'dumb' } })).toBe('ERROR\thttp        \te\n');
    // The stream's own isTTY counts when no override is given.
    const tty = collector(true);
    createLogging({}, { stderr: tty.stream, env: {} }).named('a').info('i');
    expect(tty.text()).toContain('\x1b[96mINFO\x1b[0m');
  });

  it('production with console encoding keeps lowercase levels, ns time and plain names', () => {
    const { logging, err } = setup({ mode: 'production', encoding: 'console' });
    logging.named('http').info('http log', { status: 200 });
    const cols = err.text().split('\t');
    expect(cols[0]).toMatch(/^\d{19}$/);
    expect(cols.slice(1)).toEqual(['info', 'http', 'http log', '{"status": 200}\n']);
  });
});

describe('raw, off, line endings', () => {
  it('raw writes the bare message, plus a tab and JSON when there are fields', () => {
    const { logging, err } = setup({ mode: 'raw', level: 'info' });
    const log = logging.named('server');
    log.debug('hidden');
    log.info('hello');
    log.info('with', { a: 1 });
    expect(err.text()).toBe('hello\nwith\t{"a": 1}\n');
  });

  it.each(['off', 'none', 'OFF'])('%s discards everything', (mode) => {
    const { logging, out, err } = setup({ mode, output: ['stdout', 'stderr'] });
    const log = logging.named('http');
    log.error('e');
    expect(log.isEnabled('error')).toBe(false);
    expect(out.text() + err.text()).toBe('');
  });

  it('honours line_ending', () => {
    const { logging, err } = setup({ mode: 'raw', line_ending: '\r\n' });
    logging.named('x').info('a');
    logging.named('x').info('b');
    expect(err.text()).toBe('a\r\nb\r\n');
  });
});

describe('levels', () => {
  const enabled = (section: unknown) => {
    const log = setup(section).logging.named('t');
    return (['debug', 'info', 'warn', 'error'] as const).filter((l) => log.isEnabled(l));
  };

  it('defaults a missing level to debug in every mode, as RoadRunner does', () => {
    expect(enabled(undefined)).toEqual(['debug', 'info', 'warn', 'error']);
    expect(enabled({ mode: 'production' })).toEqual(['debug', 'info', 'warn', 'error']);
    expect(enabled({ mode: 'raw', level: '' })).toEqual(['debug', 'info', 'warn', 'error']);
  });

  it('takes level case-insensitively, with warning as warn', () => {
    expect(enabled({ mode: 'production', level: 'DEBUG' })).toEqual(['debug', 'info', 'warn', 'error']);
    expect(enabled({ mode: 'development', level: 'Warn' })).toEqual(['warn', 'error']);
    expect(enabled({ level: 'warning' })).toEqual(['warn', 'error']);
    expect(enabled({ level: 'fatal' })).toEqual([]);
  });

  it('silently keeps the mode level for an invalid level', () => {
    expect(enabled({ mode: 'production', level: 'verbose' })).toEqual(['info', 'warn', 'error']);
    expect(enabled({ mode: 'development', level: 'loud' })).toEqual(['debug', 'info', 'warn', 'error']);
    expect(enabled({ mode: 'production', level: 7 })).toEqual(['info', 'warn', 'error']);
  });

  it('filters records below the level', () => {
    const { logging, err } = setup({ mode: 'raw', level: 'warn' });
    const log = logging.named('t');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(err.text()).toBe('w\ne\n');
  });
});

describe('named loggers and channels', () => {
  it('caches loggers per name and carries the name', () => {
    const { logging } = setup({});
    expect(logging.named('http')).toBe(logging.named('http'));
    expect(logging.named('http').name).toBe('http');
    expect(logging.named('jobs')).not.toBe(logging.named('http'));
  });

  it('a channel overrides one logger and leaves the others on the root settings', () => {
    const { logging, out, err } = setup({
      mode: 'production', output: 'stdout',
      channels: { http: { mode: 'raw', output: 'stderr', level: 'error' } },
    });
    logging.named('http').info('dropped by the channel level');
    logging.named('http').error('channel line', { status: 500 });
    logging.named('server').info('root line');
    expect(err.text()).toBe('channel line\t{"status": 500}\n');
    expect(out.lines().map((l) => (JSON.parse(l) as { logger: string }).logger)).toEqual(['server']);
  });

  it('a channel does not inherit the root: no mode means console at debug on stderr', () => {
    const { logging, out, err } = setup({ mode: 'production', output: 'stdout', level: 'error', channels: { jobs: { level: 'debug' } } });
    logging.named('jobs').debug('pipeline active');
    expect(out.text()).toBe('');
    const cols = err.text().split('\t');
    expect(cols[0]).toMatch(DEV_TIME);
    expect(cols.slice(1)).toEqual(['DEBUG', 'jobs        ', 'pipeline active\n']);
  });

  it('a channel can be switched off alone', () => {
    const { logging, err } = setup({ mode: 'raw', channels: { http: { mode: 'off' } } });
    logging.named('http').error('gone');
    logging.named('server').info('kept');
    expect(err.text()).toBe('kept\n');
  });
});

describe('outputs', () => {
  it('defaults to stderr and can go to stdout', () => {
    const a = setup({ mode: 'raw' });
    a.logging.named('x').info('to stderr');
    expect([a.out.text(), a.err.text()]).toEqual(['', 'to stderr\n']);
    const b = setup({ mode: 'raw', output: 'stdout' });
    b.logging.named('x').info('to stdout');
    expect([b.out.text(), b.err.text()]).toEqual(['to stdout\n', '']);
  });

  it('writes to files (appending, relative to cwd, directories created) and tees to every output', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'existing.log'), 'old\n');
    const { logging, out } = setup(
      { mode: 'raw', output: ['stdout', 'existing.log', join(dir, 'sub', 'new.log')] },
      { cwd: dir },
    );
    logging.named('x').info('line');
    await logging.close();
    expect(out.text()).toBe('line\n');
    expect(readFileSync(join(dir, 'existing.log'), 'utf8')).toBe('old\nline\n');
    expect(readFileSync(join(dir, 'sub', 'new.log'), 'utf8')).toBe('line\n');
  });

  it('accepts a comma-separated output string, as viper splits it', () => {
    const { logging, out, err } = setup({ mode: 'raw', output: 'stdout,stderr' });
    logging.named('x').info('both');
    expect([out.text(), err.text()]).toEqual(['both\n', 'both\n']);
  });

  it('file_logger_options writes JSON to its file and ignores output', async () => {
    const dir = tempDir();
    const path = join(dir, 'rr.log');
    const { logging, out, err } = setup({ mode: 'development', output: 'stdout', file_logger_options: { log_output: path } });
    logging.named('http').debug('started', { address: ':8080' });
    await logging.close();
    expect(out.text() + err.text()).toBe('');
    expect(readFileSync(path, 'utf8').replace(NS, '"ts":TS,')).toBe(
      '{"level":"debug","ts":TS,"logger":"http","msg":"started","address":":8080"}\n',
    );
  });

  it('fails with RR_ERR_LOGS_OUTPUT naming the key when an output cannot be opened', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-file'), '');
    const bad = join(dir, 'a-file', 'x.log');
    expect(() => setup({ output: bad })).toThrow(expect.objectContaining({ code: 'RR_ERR_LOGS_OUTPUT' }));
    expect(() => setup({ channels: { http: { output: bad } } })).toThrow(/logs\.channels\.http\.output/);
    expect(() => setup({ file_logger_options: { log_output: bad } })).toThrow(/file_logger_options\.log_output/);
  });

  it('reports a failing output once on err_output and drops its later lines', async () => {
    const err = collector(false);
    let attempts = 0;
    const failing = new Writable({
      write: (_c, _e, cb) => {
        attempts++;
        cb(new Error('disk on fire'));
      },
    });
    const logging = createLogging({ mode: 'raw', output: 'stdout' }, { stdout: failing, stderr: err.stream, env: {} });
    logging.named('x').info('one');
    await logging.flush();
    logging.named('x').info('two');
    await logging.flush();
    expect(attempts).toBe(1);
    const reports = err.lines();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/^\S+ write error: stdout: disk on fire$/);
  });
});

describe('flush', () => {
  it('resolves only after a slow output has taken every line', async () => {
    const received: string[] = [];
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _enc, cb) {
        setImmediate(() => {
          received.push(chunk.toString());
          cb();
        });
      },
    });
    const logging = createLogging({ mode: 'raw', output: 'stdout' }, { stdout: slow, env: {} });
    for (let i = 0; i < 50; i++) logging.named('x').info(String(i));
    expect(received.length).toBeLessThan(50);
    await logging.flush();
    expect(received.join('')).toBe(Array.from({ length: 50 }, (_, i) => `${i}\n`).join(''));
  });

  it('resolves at once when nothing is pending', async () => {
    const { logging } = setup({});
    await expect(logging.flush()).resolves.toBeUndefined();
  });
});
