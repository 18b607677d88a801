/**
 * The start-instant field of a cached head: the instant, a checksum of it with the run's
 * id, and a checksum of run.json's cached text. Ordering runs uses the instant without
 * parsing or hashing the text (hashing every run's text was 3 % of a warm `runs`), so a
 * damaged instant must not pass for a right one: it is a miss (read from disk), never a
 * wrong order or an error. The text's checksum is checked when the text is parsed, so a
 * damage that keeps its shape (a status for another) is a miss too.
 */
export function instantField(start: number, id: string, runText: string): string {
  return `${start}/${checksum(`${start}\t${id}`)}/${checksum(runText)}`;
}

/** The instant of a start field, or NaN when it is empty or does not check out. */
export function instantOf(field: string, id: string): number {
  const slash = field.indexOf('/');
  const end = field.indexOf('/', slash + 1);
  if (slash <= 0 || end < 0) return Number.NaN;
  const start = Number(field.slice(0, slash));
  return !Number.isNaN(start) && field.slice(slash + 1, end) === checksum(`${field.slice(0, slash)}\t${id}`) ? start : Number.NaN;
}

/** Whether run.json's cached text is the one its start field was written with. */
export function runTextChecks(field: string, runText: string): boolean {
  return field.slice(field.lastIndexOf('/') + 1) === checksum(runText);
}

/** FNV-1a, 32 bits: catches damage, not forgery (a forged cache is refused by trust.ts). */
function checksum(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
