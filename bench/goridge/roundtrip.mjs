// Round trips per second between Node and raw PHP goridge echo workers over pipes, next to a raw
// pipe ping-pong baseline (same bytes, no framing) so the framing overhead shows as a ratio.
// The baseline and the goridge loop run in alternating short windows and the medians are
// compared, because on a small shared machine pipe latency drifts a lot from second to second.
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
const WINDOW_MS = 250;
const WORKER = fileURLToPath(new URL('./php-echo-worker.php', import.meta.url));

const children = new Set();
function php(args) {
  const child = spawn('php', args, { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

const frameInput = { options: [0], payload: Buffer.alloc(payloadSize, 0x62) };
const frameBytes = encodeFrame(frameInput).length;

/**
 * Runs a ping-pong loop for `ms`: `send()` starts a round trip, and the returned `onReply` must be
 * called once per completed round trip. Resolves with round trips per second.
 */
function timed(ms, send, attach) {
  return new Promise((resolve) => {
    let count = 0;
    const start = performance.now();
    const end = start + ms;
    attach(() => {
      count++;
      const now = performance.now();
      if (now >= end) {
        attach(null);
        resolve(count / ((now - start) / 1000));
        return;
      }
      send();
    });
    send();
  });
}

/** Raw baseline: PHP echoes exactly `size` bytes per message; Node waits for all of them each time. */
function rawEcho(size) {
  const code = `$n=${size};while(true){$b=fread(STDIN,$n);if($b===false||$b==='')exit(0);` +
    `while(strlen($b)<$n){$c=fread(STDIN,$n-strlen($b));if($c===false||$c==='')exit(0);$b.=$c;}fwrite(STDOUT,$b);}`;
  const child = php(['-r', code]);
  const msg = Buffer.alloc(size, 0x63);
  let got = 0;
  let onReply = null;
  child.stdout.on('data', (c) => {
    got += c.length;
    while (got >= size) {
      got -= size;
      onReply?.();
    }
  });
  return {
    run: (ms) => timed(ms, () => child.stdin.write(msg), (fn) => (onReply = fn)),
    stop: () => child.stdin.end(),
  };
}

async function startWorker() {
  const child = php([WORKER]);
  const relay = PipeRelay.fromChild(child);
  await pidHandshake(relay, { timeoutMs: 10_000 });
  relay.onClose((err) => {
    if (err) {
      console.error(err);
      process.exit(1);
    }
  });
  return {
    child,
    relay,
    run: (ms) => timed(ms, () => relay.send(frameInput), (fn) => relay.setFrameHandler(fn && (() => fn()))),
  };
}

async function stopWorker({ child, relay }) {
  const exited = new Promise((r) => child.once('exit', r));
  relay.sendEncoded(STOP_FRAME_BYTES);
  await exited;
}

/**
 * `inflight` concurrent callers share the workers through a FIFO queue, each worker handling one call
 * at a time (the pool's rule). With `pipelined`, each worker instead gets up to inflight/workers frames
 * written back-to-back (transport ceiling; the real pool never pipelines).
 */
function concurrent(workers, pipelined, ms) {
  return new Promise((resolve) => {
    let count = 0;
    let outstanding = 0;
    const start = performance.now();
    const end = start + ms;
    let stopping = false;
    let waiting = inflight;
    const perWorker = pipelined ? Math.max(1, Math.floor(inflight / workers.length)) : 1;
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
    for (const w of workers) {
      w.busy = 0;
      w.relay.setFrameHandler(() => {
        w.busy--;
        outstanding--;
        count++;
        waiting++; // the caller issues its next call at once
        if (!stopping && performance.now() >= end) stopping = true;
        if (!stopping) dispatch();
        else if (outstanding === 0) {
          for (const x of workers) x.relay.setFrameHandler(null);
          resolve(count / ((performance.now() - start) / 1000));
        }
      });
    }
    dispatch();
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => Math.round(x).toLocaleString('en-US').padStart(9);
const us = (rate) => (1e6 / rate).toFixed(1).padStart(5);

const phpVersion = execFileSync('php', ['-r', 'echo PHP_VERSION;']).toString();
console.log(
  `goridge round trips over pipes: node ${process.version}, php ${phpVersion}, payload ${payloadSize} B ` +
    `(frame ${frameBytes} B), ~${seconds}s per figure, ${WINDOW_MS} ms windows, medians`,
);

const rawTiny = rawEcho(1);
const rawSame = rawEcho(frameBytes);
const workers = await Promise.all(Array.from({ length: workerCount }, startWorker));
// Warm-up: JIT, PHP's first reads, page faults.
await rawTiny.run(200);
await rawSame.run(200);
await workers[0].run(200);

const windows = Math.max(1, Math.round((seconds * 1000) / WINDOW_MS));
const tiny = [];
const same = [];
const one = [];
const ratios = [];
for (let i = 0; i < windows; i++) {
  tiny.push(await rawTiny.run(WINDOW_MS));
  const r = await rawSame.run(WINDOW_MS);
  const g = await workers[0].run(WINDOW_MS);
  same.push(r);
  one.push(g);
  ratios.push(g / r);
}
rawTiny.stop();
rawSame.stop();
const oneMedian = median(one);
const label = (s) => s.padEnd(40);
console.log(`${label('raw pipe ping-pong, 1 byte:')}${fmt(median(tiny))} rt/s  (${us(median(tiny))} µs/rt)`);
console.log(`${label(`raw pipe ping-pong, ${frameBytes} bytes:`)}${fmt(median(same))} rt/s  (${us(median(same))} µs/rt)`);
console.log(
  `${label('goridge, 1 worker, 1 call in flight:')}${fmt(oneMedian)} rt/s  (${us(oneMedian)} µs/rt)  ` +
    `= ${median(ratios).toFixed(2)} × raw same-size (median of paired windows; range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
);
const pool = await concurrent(workers, false, seconds * 1000);
console.log(
  `${label(`goridge, ${workerCount} worker(s), ${inflight} callers queued:`)}${fmt(pool)} rt/s  = ${(pool / oneMedian).toFixed(2)} × one worker`,
);
const piped = await concurrent(workers, true, seconds * 1000);
console.log(
  `${label(`goridge, ${workerCount} worker(s), ${inflight} pipelined:`)}${fmt(piped)} rt/s  (transport ceiling; pools never pipeline)`,
);
await Promise.all(workers.map(stopWorker));
