// Startup figures: `rr --version` wall time, and `rr serve` from spawn to the "server started" line on a
// small config (the example app). Usage: node bench/startup/startup.mjs [runs=20]
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rr = `${root}packages/cli/dist/main.js`;
const runs = Number(process.argv[2] ?? 20);

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, min ${s[0].toFixed(1)} ms (n=${s.length})`;
}

const version = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [rr, '--version']);
  if (r.status !== 0) throw new Error(`rr --version failed: ${r.stderr}`);
  version.push(performance.now() - t0);
}
console.log(`rr --version:            ${stats(version)}`);

function serveOnce() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [rr, 'serve', '-c', `${root}examples/app/.rr.yaml`, '-o', 'logs.mode=off'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let ready;
    child.stdout.on('data', (c) => {
      out += c;
      if (ready === undefined && out.includes('RoadRunner server started')) {
        ready = performance.now() - t0;
        child.kill('SIGTERM');
      }
    });
    child.on('close', (code) => (ready !== undefined && code === 0 ? resolve(ready) : reject(new Error(`serve exited ${code}: ${out}`))));
  });
}
const serve = [];
for (let i = 0; i < Math.max(5, Math.floor(runs / 2)); i++) serve.push(await serveOnce());
console.log(`rr serve to ready:       ${stats(serve)}`);
