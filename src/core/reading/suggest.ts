/** "Did you mean …?" for unknown run names: the closest known names by edit distance. */

/** Levenshtein distance, two rows (names are at most 63 characters). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/**
 * Up to `max` distinct names within a distance of a third of the longer name (at least
 * 1), or that contain the wanted name or are contained in it (3 characters or more, so
 * `p` is not suggested for every name with a p); closest first.
 */
export function closestNames(wanted: string, names: string[], max = 3): string[] {
  const scored = [...new Set(names)]
    .map((name) => ({ name, d: editDistance(wanted, name) }))
    .filter(({ name, d }) => d <= Math.max(1, Math.floor(Math.max(wanted.length, name.length) / 3)) || contains(name, wanted))
    .sort((x, y) => x.d - y.d || (x.name < y.name ? -1 : 1));
  return scored.slice(0, max).map((s) => s.name);
}

function contains(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 3 && long.includes(short);
}
