// Figures and the printed table. A figure with a target says whether it met it; `gate` marks the
// targets the issue says must hold (they decide the exit code).
export interface Figure {
  id: string;
  figure: string;
  value: string;
  target?: string;
  ok?: boolean;
  gate?: boolean;
}

export const ms = (v: number): string => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
export const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;
export const num = (v: number, digits = 0): string => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** The median (the mean of the two middle values for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
}

export const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

export function figureTable(figures: Figure[]): string {
  const ok = (f: Figure): string => (f.ok === undefined ? '' : f.ok ? 'yes' : f.gate ? '**NO**' : 'no');
  return table([['#', 'figure', 'value', 'target', 'ok'], ...figures.map((f) => [f.id, f.figure, f.value, f.target ?? '', ok(f)])]);
}

export function log(message: string): void {
  console.error(`bench: ${message}`);
}
