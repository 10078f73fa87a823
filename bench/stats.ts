/** Medians and ranges of repeated measurements, and the table text of the results. */

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function summarize(values: number[]): Summary {
  if (values.length === 0 || values.some(v => !Number.isFinite(v))) {
    throw new Error(`summarize: needs finite measurements (got ${JSON.stringify(values)})`);
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values.length };
}

/** `1,234 (1,200–1,300)`: the median, then the range when there was more than one run. */
export function showSummary(s: Summary, digits = 0, unit = ''): string {
  const f = (v: number) => `${v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}${unit}`;
  return s.runs > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
}

export function ratio(ours: number, baseline: number): string {
  return `${(ours / baseline).toFixed(2)}×`;
}

/** A Markdown table. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Bytes as KiB, one decimal. */
export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
