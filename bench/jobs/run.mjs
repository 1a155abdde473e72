#!/usr/bin/env node
// bench/jobs: jobs pushed from PHP over RPC (rr's PHP producer, protobuf jobs.v1) and consumed by 2
// PHP workers through a real `rr serve`, per driver: push rate, end-to-end jobs/s and p50/p99
// latency (push → worker). Brokers: RabbitMQ 127.0.0.1:5672 and NATS 127.0.0.1:4222 when reachable;
// fauxqs (SQS), beanstalkd and kcat's mock Kafka cluster are started on free ports. A driver whose
// broker cannot be reached or started is skipped with the reason. Prints a table, asserts nothing.
// Needs `pnpm build`.
// Usage: node bench/jobs/run.mjs [n = jobs per memory run, default 20000] [driver ...]
// (boltdb, nats, beanstalk, kafka run n/4 jobs; sqs and amqp, the slow ones here, n/20; at least 500).
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rr = join(root, 'packages/cli/dist/main.js');
const autoload = join(root, 'packages/php-worker/src/autoload.php');
const here = fileURLToPath(new URL('.', import.meta.url));
const n = Number(process.argv[2] ?? 20000);
const all = ['memory', 'boltdb', 'amqp', 'nats', 'sqs', 'beanstalk', 'kafka'];
const only = process.argv.slice(3);
const drivers = only.length > 0 ? all.filter((d) => only.includes(d)) : all;
const run = randomUUID().slice(0, 8);

const reachable = (port) => new Promise((resolve) => {
  const s = connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});

async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** Spawns a broker and resolves once `ready(output)` gives its address; rejects with a reason. */
function startBroker(cmd, args, opts, ready, what) {
  return new Promise((resolve, reject) => {
    let child;
    let out = '';
    const timer = setTimeout(() => { child?.kill('SIGKILL'); reject(new Error(`${what} did not start within 15 s`)); }, 15_000);
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    } catch (err) {
      clearTimeout(timer);
      reject(new Error(`cannot start ${what}: ${err.message}`));
      return;
    }
    const stop = () => new Promise((r) => { if (child.exitCode !== null || child.signalCode !== null) r(); else { child.once('exit', r); child.kill('SIGKILL'); } });
    const onData = async (c) => {
      if (out.length < 100_000) out += c;
      const addr = await ready(out);
      if (addr !== undefined && timer) {
        clearTimeout(timer);
        child.stdout.removeListener('data', onData);
        child.stderr.removeListener('data', onData);
        child.stdout.resume();
        child.stderr.resume();
        resolve({ addr, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => { clearTimeout(timer); reject(new Error(`cannot start ${what} (${cmd}): ${err.message}`)); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited with ${code}: ${out.slice(0, 300)}`)); });
    if (opts.poll) opts.poll(onData);
  });
}

/** Per driver: the YAML lines of rr's config (root sections + pipeline config), or a skip reason. */
async function setup(driver, dir) {
  const q = `rr-bench-${run}`;
  switch (driver) {
    case 'memory': return { pipeline: '{ prefetch: 100000 }' };
    case 'boltdb': return { pipeline: `{ file: "${join(dir, 'jobs.db')}", prefetch: 1000 }` };
    case 'amqp':
      if (!(await reachable(5672))) return { skip: 'RabbitMQ not reachable on 127.0.0.1:5672' };
      return { root: 'amqp: { addr: "amqp://guest:guest@127.0.0.1:5672" }', pipeline: `{ queue: "${q}-${dir.slice(-6)}", exchange: "rr-bench", routing_key: "${q}-${dir.slice(-6)}", prefetch: 100, delete_queue_on_stop: true }` };
    case 'nats':
      if (!(await reachable(4222))) return { skip: 'NATS not reachable on 127.0.0.1:4222' };
      return { root: 'nats: { addr: "nats://127.0.0.1:4222" }', pipeline: `{ stream: "rr_bench_${run}_${dir.slice(-6).replace(/\W/g, '_')}", subject: "rr.bench.${run}.${dir.slice(-6).replace(/\W/g, '_')}", prefetch: 100, delete_stream_on_stop: true }` };
    case 'sqs': {
      const cli = join(root, 'plugins/sqs/node_modules/fauxqs/dist/cli.js');
      if (!existsSync(cli)) return { skip: `fauxqs not installed (${cli}); run pnpm install` };
      const b = await startBroker(process.execPath, [cli], { env: { ...process.env, FAUXQS_PORT: '0', FAUXQS_HOST: '127.0.0.1' } },
        (out) => /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], 'fauxqs');
      return { broker: b, root: `sqs: { key: k, secret: s, region: us-east-1, endpoint: "${b.addr}" }`, pipeline: `{ queue: "${q}", prefetch: 10 }` };
    }
    case 'beanstalk': {
      const port = await freePort();
      let up = false;
      const b = await startBroker('beanstalkd', ['-l', '127.0.0.1', '-p', String(port)], {
        poll: (onData) => { const t = setInterval(async () => { up = await reachable(port); if (up) { clearInterval(t); onData(''); } }, 20); t.unref(); },
      }, () => (up ? `tcp://127.0.0.1:${port}` : undefined), 'beanstalkd');
      return { broker: b, root: `beanstalk: { addr: "${b.addr}" }`, pipeline: `{ tube: "${q}", prefetch: 100, reserve_timeout: 1s }` };
    }
    case 'kafka': {
      const b = await startBroker('kcat', ['-b', 'localhost:9', '-X', 'test.mock.num.brokers=1', '-C', '-t', 'rr-warm', '-d', 'broker', '-q'], {},
        (out) => { const m = /Mock cluster enabled.*?127\.0\.0\.1:(\d+)/.exec(out); return m ? `127.0.0.1:${m[1]}` : undefined; }, 'kcat mock cluster');
      return { broker: b, root: `kafka: { brokers: ["${b.addr}"] }`, pipeline: `{ auto_create_topics_enable: true, prefetch: 1000, consumer_options: { topics: ["${q}"] }, group_options: { group_id: "${q}" } }` };
    }
  }
  return { skip: 'unknown driver' };
}

function php(args, env) {
  return new Promise((resolve, reject) => {
    execFile('php', args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

async function bench(driver, count, batch) {
  const dir = mkdtempSync(join(tmpdir(), 'rr-bench-jobs-'));
  let s;
  try {
    s = await setup(driver, dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { driver, batch, skip: err.message.split('\n')[0] };
  }
  if (s.skip) {
    rmSync(dir, { recursive: true, force: true });
    return { driver, batch, skip: s.skip };
  }
  const rpc = `unix://${join(dir, 'rpc.sock')}`;
  const ledger = join(dir, 'ledger.txt');
  writeFileSync(join(dir, '.rr.yaml'), [
    'version: "3"',
    `rpc: { listen: "${rpc}" }`,
    `server: { command: "php ${join(here, 'worker.php')} ${autoload}", env: { BENCH_LEDGER: "${ledger}" } }`,
    ...(s.root ? [s.root] : []),
    'jobs:',
    '  consume: [bench]',
    '  pool: { num_workers: 2 }',
    `  pipelines: { bench: { driver: ${driver}, config: ${s.pipeline} } }`,
    '',
  ].join('\n'));
  const child = spawn(process.execPath, [rr, 'serve', '-c', join(dir, '.rr.yaml'), '-o', 'logs.level=error'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (c) => { log += c; });
  child.stderr.on('data', (c) => { log += c; });
  try {
    const start = Date.now();
    while (!log.includes('RoadRunner server started')) {
      if (Date.now() - start > 20000 || child.exitCode !== null) return { driver, batch, skip: `rr did not start: ${log.trim().split('\n').slice(-1)[0] ?? ''}`.slice(0, 200) };
      await new Promise((r) => setTimeout(r, 20));
    }
    const pushed = JSON.parse(await php([join(here, 'push.php'), autoload, 'bench', String(count), String(batch)], { RR_RPC: rpc }));
    const until = Date.now() + 120000;
    let lines = [];
    for (;;) {
      lines = existsSync(ledger) ? readFileSync(ledger, 'utf8').split('\n').filter(Boolean) : [];
      if (lines.length >= count || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const pairs = lines.map((l) => l.split(' ').map(Number));
    const lat = pairs.map(([p, d]) => (d - p) * 1000).sort((a, b) => a - b);
    let first = Infinity;
    let last = -Infinity;
    for (const [p, d] of pairs) { if (p < first) first = p; if (d > last) last = d; }
    const pct = (q) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? NaN;
    return { driver, batch, count, consumed: lines.length, pushedPerS: count / pushed.seconds, e2ePerS: lines.length / (last - first), p50: pct(0.5), p99: pct(0.99) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    await s.broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const k = (v) => (v >= 10000 ? `${(v / 1000).toFixed(1)}k` : v >= 1000 ? `${(v / 1000).toFixed(2)}k` : `${Math.round(v)}`);
const ms = (v) => (v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`);
const jobsFor = (d) => Math.max(500, Math.round(d === 'memory' ? n : d === 'sqs' || d === 'amqp' ? n / 20 : n / 4));
console.log(`bench/jobs: 2 PHP workers, producer = 1 PHP process over RPC; ${n} jobs per memory run`);
const rows = [];
for (const driver of drivers) {
  const count = jobsFor(driver);
  for (const batch of [1, 100]) {
    const r = await bench(driver, count, batch);
    rows.push(r);
    console.log(r.skip ? `${driver}: skipped (${r.skip})` : `${driver} ${batch <= 1 ? 'Push' : `PushBatch ${batch}`}: pushed ${Math.round(r.pushedPerS)}/s, consumed ${r.consumed}/${r.count}, ${Math.round(r.e2ePerS)} jobs/s end to end, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}`);
    if (r.skip) break;
  }
}
console.log('\n| driver | producer | jobs | pushed/s | end to end jobs/s | p50 | p99 |\n|---|---|---|---|---|---|---|');
for (const r of rows) {
  if (r.skip) console.log(`| ${r.driver} | skipped: ${r.skip} | | | | | |`);
  else console.log(`| ${r.driver} | ${r.batch <= 1 ? 'Push' : `PushBatch ${r.batch}`} | ${r.consumed === r.count ? r.count : `${r.consumed}/${r.count}`} | ${k(r.pushedPerS)} | ${k(r.e2ePerS)} | ${ms(r.p50)} | ${ms(r.p99)} |`);
}
