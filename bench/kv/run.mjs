#!/usr/bin/env node
// bench/kv: ops/s from PHP over rr's RPC — kv.Set and kv.MGet on memory and redis storages, and
// lock.Lock+Release pairs (memory backend, then redis backend). Prints figures, asserts nothing.
// Needs `pnpm build`, php, and Redis on 127.0.0.1:6379 (keys under a unique prefix, cleared after).
// Usage: node bench/kv/run.mjs [ops per figure, default 5000]
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rr = join(root, 'packages/cli/dist/main.js');
const n = Number(process.argv[2] ?? 5000);
const prefix = `rr-bench-kv-${process.pid}-${randomBytes(3).toString('hex')}:`;

async function withRr(lockDriver, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'rr-bench-kv-'));
  const rpc = `unix://${join(dir, 'rpc.sock')}`;
  writeFileSync(join(dir, '.rr.yaml'), [
    'version: "3"',
    `rpc: { listen: "${rpc}" }`,
    'kv:',
    '  memory: { driver: memory, config: {} }',
    `  redis: { driver: redis, config: { addrs: ["127.0.0.1:6379"], prefix: "${prefix}kv:" } }`,
    ...(lockDriver === 'redis' ? [`lock: { driver: redis, config: { addrs: ["127.0.0.1:6379"], prefix: "${prefix}lock:" } }`] : []),
    '',
  ].join('\n'));
  const child = spawn(process.execPath, [rr, 'serve', '-c', join(dir, '.rr.yaml'), '-o', 'logs.level=error'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (c) => { log += c; });
  child.stderr.on('data', (c) => { log += c; });
  try {
    // Ready when the RPC socket answers (bounded).
    const start = Date.now();
    for (;;) {
      try {
        execFileSync('php', ['-r', `exit(@stream_socket_client("${rpc}") ? 0 : 1);`]);
        break;
      } catch {
        if (Date.now() - start > 15000 || child.exitCode !== null) throw new Error(`rr did not start:\n${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return await fn(rpc);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

function php(rpc, storages) {
  const out = execFileSync('php', [join(root, 'bench/kv/bench.php'), storages, String(n)], { env: { ...process.env, RR_RPC: rpc }, timeout: 300_000 });
  return JSON.parse(out.toString());
}

const results = {};
await withRr('memory', async (rpc) => {
  const r = php(rpc, 'memory,redis');
  for (const [k, v] of Object.entries(r)) results[k.startsWith('lock') ? `${k} (memory backend)` : k] = v;
});
await withRr('redis', async (rpc) => {
  results['lock Lock+Release pairs (redis backend)'] = php(rpc, '')['lock Lock+Release pairs'];
});

console.log(`bench/kv: PHP over rr RPC (unix socket, one synchronous connection), ${n} ops per figure`);
for (const [name, perSecond] of Object.entries(results)) console.log(`  ${name.padEnd(48)} ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} /s`);
