// node bench/http/profile.mjs FILE.cpuprofile [N]
// Prints the N (default 25) functions with the most self time in a V8 CPU profile
// (`node --cpu-prof`), as file:line function and % of all samples; idle and GC are listed too, so
// the percentages add up to the whole run. bench/http/run.sh --profile writes such a file.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const [file, limit = '25'] = process.argv.slice(2);
if (!file) { console.error('usage: node bench/http/profile.mjs FILE.cpuprofile [N]'); process.exit(2); }
const profile = JSON.parse(readFileSync(file, 'utf8'));
const root = fileURLToPath(new URL('../..', import.meta.url));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const hits = new Map();
// timeDeltas give each sample's duration; attribute it to the sampled (leaf) node.
const deltas = profile.timeDeltas ?? [];
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = deltas[i + 1] ?? deltas[i] ?? 1;
  hits.set(id, (hits.get(id) ?? 0) + dt);
  total += dt;
});

const rows = new Map();
for (const [id, t] of hits) {
  const { callFrame: f } = byId.get(id);
  let where = f.url || '(native)';
  if (where.startsWith('file://')) where = relative(root, fileURLToPath(where));
  where = where.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, 'node_modules/');
  const key = `${where}:${f.lineNumber + 1} ${f.functionName || '(anonymous)'}`;
  rows.set(key, (rows.get(key) ?? 0) + t);
}
const sorted = [...rows].sort((a, b) => b[1] - a[1]).slice(0, Number(limit));
console.log(`self time, ${(total / 1e6).toFixed(1)} s sampled`);
for (const [key, t] of sorted) console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${key}`);
