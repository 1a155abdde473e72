// A small FastCGI client for the tests, written independently of src/fcgi (its own record codec),
// so the server is checked against the spec's layout rather than against itself.
import { connect, type Socket } from 'node:net';

export const T = {
  BEGIN_REQUEST: 1, ABORT_REQUEST: 2, END_REQUEST: 3, PARAMS: 4, STDIN: 5, STDOUT: 6, STDERR: 7,
  DATA: 8, GET_VALUES: 9, GET_VALUES_RESULT: 10, UNKNOWN_TYPE: 11,
} as const;

export interface Rec {
  type: number;
  id: number;
  content: Buffer;
}

export function record(type: number, id: number, content: Buffer = Buffer.alloc(0), padding = 0): Buffer {
  const h = Buffer.alloc(8);
  h[0] = 1;
  h[1] = type;
  h.writeUInt16BE(id, 2);
  h.writeUInt16BE(content.length, 4);
  h[6] = padding;
  return Buffer.concat([h, content, Buffer.alloc(padding)]);
}

function len(n: number): Buffer {
  if (n < 128) return Buffer.from([n]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((n | 0x80000000) >>> 0);
  return b;
}

export function pairs(list: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.concat(list.flatMap(([k, v]) => {
    const kb = Buffer.from(k, 'latin1');
    const vb = Buffer.from(v, 'latin1');
    return [len(kb.length), len(vb.length), kb, vb];
  }));
}

export function parsePairs(b: Buffer): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let i = 0;
  const rl = (): number => {
    if (b[i]! < 128) return b[i++]!;
    const n = b.readUInt32BE(i) & 0x7fffffff;
    i += 4;
    return n;
  };
  while (i < b.length) {
    const kl = rl();
    const vl = rl();
    out.push([b.toString('latin1', i, i + kl), b.toString('latin1', i + kl, i + kl + vl)]);
    i += kl + vl;
  }
  return out;
}

/** A whole stream in records of at most `size` bytes, then the empty record that ends it. */
export function stream(type: number, id: number, data: Buffer, size = 65535): Buffer {
  const parts: Buffer[] = [];
  for (let off = 0; off < data.length; off += size) parts.push(record(type, id, data.subarray(off, off + size), off % 3));
  parts.push(record(type, id));
  return Buffer.concat(parts);
}

export function begin(id: number, keepConn: boolean, role = 1): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16BE(role, 0);
  b[2] = keepConn ? 1 : 0;
  return record(T.BEGIN_REQUEST, id, b);
}

export interface FcgiResponse {
  status: number;
  statusLine: string;
  /** Header lines in order, names as sent. */
  headers: Array<[string, string]>;
  body: Buffer;
  stdoutRecords: number;
  appStatus: number;
  protocolStatus: number;
}

export interface RequestOptions {
  keepConn?: boolean;
  body?: Buffer;
  /** STDIN record size. */
  chunk?: number;
  role?: number;
}

interface Pending {
  stdout: Buffer[];
  records: number;
  resolve: (r: FcgiResponse) => void;
}

export class FcgiClient {
  readonly socket: Socket;
  readonly records: Rec[] = [];
  readonly closed: Promise<void>;
  readonly #pending = new Map<number, Pending>();
  readonly #waiters: Array<{ match: (r: Rec) => boolean; resolve: (r: Rec) => void }> = [];
  #buf = Buffer.alloc(0);

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => this.#feed(c));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
  }

  static connect(target: { path: string } | { host: string; port: number }): Promise<FcgiClient> {
    return new Promise((resolve, reject) => {
      const s = connect(target as never);
      s.once('connect', () => resolve(new FcgiClient(s)));
      s.once('error', reject);
    });
  }

  #feed(chunk: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    while (this.#buf.length >= 8) {
      const clen = this.#buf.readUInt16BE(4);
      const total = 8 + clen + this.#buf[6]!;
      if (this.#buf.length < total) break;
      const rec: Rec = { type: this.#buf[1]!, id: this.#buf.readUInt16BE(2), content: Buffer.from(this.#buf.subarray(8, 8 + clen)) };
      this.#buf = this.#buf.subarray(total);
      this.records.push(rec);
      this.#dispatch(rec);
    }
  }

  #dispatch(rec: Rec): void {
    for (let i = 0; i < this.#waiters.length; i++) {
      const w = this.#waiters[i]!;
      if (w.match(rec)) {
        this.#waiters.splice(i, 1);
        w.resolve(rec);
        break;
      }
    }
    const p = this.#pending.get(rec.id);
    if (p === undefined || rec.id === 0) return;
    if (rec.type === T.STDOUT && rec.content.length > 0) {
      p.stdout.push(rec.content);
      p.records++;
    } else if (rec.type === T.END_REQUEST) {
      this.#pending.delete(rec.id);
      p.resolve(parseCgi(Buffer.concat(p.stdout), p.records, rec.content.readUInt32BE(0), rec.content[4]!));
    }
  }

  /** Resolves with the first record (already received or not) that matches. */
  next(match: (r: Rec) => boolean): Promise<Rec> {
    const seen = this.records.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends BEGIN_REQUEST + PARAMS (+ STDIN) and resolves at END_REQUEST. */
  request(id: number, params: ReadonlyArray<readonly [string, string]>, o: RequestOptions = {}): Promise<FcgiResponse> {
    const done = this.expect(id);
    this.write(Buffer.concat([
      begin(id, o.keepConn ?? true, o.role ?? 1),
      stream(T.PARAMS, id, pairs(params), 1000),
      stream(T.STDIN, id, o.body ?? Buffer.alloc(0), o.chunk ?? 65535),
    ]));
    return done;
  }

  /** Collects the response of request `id` (for requests written by hand). */
  expect(id: number): Promise<FcgiResponse> {
    return new Promise((resolve) => this.#pending.set(id, { stdout: [], records: 0, resolve }));
  }

  close(): void {
    this.socket.destroy();
  }
}

function parseCgi(raw: Buffer, records: number, appStatus: number, protocolStatus: number): FcgiResponse {
  const end = raw.indexOf('\r\n\r\n');
  const headText = end < 0 ? '' : raw.toString('latin1', 0, end);
  const headers: Array<[string, string]> = headText === '' ? [] : headText.split('\r\n').map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i), l.slice(i + 1).trim()];
  });
  const statusLine = headers.find(([k]) => k === 'Status')?.[1] ?? '';
  return {
    status: Number(statusLine.split(' ')[0] ?? 0),
    statusLine,
    headers: headers.filter(([k]) => k !== 'Status'),
    body: end < 0 ? raw : raw.subarray(end + 4),
    stdoutRecords: records,
    appStatus,
    protocolStatus,
  };
}

/** The params nginx's fastcgi_params would send for a simple request; `extra` replaces same-named ones. */
export function cgiParams(method: string, uri: string, extra: ReadonlyArray<readonly [string, string]> = []): Array<[string, string]> {
  const q = uri.indexOf('?');
  const overridden = new Set(extra.map(([k]) => k));
  const base: Array<[string, string]> = [
    ['GATEWAY_INTERFACE', 'CGI/1.1'],
    ['SERVER_SOFTWARE', 'test'],
    ['REQUEST_METHOD', method],
    ['REQUEST_URI', uri],
    ['QUERY_STRING', q < 0 ? '' : uri.slice(q + 1)],
    ['SCRIPT_NAME', q < 0 ? uri : uri.slice(0, q)],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['REMOTE_ADDR', '127.0.0.1'],
    ['REMOTE_PORT', '50000'],
    ['SERVER_ADDR', '127.0.0.1'],
    ['SERVER_PORT', '80'],
    ['SERVER_NAME', 'localhost'],
    ['HTTP_HOST', 'localhost'],
  ];
  return [...base.filter(([k]) => !overridden.has(k)), ...extra];
}
