/** Text as displayed: ANSI colour codes take no columns. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/**
 * An ASCII table in the style RoadRunner's CLI prints (tablewriter): upper-case centred headers,
 * left-aligned cells, one space of padding.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], minWidths: readonly number[] = []): string {
  const heads = headers.map((h) => h.toUpperCase());
  const widths = heads.map((h, i) => Math.max(visibleLength(h), minWidths[i] ?? 0, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const centre = (text: string, w: number): string => {
    const room = w - visibleLength(text);
    const left = Math.floor(room / 2);
    return ' '.repeat(left) + text + ' '.repeat(room - left);
  };
  const left = (text: string, w: number): string => text + ' '.repeat(w - visibleLength(text));
  const out = [line, `| ${heads.map((h, i) => centre(h, widths[i]!)).join(' | ')} |`, line];
  for (const row of rows) out.push(`| ${widths.map((w, i) => left(row[i] ?? '', w)).join(' | ')} |`);
  if (rows.length > 0) out.push(line);
  return `${out.join('\n')}\n`;
}
