import type { ResolutionReport } from './types.js';

/**
 * The resolution report as Graphviz DOT, for `rr plugins graph`: an edge per token from the plugin
 * that starts first, start positions in the labels, disabled plugins dashed with their reason.
 * Pipe it to `dot -Tsvg`.
 * @public
 */
export function reportToDot(report: ResolutionReport): string {
  const lines = ['digraph rr {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  for (const p of report.plugins) {
    if (p.enabled) {
      const label = p.position === undefined ? p.name : `${p.position}. ${p.name}`;
      lines.push(`  ${id(p.name)} [label=${id(label)}];`);
    } else {
      lines.push(`  ${id(p.name)} [label=${id(`${p.name}\n(disabled: ${p.reason ?? 'unknown reason'})`)}, style=dashed, color=gray50, fontcolor=gray50];`);
    }
  }
  for (const e of report.edges) {
    const style = e.kind === 'optional' ? ', style=dashed' : e.kind === 'collects' ? ', style=dotted, arrowhead=empty' : '';
    lines.push(`  ${id(e.from)} -> ${id(e.to)} [label=${id(e.token)}${style}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** A DOT quoted id: backslashes and quotes escaped, newlines as DOT's centred line break. */
function id(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
