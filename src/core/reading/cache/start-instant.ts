/**
 * The start-instant field of a cached head: the instant, and a checksum of it with the
 * run's id. Ordering runs uses the instant without parsing run.json's cached text, so a
 * damaged field must not pass for a right one: it is a miss (read from disk), never a
 * wrong order or an error. The text is checked when parsed (its started_at must give
 * this instant), so the checksum need not cover it: hashing every run's text was 3 % of
 * a warm `runs`.
 */
export function instantField(start: number, id: string): string {
  return `${start}/${checksum(`${start}\t${id}`)}`;
}

/** The instant of a start field, or NaN when it is empty or does not check out. */
export function instantOf(field: string, id: string): number {
  const slash = field.indexOf('/');
  if (slash <= 0) return Number.NaN;
  const start = Number(field.slice(0, slash));
  return !Number.isNaN(start) && field.slice(slash + 1) === checksum(`${field.slice(0, slash)}\t${id}`) ? start : Number.NaN;
}

/** FNV-1a, 32 bits: catches damage, not forgery (a forged cache is refused by trust.ts). */
function checksum(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
