// Round trips per second through rr's real pool (the `server` plugin's StaticPool: queue, worker
// states, supervision) to PHP echo workers over pipes: one worker with one call in flight, then 2
// workers with many calls in flight. Compare with bench/goridge/roundtrip.mjs (bare relay and raw
// pipe ping-pong) to see what the pool costs. Needs `pnpm build`.
//   node bench/pool/roundtrip.mjs [--seconds 3] [--inflight 64] [--worker raw|library]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

// @rr/plugin-api loads tsyringe, which needs the Reflect polyfill first (the CLI entry imports it).
await import(createRequire(new URL('../../core/package.json', import.meta.url)).resolve('reflect-metadata'));
const { ServerPoolFactory, compileServerConfig } = await import('../../plugins/pool/dist/index.js');
const { compilePoolConfig } = await import('../../packages/pool-api/dist/index.js');

const { values } = parseArgs({ options: {
  seconds: { type: 'string', default: '3' },
  inflight: { type: 'string', default: '64' },
  worker: { type: 'string', default: 'raw' },
} });
const seconds = Number(values.seconds);
const inflight = Number(values.inflight);
const script = values.worker === 'library'
  ? fileURLToPath(new URL('../../packages/php-worker/examples/echo.php', import.meta.url))
  : fileURLToPath(new URL('../goridge/php-echo-worker.php', import.meta.url));

const silent = { name: 'server', debug() {}, info() {}, warn() {}, error() {}, isEnabled: () => false };
const factory = new ServerPoolFactory({
  server: compileServerConfig({ command: ['php', script] }),
  rpc: undefined, version: 'bench', cwd: process.cwd(), logger: silent,
});

const payload = { context: Buffer.from('{"k":1}'), body: Buffer.alloc(1024, 0x62), codec: 'raw' };

/** utime+stime of a process in µs, from /proc/<pid>/stat (USER_HZ = 100 on Linux). */
function procCpuUs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10_000;
  } catch {
    return 0;
  }
}

async function measure(label, workers, parallel) {
  const pool = await factory.create({ name: 'bench', mode: 'bench', config: compilePoolConfig({ num_workers: workers }, 'bench.pool', 2) });
  // warm-up
  for (let i = 0; i < 2000; i++) await pool.exec(payload);
  let done = 0;
  const until = performance.now() + seconds * 1000;
  const lane = async () => { while (performance.now() < until) { await pool.exec(payload); done++; } };
  const pids = pool.workers().map((w) => w.pid);
  const php0 = pids.reduce((s, pid) => s + procCpuUs(pid), 0);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: parallel }, lane));
  const rate = done / ((performance.now() - t0) / 1000);
  // CPU per round trip: rr's process (getrusage) and the PHP workers (/proc, 10 ms ticks).
  const cpu = process.cpuUsage(cpu0);
  const php = pids.reduce((s, pid) => s + procCpuUs(pid), 0) - php0;
  const us = (v) => (v / done).toFixed(2).padStart(6);
  console.log(`${label.padEnd(44)} ${Math.round(rate).toLocaleString('en-US').padStart(9)} round trips/s` +
    `  node ${us(cpu.user + cpu.system)} µs/exec (user ${us(cpu.user)}, sys ${us(cpu.system)})  php ${us(php)} µs/exec`);
  await pool.destroy(AbortSignal.timeout(10_000));
}

await measure(`pool, 1 worker, 1 in flight (${values.worker})`, 1, 1);
await measure(`pool, 2 workers, ${inflight} in flight (${values.worker})`, 2, inflight);
await factory.close?.();
process.exit(0);
