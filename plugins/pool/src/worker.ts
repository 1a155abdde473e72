// The module binding, not globalThis.Buffer (an accessor): a plain load on the per-request path.
import { Buffer } from 'node:buffer';
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import {
  Flag, StreamBit, HEADER_SIZE, PONG_FRAME_BYTES, STOP_FRAME_BYTES, STREAM_STOP_FRAME_BYTES,
  isWorkerStopRequest, writeHeader, type Frame, type Relay,
} from '@rr/goridge';
import type { Logger } from '@rr/plugin-api';
import type { Payload, PayloadCodec, WorkerInfo, WorkerStateName } from '@rr/pool-api';
import { formatCommand } from './command.js';
import type { RunAs } from './config.js';
import { PoolError, PoolErrorCodes, exitNote, stderrNote } from './errors.js';
import { registerGroup, unregisterGroup } from './process-registry.js';
import { readCpuPercent, readRssBytes } from './proc.js';
import { StderrSink } from './stderr.js';
import type { Task } from './task.js';

/** How rr reaches a worker once spawned: pipes, or a socket the worker connects back to. */
export interface WorkerTransport {
  readonly kind: 'pipes' | 'socket';
  /** RR_RELAY for workers. */
  readonly address: string;
  /** Prepares what one worker about to be spawned gets as STDIN/STDOUT. Never rejects. */
  link(logger: Logger): Promise<WorkerLink>;
}

/** One worker's connection through a transport, from before its spawn to its relay. */
export interface WorkerLink {
  /** spawn()'s stdio. */
  readonly stdio: StdioOptions;
  /** Called once spawn() returned or threw: rr drops its copies of the child's ends. */
  spawned(): void;
  /** Performs the pid handshake and returns the worker's relay; on failure releases the link. */
  connect(child: ChildProcess, pid: number, timeoutMs: number, signal: AbortSignal): Promise<Relay>;
  /** Releases the link when connect() will not be called (the spawn failed). Idempotent. */
  close(): void;
}

/** What a worker tells its pool. Every hook is called synchronously from the worker's event. */
export interface WorkerHooks {
  /** The worker finished a request (or its boot) and is ready for the next one. */
  idle(w: Worker): void;
  /** The worker left service (dying, killed, or stopping); called once per worker. */
  gone(w: Worker): void;
  /** The worker asked to be restarted instead of answering: run the task elsewhere. */
  retry(task: Task, w: Worker): void;
  /** The process has exited (after `gone`). */
  exited(w: Worker): void;
  /** The worker moved on to its prefetched request: its prefetch slot is free again. */
  advanced(w: Worker): void;
  /** A prefetched request the worker never read (it died or left first): run it elsewhere. */
  requeue(task: Task, w: Worker): void;
}

export interface WorkerOptions {
  /** The configured command (argv), as users wrote it. */
  readonly argv: readonly string[];
  /** Prepended to argv when spawning (the parent-death-signal launcher). */
  readonly launcher: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly user?: RunAs | undefined;
  readonly transport: WorkerTransport;
  /** Spawn + handshake deadline (allocate_timeout). */
  readonly bootTimeoutMs: number;
  /** The owning pool's name, for messages. */
  readonly pool: string;
  /** The `server` logger: worker output and lifecycle lines. */
  readonly logger: Logger;
  /** Executions before the pool recycles the worker; 0 = unlimited. */
  readonly maxExecs: number;
  /** Hard per-request limit (kills the worker); 0 = off. */
  readonly execTtlMs: number;
  /** Limit for draining a cancelled stream. */
  readonly streamTimeoutMs: number;
  /** Grace after the stop command before SIGKILL. @default 10000 */
  readonly stopTimeoutMs?: number;
  /** Which generation of the pool spawned it (resets start a new one). */
  readonly generation: number;
  /** Cancels the boot (the pool is being destroyed): the process is killed. */
  readonly signal?: AbortSignal;
  /** pool.prefetch: may take a next request while busy, if the worker announced support. */
  readonly prefetch?: boolean;
}

/** Exit facts of a worker process. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const EMPTY = Buffer.alloc(0);
/** After the process exited, how long its relay may still deliver what it wrote before exiting. */
const EXIT_READ_MS = 1_000;
/** Payloads up to this size are copied with their header into the worker's scratch buffer: one write. */
const COPY_LIMIT = 64 * 1024;
/** The request header's one option (where the body starts), reused: writeHeader reads it at once. */
const BODY_OFFSET = [0];

function flagOf(codec: PayloadCodec | undefined): number {
  return codec === 'json' ? Flag.CODEC_JSON : codec === 'proto' ? Flag.CODEC_PROTO : codec === 'raw' ? Flag.CODEC_RAW : 0;
}

function codecOf(flags: number): PayloadCodec {
  return flags & Flag.CODEC_PROTO ? 'proto' : flags & Flag.CODEC_JSON ? 'json' : 'raw';
}

/**
 * One PHP worker process: spawn and handshake, one request at a time (with streaming, soft errors
 * and restart requests), graceful stop and kill. Policy (recycling, replacement, queueing) belongs to
 * the pool, which hears about everything through {@link WorkerHooks}.
 */
export class Worker {
  readonly pid: number;
  readonly createdAt = Date.now();
  readonly generation: number;
  readonly maxExecs: number;
  state: WorkerStateName = 'inactive';
  numExecs = 0;
  /** When the last request finished; 0 before the first one (idle_ttl counts from first use). */
  lastUsedAt = 0;
  /** Set by the supervisor on a busy worker: recycle it with this state after its request. */
  recycleAs: WorkerStateName | undefined;
  /** The pool's own bookkeeping flag: true while the worker counts as capacity. */
  live = false;

  readonly #child: ChildProcess;
  readonly #o: WorkerOptions;
  readonly #stderr: StderrSink;
  #hooks: WorkerHooks | undefined;
  #relay: Relay | undefined;
  #exit: ExitInfo | undefined;
  readonly #exited: Promise<ExitInfo>;
  #closed: Promise<void>;
  #gone = false;
  #stopping = false;
  #stopTimer: NodeJS.Timeout | undefined;

  /** pool.prefetch is on and the worker announced support in its pid reply. */
  #prefetch = false;
  // The request in flight.
  #task: Task | null = null;
  /**
   * The next request, already written to the worker while it works on #task (pool.prefetch). The
   * worker reads it only after answering #task, so until then PHP has not seen it.
   */
  #next: Task | null = null;
  /** The caller of #next gave up before it began: its answer will be discarded. */
  #nextAbandoned = false;
  #abandoned = false;
  #streamed = false;
  #draining = false;
  #bodies: Uint8Array[] | null = null;
  #firstContext: Uint8Array = EMPTY;
  #chain: Promise<void> | null = null;
  #ttlTimer: NodeJS.Timeout | undefined;
  #drainTimer: NodeJS.Timeout | undefined;
  /** Where requests up to COPY_LIMIT are encoded; the relay writes or copies it before we reuse it. */
  #scratch: Buffer = Buffer.allocUnsafe(4096);

  private constructor(child: ChildProcess, o: WorkerOptions) {
    this.#child = child;
    this.#o = o;
    this.pid = child.pid ?? 0;
    this.generation = o.generation;
    this.maxExecs = o.maxExecs;
    this.#stderr = new StderrSink(o.logger, this.pid);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', this.#stderr.write);
    if (o.transport.kind === 'socket') {
      // With socket relays STDOUT is not the protocol; RoadRunner discards it, we log it with STDERR.
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', this.#stderr.write);
    }
    let resolveExit!: (e: ExitInfo) => void;
    this.#exited = new Promise((r) => (resolveExit = r));
    let resolveClosed!: () => void;
    this.#closed = new Promise((r) => (resolveClosed = r));
    child.once('exit', (code, signal) => {
      this.#exit = { code, signal };
      if (this.pid > 0) unregisterGroup(this.pid);
      resolveExit(this.#exit);
      this.#onProcessExit();
    });
    child.once('close', () => resolveClosed());
    child.on('error', (err) => {
      // spawn() failed (ENOENT, EACCES): no 'exit' follows, so settle here.
      if (this.#exit === undefined && child.pid === undefined) {
        this.#exit = { code: null, signal: null };
        this.#spawnError = err;
        resolveExit(this.#exit);
        resolveClosed();
      }
    });
    if (this.pid > 0) registerGroup(this.pid);
  }

  #spawnError: Error | undefined;

  /**
   * Spawns the command and performs the pid handshake within `bootTimeoutMs`.
   * @throws PoolError RR_ERR_POOL_BOOT with the exit status and the STDERR tail
   */
  static async start(o: WorkerOptions): Promise<Worker> {
    const full = [...o.launcher, ...o.argv];
    const link = await o.transport.link(o.logger);
    let child: ChildProcess;
    try {
      child = spawn(full[0]!, full.slice(1), {
        cwd: o.cwd,
        env: o.env,
        detached: true,
        stdio: link.stdio,
        ...(o.user ? { uid: o.user.uid, gid: o.user.gid } : {}),
      });
    } catch (err) {
      link.close();
      throw new PoolError(PoolErrorCodes.BOOT, `cannot start a worker for pool "${o.pool}": spawning "${formatCommand(o.argv)}" failed: ${(err as Error).message}; check server.command`, { pool: o.pool, cause: err });
    }
    link.spawned();
    const w = new Worker(child, o);
    if (w.pid === 0) {
      link.close();
      await w.#exited;
      const e = w.#spawnError;
      const code = (e as NodeJS.ErrnoException | undefined)?.code;
      throw new PoolError(
        PoolErrorCodes.BOOT,
        `cannot start a worker for pool "${o.pool}": "${full[0]}" could not be executed (${code ?? e?.message ?? 'unknown error'}); ` +
          `check that server.command names an existing program ("${formatCommand(o.argv)}") and that PATH reaches it`,
        { pool: o.pool, cause: e },
      );
    }
    const ac = new AbortController();
    void w.#exited.then(() => ac.abort(new Error('the worker process exited during boot')));
    const outer = o.signal;
    const onOuter = (): void => ac.abort(outer?.reason ?? new Error('boot cancelled'));
    if (outer?.aborted) onOuter();
    else outer?.addEventListener('abort', onOuter, { once: true });
    let relay: Relay;
    const connectStart = performance.now();
    try {
      relay = await link.connect(child, w.pid, o.bootTimeoutMs, ac.signal);
    } catch (err) {
      outer?.removeEventListener('abort', onOuter);
      w.#gone = true;
      w.state = 'errored';
      w.#kill();
      const exit = await w.#exitDetails();
      const tail = w.#stderr.tail;
      const why = (err as Error).message;
      // Killed by us because the time ran out (the kill's own exit aborts `ac`, so it cannot tell).
      const timedOut = exit.code === null && exit.signal === 'SIGKILL' && performance.now() - connectStart >= o.bootTimeoutMs;
      const reason = timedOut
        ? `did not finish the handshake within ${o.bootTimeoutMs} ms (${why}) and was killed; if it only boots slowly, ` +
          `raise ${o.pool}.pool.allocate_timeout, the handshake's limit`
        : `${exitNote(exit.code, exit.signal)} before finishing the handshake (${why})`;
      throw new PoolError(
        PoolErrorCodes.BOOT,
        `worker ${w.pid} of pool "${o.pool}" ("${formatCommand(o.argv)}") failed to start: it ${reason}; ${stderrNote(tail)}`,
        { pool: o.pool, pid: w.pid, exitCode: exit.code, signal: exit.signal, stderr: tail, cause: err },
      );
    }
    outer?.removeEventListener('abort', onOuter);
    if (w.#exit !== undefined) {
      relay.destroy();
      const tail = w.#stderr.tail;
      throw new PoolError(
        PoolErrorCodes.BOOT,
        `worker ${w.pid} of pool "${o.pool}" ("${formatCommand(o.argv)}") ${exitNote(w.#exit.code, w.#exit.signal)} right after the handshake; ${stderrNote(tail)}`,
        { pool: o.pool, pid: w.pid, exitCode: w.#exit.code, signal: w.#exit.signal, stderr: tail },
      );
    }
    w.#relay = relay;
    w.#prefetch = o.prefetch === true && relay.hello?.prefetch === true;
    relay.setFrameHandler(w.#onFrame);
    relay.onClose(w.#onRelayClose);
    w.state = 'ready';
    return w;
  }

  /** Connects the worker to its pool. */
  attach(hooks: WorkerHooks): void {
    this.#hooks = hooks;
  }

  /** Resolves once the process has exited. */
  get exited(): Promise<ExitInfo> {
    return this.#exited;
  }

  get exitInfo(): ExitInfo | undefined {
    return this.#exit;
  }

  get stderrTail(): string {
    return this.#stderr.tail;
  }

  get busy(): boolean {
    return this.#task !== null;
  }

  get isGone(): boolean {
    return this.#gone;
  }

  get command(): string {
    return formatCommand(this.#o.argv);
  }

  info(): WorkerInfo {
    return {
      pid: this.pid,
      status: this.state,
      numExecs: this.numExecs,
      createdAt: this.createdAt,
      memoryBytes: this.#exit === undefined ? readRssBytes(this.pid) : 0,
      cpuPercent: this.#exit === undefined ? readCpuPercent(this.pid, this.createdAt) : 0,
      command: this.command,
    };
  }

  /** Sends the task's request. The worker must be ready; the pool guarantees it. */
  run(task: Task): void {
    this.#task = task;
    task.worker = this;
    this.state = 'working';
    if (this.#write(task) && this.#o.execTtlMs > 0) this.#ttlTimer = setTimeout(this.#onExecTtl, this.#o.execTtlMs);
  }

  /**
   * True when the worker may be sent a next request now (pool.prefetch): it works on one it does not
   * stream, nothing is prefetched yet, it will not be recycled after the current one (stop, supervisor
   * limit, max_jobs), and it announced support.
   */
  get canPrefetch(): boolean {
    return this.#prefetch && this.#task !== null && this.#next === null && !this.#streamed && !this.#abandoned &&
      !this.#stopping && !this.#gone && this.recycleAs === undefined &&
      (this.maxExecs === 0 || this.numExecs + 2 <= this.maxExecs);
  }

  /** Writes the task as the worker's next request; it starts (exec_ttl too) when the current one ends. */
  prefetch(task: Task): void {
    this.#next = task;
    this.#nextAbandoned = false;
    task.worker = this;
    this.#write(task);
  }

  /** Encodes and writes one request frame; false when the relay failed (already handled). */
  #write(task: Task): boolean {
    const relay = this.#relay!;
    const body = task.payload.body;
    let context = task.payload.context;
    const flags = flagOf(task.payload.codec);
    try {
      if (typeof context === 'string') {
        // UTF-8 needs at most 3 bytes per UTF-16 unit: when that fits, encode straight into the frame.
        if (context.length * 3 + body.length <= COPY_LIMIT) {
          const buf = this.#scratchFor(context.length * 3 + body.length);
          // No encoding argument: node's UTF-8 fast path.
          this.#sendCopied(relay, buf, flags, buf.write(context, HEADER_SIZE + 4), body);
          return true;
        }
        context = Buffer.from(context);
      }
      const len = context.length + body.length;
      if (len <= COPY_LIMIT) {
        const buf = this.#scratchFor(len);
        buf.set(context, HEADER_SIZE + 4);
        this.#sendCopied(relay, buf, flags, context.length, body);
      } else {
        // Large payloads are not copied: header, context and body leave corked in one writev.
        const head = Buffer.allocUnsafe(HEADER_SIZE + 4);
        BODY_OFFSET[0] = context.length;
        writeHeader(head, 0, flags, BODY_OFFSET, len, 0);
        relay.sendEncoded(head, context, body);
      }
    } catch (err) {
      // The relay closed under us: the close handler reports the crash with the exit details.
      if (!relay.closed) this.#protocolError(`cannot send the request: ${(err as Error).message}`, err);
      return false;
    }
    return true;
  }

  /** The scratch buffer, grown to hold a frame header, its option and `payloadBytes` (at most COPY_LIMIT). */
  #scratchFor(payloadBytes: number): Buffer {
    const size = HEADER_SIZE + 4 + payloadBytes;
    if (this.#scratch.length < size) this.#scratch = Buffer.allocUnsafe(Math.min(Math.max(size, this.#scratch.length * 2), HEADER_SIZE + 4 + COPY_LIMIT));
    return this.#scratch;
  }

  /** Finishes a request frame whose context is already at HEADER_SIZE + 4 in `buf`, and writes it. */
  #sendCopied(relay: Relay, buf: Buffer, flags: number, ctxLen: number, body: Uint8Array): void {
    const len = ctxLen + body.length;
    BODY_OFFSET[0] = ctxLen;
    writeHeader(buf, 0, flags, BODY_OFFSET, len, 0);
    buf.set(body, HEADER_SIZE + 4 + ctxLen);
    relay.sendTransient(buf, HEADER_SIZE + 4 + len);
  }

  /** The caller gave up (AbortSignal): stop a stream in progress, or let the answer be discarded. */
  abortTask(task: Task): void {
    if (this.#next === task) {
      // Already in the worker's pipe: it will still run; its answer is dropped.
      task.reject(new PoolError(PoolErrorCodes.ABORTED, `the request to pool "${this.#o.pool}" was aborted by its caller while it waited for worker ${this.pid}`, { pool: this.#o.pool, pid: this.pid, cause: task.signal?.reason }));
      this.#nextAbandoned = true;
      return;
    }
    if (this.#task !== task) return;
    task.reject(new PoolError(PoolErrorCodes.ABORTED, `the request to pool "${this.#o.pool}" was aborted by its caller while worker ${this.pid} was executing it`, { pool: this.#o.pool, pid: this.pid, cause: task.signal?.reason }));
    this.#abandoned = true;
    if (this.#streamed && !this.#draining) this.#stopStream();
  }

  /**
   * Graceful stop: the stop command, then SIGKILL after `stopTimeoutMs` (RoadRunner: 10 s).
   * Resolves when the process has exited.
   */
  stop(state: WorkerStateName = 'stopping', timeoutMs = this.#o.stopTimeoutMs ?? 10_000): Promise<ExitInfo> {
    if (this.#exit !== undefined) return this.#exited;
    if (!this.#stopping) {
      this.#stopping = true;
      this.state = state;
      this.#markGone();
      const relay = this.#relay;
      let sent = false;
      if (relay !== undefined && !relay.closed) {
        try {
          relay.sendEncoded(STOP_FRAME_BYTES);
          sent = true;
        } catch {
          sent = false;
        }
      }
      if (!sent) {
        this.#kill();
      } else {
        this.#stopTimer = setTimeout(() => {
          this.#o.logger.warn("worker doesn't respond on stop command, killing process", { pid: this.pid, pool: this.#o.pool });
          this.#kill();
        }, timeoutMs);
      }
    }
    return this.#exited;
  }

  /** SIGKILLs the worker's whole process group. Resolves when the process has exited. */
  kill(state?: WorkerStateName): Promise<ExitInfo> {
    if (state !== undefined && this.#exit === undefined) this.state = state;
    this.#markGone();
    this.#kill();
    return this.#exited;
  }

  #kill(): void {
    if (this.pid <= 0) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      try {
        this.#child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  #markGone(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#hooks?.gone(this);
  }

  // ---- frames -------------------------------------------------------------------------------

  readonly #onFrame = (f: Frame): void => {
    const task = this.#task;
    if (task === null) {
      this.#onIdleFrame(f);
      return;
    }
    if (f.flags & Flag.CONTROL) {
      this.#protocolError(`unexpected control frame "${f.payload.toString('latin1', 0, 120)}" instead of a response`);
      return;
    }
    if (f.flags & Flag.ERROR) {
      this.#onErrorFrame(task, f.payload.toString('utf8'));
      return;
    }
    if (f.options.length !== 1) {
      this.#protocolError(`options length should be equal 1 (body offset), found ${f.options.length} options`);
      return;
    }
    const ctxLen = f.options[0]!;
    if (ctxLen > f.payload.length) {
      this.#protocolError(`bad payload: the context length ${ctxLen} exceeds the payload length ${f.payload.length}`);
      return;
    }
    const streaming = (f.stream & StreamBit.STREAM) !== 0;
    if (this.#draining) {
      if (!streaming) this.#finishRun();
      else if (f.stream & StreamBit.PING) this.#send(PONG_FRAME_BYTES);
      return;
    }
    if (!this.#streamed && isWorkerStopRequest(f)) {
      this.#onRestartRequest(task);
      return;
    }
    const payload: Payload = { context: f.payload.subarray(0, ctxLen), body: f.payload.subarray(ctxLen), codec: codecOf(f.flags) };
    if (streaming) {
      // Answer at once: the worker may block for it (spec §3.8).
      if (f.stream & StreamBit.PING) this.#send(PONG_FRAME_BYTES);
      this.#streamed = true;
      if (this.#ttlTimer !== undefined) this.#ttlTimer.refresh();
      if (this.#abandoned) {
        this.#stopStream();
        return;
      }
      this.#deliver(task, payload, false);
      return;
    }
    if (this.#abandoned) {
      this.#finishRun();
      return;
    }
    if (!this.#streamed) {
      this.#finishRun();
      task.resolve(payload);
      return;
    }
    this.#deliver(task, payload, true);
    this.#finishRun();
  };

  #onIdleFrame(f: Frame): void {
    if (isWorkerStopRequest(f)) {
      // After a soft error PHP libraries (Octane) send a restart request: honour it.
      this.#o.logger.debug('worker asked to be restarted', { pid: this.pid, pool: this.#o.pool });
      void this.stop('invalid');
      return;
    }
    if (this.#stopping && !(f.flags & Flag.CONTROL)) return; // an answer racing our stop command
    this.#protocolError(`unexpected frame while idle (flags 0x${f.flags.toString(16)}, stream bits 0x${f.stream.toString(16)}, ${f.payload.length} bytes)`);
  }

  #onErrorFrame(task: Task, message: string): void {
    const pool = this.#o.pool;
    this.#o.logger.warn('soft worker error', { pid: this.pid, pool, error: message });
    const err = new PoolError(PoolErrorCodes.SOFT_ERROR, `worker ${this.pid} of pool "${pool}" answered with an error: ${message}`, { pool, pid: this.pid });
    if (this.#draining) {
      this.#finishRun();
      return;
    }
    if (this.#streamed) {
      // An error in the middle of a stream ends it; the worker's state is unknown, replace it.
      const abandoned = this.#abandoned;
      this.#clearRun();
      if (!abandoned) this.#afterChain(task, () => task.reject(err));
      if (this.#next !== null) {
        // The prefetched request is in the pipe before any stop command could be: the worker will
        // read and run it, so let it, and replace the worker after it.
        this.recycleAs = 'errored';
        this.#finishRun();
        return;
      }
      void this.stop('errored');
      return;
    }
    const abandoned = this.#abandoned;
    this.#finishRun();
    if (!abandoned) task.reject(err);
  }

  #onRestartRequest(task: Task): void {
    const abandoned = this.#abandoned;
    this.#clearRun();
    this.#requeueNext();
    this.state = 'invalid';
    void this.stop('invalid');
    if (!abandoned && !task.settled) this.#hooks?.retry(task, this);
  }

  /** Hands a streamed frame to the caller, in order, waiting for each onChunk promise. */
  #deliver(task: Task, chunk: Payload, final: boolean): void {
    const onChunk = task.onChunk;
    if (onChunk === undefined) {
      if (this.#bodies === null) {
        this.#bodies = [];
        this.#firstContext = chunk.context;
      }
      this.#bodies.push(chunk.body);
      if (final) {
        const body = Buffer.concat(this.#bodies);
        const context = this.#firstContext.length > 0 ? this.#firstContext : chunk.context;
        task.resolve({ context, body, codec: chunk.codec ?? 'raw' });
      }
      return;
    }
    const call = (): void | Promise<void> => (task.settled ? undefined : onChunk(chunk));
    const prev = this.#chain;
    let next: Promise<void> | null = null;
    if (prev === null) {
      try {
        const r = call();
        if (r !== undefined && typeof (r as Promise<void>).then === 'function') next = Promise.resolve(r);
      } catch (err) {
        this.#chunkFailed(task, err);
        return;
      }
    } else {
      next = prev.then(call);
    }
    if (next !== null) {
      const mine: Promise<void> = next.then(
        () => {
          if (this.#chain === mine) this.#chain = null;
        },
        (err: unknown) => {
          if (this.#chain === mine) this.#chain = null;
          this.#chunkFailed(task, err);
        },
      );
      this.#chain = mine;
      if (final) void mine.then(() => task.resolve(chunk));
    } else if (final) {
      task.resolve(chunk);
    }
  }

  /** Runs `fn` after the chunks already handed to onChunk were consumed. */
  #afterChain(_task: Task, fn: () => void): void {
    const chain = this.#chain;
    if (chain === null) fn();
    else void chain.then(fn, fn);
  }

  /** onChunk threw: the consumer cannot take more (client gone). Cancel the stream. */
  #chunkFailed(task: Task, err: unknown): void {
    task.reject(err instanceof Error ? err : new Error(String(err)));
    if (this.#task === task && !this.#draining) {
      this.#abandoned = true;
      if (this.#streamed) this.#stopStream();
    }
  }

  #stopStream(): void {
    this.#draining = true;
    // With a request prefetched, a STOP would land in the pipe behind it, and PHP could take it for
    // that request's stream if it finishes this one first. So no STOP then: the rest of this stream
    // is read and dropped (bounded by stream_timeout, after which the worker is killed and the
    // prefetched request, still unread, runs elsewhere).
    if (this.#next === null) this.#send(STREAM_STOP_FRAME_BYTES);
    if (this.#ttlTimer !== undefined) {
      clearTimeout(this.#ttlTimer);
      this.#ttlTimer = undefined;
    }
    this.#drainTimer = setTimeout(() => {
      this.#o.logger.warn('worker did not end the cancelled stream within stream_timeout, killing it', { pid: this.pid, pool: this.#o.pool, stream_timeout_ms: this.#o.streamTimeoutMs });
      this.#clearRun();
      void this.kill('errored');
    }, this.#o.streamTimeoutMs);
  }

  #send(bytes: Uint8Array): void {
    const relay = this.#relay;
    if (relay === undefined || relay.closed) return;
    try {
      relay.sendEncoded(bytes);
    } catch {
      // the close handler deals with it
    }
  }

  /** The request is over and the worker is healthy: back to the pool. */
  #finishRun(): void {
    this.#clearRun();
    this.numExecs++;
    this.lastUsedAt = Date.now();
    if (this.#stopping || this.#gone) {
      this.#requeueNext();
      return;
    }
    if (this.#next !== null) {
      this.#promoteNext();
      return;
    }
    this.state = 'ready';
    this.#hooks?.idle(this);
  }

  /** The worker reads its prefetched request now: it becomes the request in flight. */
  #promoteNext(): void {
    const next = this.#next!;
    this.#next = null;
    this.#task = next;
    this.#abandoned = this.#nextAbandoned;
    this.#nextAbandoned = false;
    if (this.#o.execTtlMs > 0) this.#ttlTimer = setTimeout(this.#onExecTtl, this.#o.execTtlMs);
    this.#hooks?.advanced(this);
  }

  /**
   * The worker will not read its prefetched request (it died, broke the protocol, was killed or
   * asked to be restarted while on the current one): the pool runs it elsewhere. Nothing of it
   * reached PHP's code.
   */
  #requeueNext(): void {
    const next = this.#next;
    if (next === null) return;
    this.#next = null;
    next.worker = undefined;
    if (this.#nextAbandoned || next.settled) return;
    this.#hooks?.requeue(next, this);
  }

  #clearRun(): void {
    if (this.#ttlTimer !== undefined) clearTimeout(this.#ttlTimer);
    if (this.#drainTimer !== undefined) clearTimeout(this.#drainTimer);
    this.#ttlTimer = undefined;
    this.#drainTimer = undefined;
    if (this.#task !== null) this.#task.worker = undefined;
    this.#task = null;
    this.#abandoned = false;
    this.#streamed = false;
    this.#draining = false;
    this.#bodies = null;
    this.#firstContext = EMPTY;
    this.#chain = null;
  }

  readonly #onExecTtl = (): void => {
    const task = this.#task;
    const abandoned = this.#abandoned;
    this.#clearRun();
    this.#requeueNext();
    const pool = this.#o.pool;
    this.#o.logger.warn('worker stopped, and will be restarted', { pid: this.pid, pool, reason: 'exec_ttl', exec_ttl_ms: this.#o.execTtlMs });
    void this.kill('execTTLReached');
    if (task !== null && !abandoned) {
      task.reject(new PoolError(
        PoolErrorCodes.EXEC_TTL,
        `worker ${this.pid} of pool "${pool}" did not answer within exec_ttl (${this.#o.execTtlMs} ms) and was killed; ` +
          `raise ${pool}.pool.supervisor.exec_ttl or make the request faster; ${stderrNote(this.#stderr.tail)}`,
        { pool, pid: this.pid, stderr: this.#stderr.tail },
      ));
    }
  };

  #protocolError(why: string, cause?: unknown): void {
    const task = this.#task;
    const abandoned = this.#abandoned;
    this.#clearRun();
    this.#requeueNext();
    const pool = this.#o.pool;
    const message = `worker ${this.pid} of pool "${pool}" broke the protocol: ${why}; it was killed and will be replaced. ` +
      `A worker must only write goridge frames to its relay (send other output to STDERR); ${stderrNote(this.#stderr.tail)}`;
    this.#o.logger.error("RoadRunner can't communicate with the worker", { pid: this.pid, pool, error: message });
    void this.kill('errored');
    if (task !== null && !abandoned) task.reject(new PoolError(PoolErrorCodes.PROTOCOL, message, { pool, pid: this.pid, stderr: this.#stderr.tail, cause }));
  }

  // ---- death --------------------------------------------------------------------------------

  readonly #onRelayClose = (err: Error | undefined): void => {
    if (this.#exit !== undefined && this.#gone && this.#task === null) return;
    const code = (err as { code?: string } | undefined)?.code;
    if (err !== undefined && code !== undefined && code !== 'RR_ERR_GORIDGE_TRUNCATED' && code !== 'RR_ERR_GORIDGE_IO' && code !== 'RR_ERR_GORIDGE_CLOSED') {
      // Malformed bytes (CRC, header): the worker printed something that is not a frame.
      if (this.#stopping && this.#task === null) {
        this.#kill();
        return;
      }
      this.#protocolError(err.message, err);
      return;
    }
    this.#onDeath();
  };

  #onProcessExit(): void {
    if (this.#stopTimer !== undefined) clearTimeout(this.#stopTimer);
    const relay = this.#relay;
    if (relay !== undefined && !relay.closed && this.#task !== null) {
      // 'exit' can come before the last bytes the worker wrote are read: an answer it gave just before
      // leaving (and, with prefetch, its restart request) must count. The relay reads to EOF first; a
      // grandchild holding the pipe open bounds that at EXIT_READ_MS.
      const timer = setTimeout(() => relay.destroy(), EXIT_READ_MS);
      relay.onClose(() => {
        clearTimeout(timer);
        this.#afterExit();
      });
      return;
    }
    this.#afterExit();
  }

  #afterExit(): void {
    this.#onDeath();
    if (this.state !== 'execTTLReached' && this.state !== 'errored' && this.state !== 'destroyed') this.state = 'stopped';
    this.#relay?.destroy();
    this.#hooks?.exited(this);
  }

  /** The process died or its relay closed: fail the request in flight, leave the pool. */
  #onDeath(): void {
    const task = this.#task;
    const abandoned = this.#abandoned;
    const expected = this.#stopping || this.#gone;
    if (task !== null) this.#clearRun();
    this.#requeueNext();
    if (!expected) this.state = 'errored';
    this.#markGone();
    if (this.#exit === undefined) this.#kill();
    const pool = this.#o.pool;
    if (task !== null && !abandoned && !task.settled) {
      void this.#exitDetails().then((exit) => {
        const tail = this.#stderr.tail;
        const message = `worker ${this.pid} of pool "${pool}" ${exitNote(exit.code, exit.signal)} while executing a request; ` +
          `the request failed and the worker is replaced. ${stderrNote(tail)}`;
        this.#o.logger.error("RoadRunner can't communicate with the worker", { pid: this.pid, pool, error: message });
        task.reject(new PoolError(PoolErrorCodes.CRASHED, message, { pool, pid: this.pid, exitCode: exit.code, signal: exit.signal, stderr: tail }));
      });
    } else if (!expected) {
      void this.#exitDetails().then((exit) => {
        this.#o.logger.warn('worker will be restarted', { pid: this.pid, pool, reason: `it ${exitNote(exit.code, exit.signal)} while idle`, stderr: this.#stderr.tail.trim() });
      });
    }
  }

  /**
   * Exit code/signal once known, with the STDERR of the process read to its end. Bounded: a process
   * that keeps its relay closed but does not exit is killed; grandchildren holding STDERR open delay
   * us at most 2 s (a shorter bound lost PHP's own message on a loaded machine: 'exit' can come well
   * before the last STDERR chunk is read).
   */
  async #exitDetails(): Promise<ExitInfo> {
    if (this.#exit === undefined) {
      const killer = setTimeout(() => this.#kill(), 1_000);
      await this.#exited;
      clearTimeout(killer);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#closed, new Promise<void>((r) => (timer = setTimeout(r, 2_000)))]);
    clearTimeout(timer);
    return this.#exit!;
  }
}
