/**
 * Numbers, times and counts as the report, the command and the toolkit's messages write them.
 */

/** `1 retry`, `2 retries`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A virtual time of day, to the millisecond: `14:55:16.250`. */
export function clockTime(at: Date): string {
  return at.toISOString().slice(11, 23);
}

/** A duration for people: `0 ms`, `250 ms`, `2.5 s`, `3 min 20 s`, `2 h 5 min`. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(3))} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min${ms % 60_000 >= 1000 ? ` ${Math.floor((ms % 60_000) / 1000)} s` : ''}`;
  return `${Math.floor(ms / 3_600_000)} h${ms % 3_600_000 >= 60_000 ? ` ${Math.floor((ms % 3_600_000) / 60_000)} min` : ''}`;
}
