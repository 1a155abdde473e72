// `pnpm bench`: runs every benchmark that needs nothing but this repository, and prints figures.
// Benchmarks against nginx + PHP-FPM need ../shared/bench/setup.sh first; see bench/README.md.
// They are opt-in: `pnpm bench --http` (or RR_BENCH_HTTP=1) adds bench/http for hello and framework.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const suites = [
  ['startup', 'startup/startup.mjs'],
  ['goridge codec', 'goridge/codec.mjs'],
  ['goridge round trips', 'goridge/roundtrip.mjs'],
  ['pool round trips (raw worker)', 'pool/roundtrip.mjs'],
  ['kv and lock over RPC from PHP (needs Redis)', 'kv/run.mjs'],
  ['jobs per driver, pushed from PHP and consumed by 2 PHP workers', 'jobs/run.mjs'],
];
const http = process.argv.includes('--http') || process.env.RR_BENCH_HTTP === '1';
let failed = 0;
for (const [name, script] of suites) {
  if (!existsSync(`${here}${script}`)) { console.log(`\n== ${name}: not present, skipped`); continue; }
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, [`${here}${script}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
if (http) {
  for (const app of ['hello', 'framework']) {
    console.log(`\n== http vs nginx + PHP-FPM: ${app}`);
    const r = spawnSync(`${here}http/run.sh`, [app], { stdio: 'inherit' });
    if (r.status !== 0) failed++;
  }
} else {
  console.log('\n== http vs nginx + PHP-FPM: opt-in (needs ../shared/bench/setup.sh); run `pnpm bench --http`');
}
process.exit(failed ? 1 : 0);
