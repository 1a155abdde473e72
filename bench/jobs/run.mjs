#!/usr/bin/env node
// bench/jobs: jobs pushed from PHP over RPC (rr's PHP producer, protobuf jobs.v1) and consumed by 2
// PHP workers through a real `rr serve`: push rate, end-to-end jobs/s and p50/p99 latency (push →
// worker), for the memory driver, then boltdb. Prints figures, asserts nothing. Needs `pnpm build`.
// Usage: node bench/jobs/run.mjs [jobs per run, default 20000]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rr = join(root, 'packages/cli/dist/main.js');
const autoload = join(root, 'packages/php-worker/src/autoload.php');
const here = fileURLToPath(new URL('.', import.meta.url));
const n = Number(process.argv[2] ?? 20000);

async function run(driver, batch) {
  const dir = mkdtempSync(join(tmpdir(), 'rr-bench-jobs-'));
  const rpc = `unix://${join(dir, 'rpc.sock')}`;
  const ledger = join(dir, 'ledger.txt');
  const config = driver === 'boltdb' ? `{ file: "${join(dir, 'jobs.db')}" }` : '{}';
  writeFileSync(join(dir, '.rr.yaml'), [
    'version: "3"',
    `rpc: { listen: "${rpc}" }`,
    `server: { command: "php ${join(here, 'worker.php')} ${autoload}", env: { BENCH_LEDGER: "${ledger}" } }`,
    'jobs:',
    '  consume: [bench]',
    '  pool: { num_workers: 2 }',
    `  pipelines: { bench: { driver: ${driver}, config: ${config} } }`,
    '',
  ].join('\n'));
  const child = spawn(process.execPath, [rr, 'serve', '-c', join(dir, '.rr.yaml'), '-o', 'logs.level=error'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (c) => { log += c; });
  child.stderr.on('data', (c) => { log += c; });
  try {
    const start = Date.now();
    while (!log.includes('RoadRunner server started')) {
      if (Date.now() - start > 15000 || child.exitCode !== null) throw new Error(`rr did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const pushed = JSON.parse(execFileSync('php', [join(here, 'push.php'), autoload, 'bench', String(n), String(batch)], { env: { ...process.env, RR_RPC: rpc }, encoding: 'utf8' }));
    const until = Date.now() + 120000;
    let lines = [];
    for (;;) {
      lines = existsSync(ledger) ? readFileSync(ledger, 'utf8').split('\n').filter(Boolean) : [];
      if (lines.length >= n || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const pairs = lines.map((l) => l.split(' ').map(Number));
    const lat = pairs.map(([p, d]) => (d - p) * 1000).sort((a, b) => a - b);
    const first = Math.min(...pairs.map(([p]) => p));
    const last = Math.max(...pairs.map(([, d]) => d));
    const pct = (q) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? NaN;
    console.log(`${driver.padEnd(7)} ${batch <= 1 ? 'Push     ' : `Batch ${String(batch).padEnd(3)}`} pushed ${Math.round(n / pushed.seconds)}/s; consumed ${lines.length}/${n}, end to end ${Math.round(lines.length / (last - first))} jobs/s, latency p50 ${pct(0.5).toFixed(1)} ms p99 ${pct(0.99).toFixed(1)} ms`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`bench/jobs: ${n} jobs per run, 2 PHP workers, producer = 1 PHP process over RPC`);
for (const driver of ['memory', 'boltdb']) {
  await run(driver, 1);
  await run(driver, 100);
}
