/**
 * The known name nearest to a misspelled one, for "did you mean" messages. Free of aws-cdk-lib, so
 * that the command-line tool's bundle can use it too.
 */

/** The known name nearest to `key` (at most a third of its letters changed), if one is that near. */
export function closest(key: string, names: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const here = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
        previous = here;
      }
    }
    return row[b.length];
  };
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = name.toLowerCase().includes(key.toLowerCase()) || key.toLowerCase().includes(name.toLowerCase()) ? 1 : distance(key, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
