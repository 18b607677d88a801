/**
 * The read cache's file: a header line, then one line per run of tab-separated
 * fields, each JSON or a plain key. JSON.stringify never writes a raw tab or newline,
 * so a line splits without parsing, and a command parses only the fields it uses:
 * `diagnose --latest` over 10,000 runs parses each run's run.json part, not its
 * stages, records and remembered issues.
 */
export const CACHE_FORMAT = 4;

/** Field positions in a run's line. */
export const F = {
  id: 0,
  /** headStamp key, and the run (run.json's content, or null) it vouches for. */
  head: 1,
  run: 2,
  /** bodyStamp key, and the `{stages, unreadable}` and record summary it vouches for. */
  body: 3,
  meta: 4,
  records: 5,
  /** The record counts alone: `runs` shows them without parsing the whole summary. */
  counts: 6,
  /** Names the state of head and body: diagnoses of other runs that learned from this one record it. */
  token: 7,
  /** The key of the remembered diagnosis (inputs it was computed from), and its issues. */
  memoKey: 8,
  memo: 9,
} as const;
export const FIELD_COUNT = 10;

/** The lines of a cache file for `root`, by run id; empty when the file is of another format or workspace. */
export function parseCacheText(text: string, root: string): Map<string, string> {
  const lines = new Map<string, string>();
  const headerEnd = text.indexOf('\n');
  if (headerEnd < 0) return lines;
  let header: unknown;
  try {
    header = JSON.parse(text.slice(0, headerEnd));
  } catch {
    return lines;
  }
  const h = header as { format?: unknown; workspace?: unknown } | null;
  if (!h || typeof h !== 'object' || h.format !== CACHE_FORMAT || h.workspace !== root) return lines;
  let at = headerEnd + 1;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end);
    const tab = line.indexOf('\t');
    if (tab > 0) lines.set(line.slice(0, tab), line);
    at = end + 1;
  }
  return lines;
}

export function cacheText(root: string, lines: Iterable<string>): string {
  let text = `${JSON.stringify({ format: CACHE_FORMAT, workspace: root })}\n`;
  for (const line of lines) text += `${line}\n`;
  return text;
}

/** A run's line from its fields; null if a field would break the line (it is then not kept). */
export function lineOf(fields: readonly string[]): string | null {
  if (fields.length !== FIELD_COUNT) return null;
  for (const f of fields) if (f.includes('\t') || f.includes('\n')) return null;
  return fields.join('\t');
}

/** A line's fields, or null when it does not have the right number of them. */
export function fieldsOf(line: string): string[] | null {
  const fields = line.split('\t');
  return fields.length === FIELD_COUNT ? fields : null;
}

/**
 * A line's first `count` fields, without splitting the rest (ordering 10,000 runs needs
 * only each one's head); null when the line is too short.
 */
export function leadingFields(line: string, count: number): string[] | null {
  const fields: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const end = line.indexOf('\t', at);
    if (end < 0) return null;
    fields.push(line.slice(at, end));
    at = end + 1;
  }
  return fields;
}
