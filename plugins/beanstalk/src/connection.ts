import { connect, type Socket } from 'node:net';

/** A beanstalkd reply: the first line's words, and the body for RESERVED/OK/FOUND replies. */
export interface Reply {
  readonly words: readonly string[];
  readonly body?: Buffer;
}

interface Pending {
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

/** A reply that is not the expected success word (NOT_FOUND, TIMED_OUT, JOB_TOO_BIG, ...). */
export class BeanstalkReplyError extends Error {
  constructor(readonly command: string, readonly reply: string) {
    super(`beanstalkd answered "${reply}" to ${command}`);
    this.name = 'BeanstalkReplyError';
  }
}

// Replies whose first line announces a body of <bytes> (last word) followed by CRLF.
const WITH_BODY = new Set(['RESERVED', 'OK', 'FOUND']);
const CRLF = Buffer.from('\r\n');

/**
 * One connection speaking beanstalkd's text protocol. Commands are pipelined: replies come back in
 * order, so each command waits for its own. beanstalkd binds a reserved job to the connection that
 * reserved it (only that one can delete, release or touch it).
 */
export class BeanstalkConnection {
  private buf: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private closedError: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection to beanstalkd closed')));
  }

  static open(host: string, port: number, timeoutMs: number): Promise<BeanstalkConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection to beanstalkd at ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        socket.setKeepAlive(true, 10_000);
        resolve(new BeanstalkConnection(socket));
      });
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once('error', onError);
    });
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** Sends one command (plus an optional body) and resolves with its reply. */
  send(line: string, body?: Uint8Array): Promise<Reply> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<Reply>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      const head = Buffer.from(`${line}\r\n`);
      this.socket.write(body === undefined ? head : Buffer.concat([head, body, CRLF]));
    });
  }

  /** Sends a command and checks the first reply word. */
  async expect(line: string, ok: string, body?: Uint8Array): Promise<Reply> {
    const reply = await this.send(line, body);
    if (reply.words[0] !== ok) throw new BeanstalkReplyError(line.split(' ')[0]!, reply.words.join(' '));
    return reply;
  }

  close(): void {
    this.fail(new Error('connection to beanstalkd closed by rr'));
    this.socket.destroy();
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const p of this.pending.splice(0)) p.reject(err);
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const eol = this.buf.indexOf(CRLF);
      if (eol < 0) return;
      const words = this.buf.subarray(0, eol).toString('latin1').split(' ');
      let consumed = eol + 2;
      let body: Buffer | undefined;
      if (WITH_BODY.has(words[0]!)) {
        const size = Number(words[words.length - 1]);
        if (this.buf.length < consumed + size + 2) return; // wait for the whole body
        body = Buffer.from(this.buf.subarray(consumed, consumed + size));
        consumed += size + 2;
      }
      this.buf = this.buf.subarray(consumed);
      const p = this.pending.shift();
      if (p === undefined) {
        this.fail(new Error(`unexpected reply from beanstalkd: ${words.join(' ')}`));
        this.socket.destroy();
        return;
      }
      p.resolve(body === undefined ? { words } : { words, body });
    }
  }
}

/** Parses the flat YAML map of stats-tube / stats-job. */
export function parseStats(body: Buffer | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (body ?? Buffer.alloc(0)).toString('utf8').split('\n')) {
    const m = /^([\w-]+):\s*(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}
