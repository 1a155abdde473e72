import { ErrorCodes, reportToDot, type PluginReport } from '@rr/kernel';
import { RrError } from '@rr/plugin-api';
import type { ParsedArgs } from '../args.js';
import { boot } from '../bootstrap.js';

/** `rr plugins list [--json]` and `rr plugins graph`: what was resolved, and in which order. */
export async function plugins(args: ParsedArgs): Promise<number> {
  const sub = args.positionals[1] ?? 'list';
  if (sub !== 'list' && sub !== 'graph') {
    throw new RrError(ErrorCodes.CLI_USAGE, `unknown plugins command "${sub}": expected "list" or "graph"`);
  }
  const { kernel, logging } = await boot(args.flags, { allowMissingConfig: true });
  const report = kernel.resolve();
  await logging.flush();
  if (sub === 'graph') {
    process.stdout.write(reportToDot(report));
    return 0;
  }
  if (args.extra['json'] === true) {
    process.stdout.write(`${JSON.stringify({ order: report.order, plugins: report.plugins, problems: report.problems.map(problemJson) }, null, 2)}\n`);
  } else {
    process.stdout.write(renderTable(report.plugins));
    for (const problem of report.problems) process.stdout.write(`\nproblem: ${problem.message}`);
    if (report.problems.length > 0) process.stdout.write('\n');
  }
  return report.problems.length > 0 ? 1 : 0;
}

function problemJson(err: RrError): { code: string; plugin?: string; message: string } {
  return { code: err.code, ...(err.plugin !== undefined ? { plugin: err.plugin } : {}), message: err.message };
}

function renderTable(plugins: PluginReport[]): string {
  const sorted = [...plugins].sort((a, b) => (a.position ?? Infinity) - (b.position ?? Infinity) || a.name.localeCompare(b.name));
  const rows = sorted.map((p) => [
    p.position === undefined ? '-' : String(p.position),
    p.name,
    p.enabled ? 'enabled' : 'disabled',
    `${p.packageName}@${p.packageVersion}`,
    p.source,
    [...p.requires, ...p.optional.map((t) => `${t}?`)].join(', ') || '-',
    [...p.provides, ...p.contributes.map((t) => `+${t}`)].join(', ') || '-',
    p.enabled ? '' : (p.reason ?? ''),
  ]);
  const header = ['#', 'PLUGIN', 'STATUS', 'PACKAGE', 'SOURCE', 'REQUIRES', 'PROVIDES', 'REASON'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
