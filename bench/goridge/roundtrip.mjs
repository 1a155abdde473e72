// Round trips per second between Node and raw PHP goridge echo workers over pipes, next to the raw
// pipe ping-pong baseline (same bytes, no framing) so the framing overhead shows as a ratio.
// Uses the compiled package: run `pnpm exec tsc -b packages/goridge` first.
//   node bench/goridge/roundtrip.mjs [--seconds 3] [--workers 2] [--payload 1024] [--inflight 64]
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { PipeRelay, STOP_FRAME_BYTES, encodeFrame, pidHandshake } from '../../packages/goridge/dist/index.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
    payload: { type: 'string', default: '1024' },
    inflight: { type: 'string', default: '64' },
  },
});
const seconds = Number(values.seconds);
const workerCount = Math.max(1, Number(values.workers));
const payloadSize = Number(values.payload);
const inflight = Math.max(1, Number(values.inflight));
const WORKER = fileURLToPath(new URL('./php-echo-worker.php', import.meta.url));

const children = new Set();
function php(args) {
  const child = spawn('php', args, { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

async function startWorker() {
  const child = php([WORKER]);
  const relay = PipeRelay.fromChild(child);
  await pidHandshake(relay, { timeoutMs: 10_000 });
  return { child, relay };
}

async function stopWorker({ child, relay }) {
  const exited = new Promise((r) => child.once('exit', r));
  relay.sendEncoded(STOP_FRAME_BYTES);
  await exited;
}

const frameInput = { options: [0], payload: Buffer.alloc(payloadSize, 0x62) };
const frameBytes = encodeFrame(frameInput).length;

/** Raw baseline: PHP echoes exactly `size` bytes per message; Node waits for them all each time. */
async function rawPingPong(size) {
  const code = `$n=${size};while(true){$b=fread(STDIN,$n);if($b===false||$b==='')exit(0);` +
    `while(strlen($b)<$n){$c=fread(STDIN,$n-strlen($b));if($c===false||$c==='')exit(0);$b.=$c;}fwrite(STDOUT,$b);}`;
  const child = php(['-r', code]);
  const msg = Buffer.alloc(size, 0x63);
  return new Promise((resolve) => {
    let got = 0;
    let count = 0;
    let start = 0;
    let end = 0;
    let warm = true;
    const warmUntil = performance.now() + 300;
    child.stdout.on('data', (c) => {
      got += c.length;
      if (got < size) return;
      got -= size;
      const now = performance.now();
      if (warm) {
        if (now >= warmUntil) {
          warm = false;
          start = now;
          end = now + seconds * 1000;
        }
      } else {
        count++;
        if (now >= end) {
          child.stdin.end();
          resolve(count / ((now - start) / 1000));
          return;
        }
      }
      child.stdin.write(msg);
    });
    child.stdin.write(msg);
  });
}

/** One worker, one call in flight: send, wait for the echo, repeat. */
function serial(worker) {
  return new Promise((resolve, reject) => {
    let count = 0;
    let start = 0;
    let end = 0;
    let warm = true;
    const warmUntil = performance.now() + 300;
    worker.relay.onClose((err) => err && reject(err));
    worker.relay.setFrameHandler(() => {
      const now = performance.now();
      if (warm) {
        if (now >= warmUntil) {
          warm = false;
          start = now;
          end = now + seconds * 1000;
        }
      } else {
        count++;
        if (now >= end) {
          worker.relay.setFrameHandler(null);
          resolve(count / ((now - start) / 1000));
          return;
        }
      }
      worker.relay.send(frameInput);
    });
    worker.relay.send(frameInput);
  });
}

/**
 * `inflight` concurrent callers share the workers through a FIFO queue, each worker handling one call
 * at a time (the pool's rule). With `pipelined`, each worker instead gets up to inflight/workers frames
 * written back-to-back (transport ceiling; the real pool never pipelines).
 */
function concurrent(workers, pipelined) {
  return new Promise((resolve, reject) => {
    let count = 0;
    let outstanding = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    let stopping = false;
    let waiting = inflight; // callers queued for a worker
    const perWorker = pipelined ? Math.max(1, Math.floor(inflight / workers.length)) : 1;
    const finish = () => {
      for (const w of workers) w.relay.setFrameHandler(null);
      resolve(count / ((performance.now() - start) / 1000));
    };
    for (const w of workers) {
      w.busy = 0;
      w.relay.onClose((err) => err && reject(err));
      w.relay.setFrameHandler(() => {
        w.busy--;
        outstanding--;
        count++;
        waiting++; // the caller issues its next call at once
        if (!stopping && performance.now() >= end) stopping = true;
        if (stopping) {
          if (outstanding === 0) finish();
          return;
        }
        dispatch();
      });
    }
    const dispatch = () => {
      for (const w of workers) {
        while (waiting > 0 && w.busy < perWorker) {
          waiting--;
          w.busy++;
          outstanding++;
          w.relay.send(frameInput);
        }
      }
    };
    dispatch();
  });
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const us = (rate) => (1e6 / rate).toFixed(1);

const phpVersion = execFileSync('php', ['-r', 'echo PHP_VERSION;']).toString();
console.log(
  `goridge round trips over pipes: node ${process.version}, php ${phpVersion}, payload ${payloadSize} B ` +
    `(frame ${frameBytes} B), ${seconds}s per figure`,
);
const rawTiny = await rawPingPong(1);
const rawSame = await rawPingPong(frameBytes);
console.log(`raw pipe ping-pong, 1 byte:            ${fmt(rawTiny).padStart(9)} rt/s  (${us(rawTiny)} µs/rt)`);
console.log(`raw pipe ping-pong, ${String(frameBytes).padEnd(5)} bytes:        ${fmt(rawSame).padStart(9)} rt/s  (${us(rawSame)} µs/rt)`);

const workers = await Promise.all(Array.from({ length: workerCount }, startWorker));
const one = await serial(workers[0]);
console.log(
  `goridge, 1 worker, 1 call in flight:   ${fmt(one).padStart(9)} rt/s  (${us(one)} µs/rt)  = ${(one / rawSame).toFixed(2)} × raw same-size`,
);
const pool = await concurrent(workers, false);
console.log(
  `goridge, ${workerCount} worker(s), ${inflight} callers queued: ${fmt(pool).padStart(9)} rt/s  = ${(pool / one).toFixed(2)} × one worker`,
);
const piped = await concurrent(workers, true);
console.log(
  `goridge, ${workerCount} worker(s), ${inflight} pipelined:      ${fmt(piped).padStart(9)} rt/s  (transport ceiling; pools never pipeline)`,
);
await Promise.all(workers.map(stopWorker));
