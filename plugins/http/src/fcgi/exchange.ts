import { STATUS_CODES, request as httpRequest, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { cgiToHttp } from './cgi-request.js';
import { ServerEnd } from './memory-pipe.js';
import { decodePairs, encodeEndRequest, encodeRecord, encodeStream, ProtocolStatus, RecordType } from './records.js';

/** What an exchange needs from its FastCGI connection. */
export interface ExchangeHost {
  readonly http: HttpServer;
  readonly internalErrorCode: number;
  /** Writes to the FastCGI socket; false when its buffer is full. */
  write(bytes: Buffer): boolean;
  /** Runs `cb` once the FastCGI socket drained (at once when it is gone). */
  whenDrained(cb: () => void): void;
  /** Stops/resumes reading the FastCGI socket (request body backpressure). */
  pauseInput(): void;
  resumeInput(): void;
  /** The exchange wrote END_REQUEST (or was aborted). */
  finished(ex: FcgiExchange): void;
}

// Response headers that belong to the in-memory HTTP/1.1 hop, not to the CGI response.
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);
// Upper bound of buffered PARAMS (a header block; node:http itself stops at 16 KiB of headers).
const MAX_PARAMS = 1 << 20;

/**
 * One FastCGI request (responder role): PARAMS become an HTTP/1.1 request written into the same
 * request handler the plain listener uses, STDIN its body; the response comes back as STDOUT
 * records (`Status:` line, headers, blank line, body), then END_REQUEST.
 */
export class FcgiExchange {
  readonly id: number;
  readonly keepConn: boolean;
  readonly #host: ExchangeHost;
  #params: Buffer[] = [];
  #paramsLen = 0;
  #server: ServerEnd | undefined;
  #bodyLeft = 0;
  #paused = false;
  #done = false;
  #relayed = false;

  constructor(id: number, keepConn: boolean, host: ExchangeHost) {
    this.id = id;
    this.keepConn = keepConn;
    this.#host = host;
  }

  get done(): boolean {
    return this.#done;
  }

  onParams(content: Buffer): void {
    if (this.#done || this.#params === undefined || this.#server !== undefined) return;
    if (content.length > 0) {
      this.#paramsLen += content.length;
      if (this.#paramsLen > MAX_PARAMS) {
        this.#answer(431);
        return;
      }
      this.#params.push(Buffer.from(content));
      return;
    }
    let pairs: Array<[string, string]>;
    try {
      pairs = decodePairs(this.#params.length === 1 ? this.#params[0]! : Buffer.concat(this.#params));
    } catch {
      this.#answer(400);
      return;
    }
    this.#params = [];
    this.#start(pairs);
  }

  onStdin(content: Buffer): void {
    const server = this.#server;
    if (this.#done || server === undefined) return;
    if (content.length === 0) {
      // The body ended short of CONTENT_LENGTH: the request can never complete.
      if (this.#bodyLeft > 0 && !this.#relayed) this.#answer(400);
      return;
    }
    if (this.#bodyLeft === 0) return;
    const part = content.length <= this.#bodyLeft ? content : content.subarray(0, this.#bodyLeft);
    this.#bodyLeft -= part.length;
    if (!server.push(Buffer.from(part)) && !this.#paused) {
      this.#paused = true;
      this.#host.pauseInput();
    }
  }

  /** ABORT_REQUEST or the FastCGI connection went away: the handler sees a closed client. */
  abort(): void {
    if (this.#done) return;
    this.#done = true;
    this.#teardown();
    this.#host.finished(this);
  }

  #start(pairs: Array<[string, string]>): void {
    const req = cgiToHttp(pairs);
    if (typeof req === 'string') {
      this.#answer(400);
      return;
    }
    const server = new ServerEnd(req.remoteAddress, req.remotePort);
    if (req.https) server.encrypted = true;
    server.onDemand = () => {
      if (this.#paused) {
        this.#paused = false;
        this.#host.resumeInput();
      }
    };
    this.#server = server;
    this.#bodyLeft = req.contentLength;

    const client = server.peer;
    const creq = httpRequest({ createConnection: () => client as never, method: req.method, path: '/', setHost: false });
    creq.on('response', (msg) => this.#relay(msg));
    creq.on('error', () => {
      if (this.#relayed) this.#end();
      else this.#answer(this.#host.internalErrorCode);
    });
    creq.end();

    this.#host.http.emit('connection', server);
    server.push(req.head);
  }

  #relay(msg: IncomingMessage): void {
    if (this.#done) return;
    this.#relayed = true;
    msg.on('error', () => this.#end());
    const raw = msg.rawHeaders;
    let head = `Status: ${msg.statusCode} ${msg.statusMessage ?? ''}\r\n`;
    for (let i = 0; i < raw.length; i += 2) {
      if (!HOP.has(raw[i]!.toLowerCase())) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
    }
    head += '\r\n';
    this.#host.write(encodeStream(RecordType.STDOUT, this.id, head));
    msg.on('data', (chunk: Buffer) => {
      if (this.#done) return;
      if (!this.#host.write(encodeStream(RecordType.STDOUT, this.id, chunk))) {
        msg.pause();
        this.#host.whenDrained(() => msg.resume());
      }
    });
    // 'end': the whole body; 'close' without it: the handler gave up mid-body. Either way the
    // FastCGI request ends here (a short body shows as a Content-Length mismatch to the client).
    msg.once('close', () => this.#end());
  }

  /** A response rr writes itself (bad params, broken body, internal failure before any header). */
  #answer(status: number): void {
    if (this.#done) return;
    const head = `Status: ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Length: 0\r\n\r\n`;
    this.#host.write(encodeStream(RecordType.STDOUT, this.id, head));
    this.#end();
  }

  #end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#host.write(Buffer.concat([encodeRecord(RecordType.STDOUT, this.id), encodeEndRequest(this.id, 0, ProtocolStatus.REQUEST_COMPLETE)]));
    this.#teardown();
    this.#host.finished(this);
  }

  #teardown(): void {
    if (this.#paused) {
      this.#paused = false;
      this.#host.resumeInput();
    }
    const server = this.#server;
    if (server !== undefined) {
      server.onDemand = undefined;
      server.peer.destroy();
    }
  }
}
