/**
 * The read cache's file: a header line, then three sections.
 *
 * - *Heads*, one line per run: id, head stamp, run.json's content, the body's stage
 *   names and stamp, the key of the remembered diagnosis, and where its row and
 *   body are. Every command reads them all.
 * - *Rows*: each run's `runs --json` row, as the text it takes in that document,
 *   remembered with its diagnosis. Only `runs` reads them: in one go, checked against
 *   the header's digest, so a warm `runs` copies rows into its output without parsing
 *   or building one object per run (rows are kept only when ASCII, so a byte is a char).
 * - *Bodies*: stages, record summary, counts, remembered issues. A body is read when
 *   first used, by its offset (`diagnose --latest` over 10,000 runs reads about 22), and
 *   used only if its SHA-1, which leads it, checks out: a remembered issue list damaged
 *   in a way that keeps its shape would otherwise be believed by the gate.
 *
 * Fields are separated by tabs: JSON.stringify never writes a raw tab or newline, so
 * text splits without parsing, and a command parses only the fields it uses. Every
 * read is from the one descriptor opened first (a file renamed over it meanwhile does
 * not matter: the descriptor keeps the one that was opened).
 */
import * as fs from 'node:fs';

import { Rows, digestOf, Section, type Place } from './sections';

const CACHE_FORMAT = 9;

/** Field positions in a run's fields (head fields, the row, then body fields). */
export const F = {
  id: 0,
  /** headStamp key, and the head it vouches for: `{run, unreadable, odd}` (run-meta.ts). */
  head: 1,
  /** When run.json is readable, its started_at as an instant with a checksum (instantField; '' when not): ordering runs parses no JSON. */
  start: 2,
  run: 3,
  /** The stage names the body stamp covers (comma-separated), and the bodyStamp key ('' when no body is kept). */
  names: 4,
  body: 5,
  /** The key of the remembered diagnosis (the inputs it was computed from). */
  memoKey: 6,
  /** The `runs` row it gives ('' when none is remembered). */
  row: 7,
  /** Body fields: `{stages, unreadable}`, the record summary, the counts alone, the remembered issues. */
  meta: 8,
  records: 9,
  counts: 10,
  memo: 11,
} as const;
export const HEAD_FIELDS = F.row;
const BODY_FIELDS = 4;
/** An opened cache file: its heads by run id; rows and bodies on demand. */
export class CacheFile {
  private readonly rows: Rows;
  private readonly bodies: Section;

  private constructor(
    private fd: number | null,
    /** Each run's head line, by run id. */
    readonly heads: Map<string, string>,
    rows: { at: number; length: number; digest: string } = { at: 0, length: 0, digest: digestOf(Buffer.alloc(0)) },
    bodiesAt = 0,
    bodiesLength = 0,
  ) {
    this.rows = new Rows(this, rows.at, rows.length, rows.digest);
    this.bodies = new Section(this, bodiesAt, bodiesLength);
  }

  static empty(): CacheFile {
    return new CacheFile(null, new Map());
  }

  /** Reads the header and the heads from `fd` (which it then owns); empty when of another format or workspace. */
  static read(fd: number, size: number, root: string): CacheFile {
    const first = Buffer.alloc(Math.min(size, 64 * 1024));
    const got = fs.readSync(fd, first, 0, first.length, 0);
    const headerEnd = first.subarray(0, got).indexOf(0x0a);
    const header = headerEnd < 0 ? null : parsedHeader(first.toString('utf8', 0, headerEnd));
    if (!header || header.workspace !== root || header.heads + header.rows > size - headerEnd - 1) {
      fs.closeSync(fd);
      return CacheFile.empty();
    }
    const headsAt = headerEnd + 1;
    const headsBuf = Buffer.alloc(header.heads);
    fs.readSync(fd, headsBuf, 0, header.heads, headsAt);
    // Lines by run id; split only as far as a command uses them (headOf, restOf).
    const heads = new Map<string, string>();
    const text = headsBuf.toString('utf8');
    let at = 0;
    while (at < text.length) {
      let end = text.indexOf('\n', at);
      if (end < 0) end = text.length;
      const tab = text.indexOf('\t', at);
      if (tab > at && tab < end) heads.set(text.slice(at, tab), text.slice(at, end));
      at = end + 1;
    }
    const rowsAt = headsAt + header.heads;
    const bodiesAt = rowsAt + header.rows;
    return new CacheFile(fd, heads, { at: rowsAt, length: header.rows, digest: header.rowsDigest }, bodiesAt, size - bodiesAt);
  }

  /**
   * The run's first head fields (id, head stamp, start instant, run.json's text), which
   * ordering needs for every run; null when missing or malformed. The rest of the line
   * is split by restOf, for the runs a command looks into: `diagnose --latest` over
   * 10,000 runs needs it for about 22.
   */
  headOf(id: string): string[] | null {
    const line = this.heads.get(id);
    const fields = line === undefined ? null : line.split('\t', F.names);
    return fields && fields.length === F.names ? fields : null;
  }

  /** The rest of the run's head line; null when missing or malformed (the line has another count of fields). */
  restOf(id: string): HeadRest | null {
    const line = this.heads.get(id);
    return line === undefined ? null : headRest(line);
  }

  /** The remembered `runs` row at `place` ('' when none); null when the rows section is damaged. */
  rowAt(place: Place): string | null {
    return this.rows.text(place);
  }

  /** The run's body fields (from F.meta on) at `place`; null when missing, damaged or malformed. */
  bodyAt(id: string, place: Place): string[] | null {
    const stored = this.bodies.part(place);
    const tab = stored ? stored.indexOf(0x09) : -1;
    if (tab < 0 || stored!.toString('latin1', 0, tab) !== digestOf(stored!.subarray(tab + 1))) return null;
    const rest = stored!.toString('utf8', tab + 1).split('\t');
    // The body repeats the id: a body found at the wrong offset is never taken for this run's.
    return rest.length === BODY_FIELDS + 1 && rest[0] === id ? rest.slice(1) : null;
  }

  /** All the run's fields; null when missing or malformed. */
  fieldsOf(id: string): string[] | null {
    const head = this.headOf(id);
    const rest = head && this.restOf(id);
    const row = rest && this.rowAt(rest.row);
    const body = rest && row !== null && this.bodyAt(id, rest.bodyPlace);
    return head && rest && row !== null && body ? [...head, rest.names, rest.body, rest.memoKey, row, ...body] : null;
  }

  /** The run's entry as stored (to copy into the next file unchanged; a row from a damaged section is dropped). */
  storedEntry(id: string): CacheEntry | null {
    const line = this.heads.get(id);
    const rest = line === undefined ? null : headRest(line);
    const row = rest && (this.rows.bytes(rest.row) ?? '');
    const body = rest && this.bodies.part(rest.bodyPlace);
    return rest && row !== null && body ? { id, head: line!.slice(0, rest.cut), row, body } : null;
  }

  /** @internal for Section */
  readAt(buf: Buffer, position: number): number {
    if (this.fd === null) return -1;
    try {
      let done = 0;
      while (done < buf.length) {
        const n = fs.readSync(this.fd, buf, done, buf.length - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return done;
    } catch {
      return -1;
    }
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** A head line after run.json's text: the body's stage names and stamp, the memo key, where the row and body are. */
export interface HeadRest {
  names: string;
  body: string;
  memoKey: string;
  row: Place;
  bodyPlace: Place;
  /** Where the head fields end (before the places). */
  cut: number;
}

/** The rest of a head line, found from its end (run.json's text holds no tab); null when it has another count of fields. */
function headRest(line: string): HeadRest | null {
  const tabs: number[] = [];
  for (let at = line.length; tabs.length < HEAD_FIELDS + 1; ) {
    at = line.lastIndexOf('\t', at - 1);
    if (at < 0) return null;
    tabs.push(at);
  }
  // Exactly as many tabs as fields want: the first field (the id) has none before it.
  if (line.lastIndexOf('\t', tabs[HEAD_FIELDS] - 1) !== -1) return null;
  const [bodyTab, rowTab, memoTab, bodyKeyTab, namesTab] = tabs;
  const row = placeOf(line.slice(rowTab + 1, bodyTab));
  const bodyPlace = placeOf(line.slice(bodyTab + 1));
  if (!row || !bodyPlace) return null;
  return {
    names: line.slice(namesTab + 1, bodyKeyTab),
    body: line.slice(bodyKeyTab + 1, memoTab),
    memoKey: line.slice(memoTab + 1, rowTab),
    row,
    bodyPlace,
    cut: rowTab,
  };
}

function placeOf(text: string): Place | null {
  const comma = text.indexOf(',');
  const offset = Number(text.slice(0, comma));
  const length = Number(text.slice(comma + 1));
  return comma > 0 && Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 ? { offset, length } : null;
}

function parsedHeader(text: string): { workspace: string; heads: number; rows: number; rowsDigest: string } | null {
  try {
    const h = JSON.parse(text) as { format?: unknown; workspace?: unknown; heads?: unknown; rows?: unknown; rows_sha1?: unknown } | null;
    if (!h || typeof h !== 'object' || h.format !== CACHE_FORMAT || typeof h.workspace !== 'string' || typeof h.rows_sha1 !== 'string') return null;
    const size = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
    return size(h.heads) && size(h.rows) ? { workspace: h.workspace, heads: h.heads as number, rows: h.rows as number, rowsDigest: h.rows_sha1 } : null;
  } catch {
    return null;
  }
}

/** One run as the next file will hold it: its head fields' text, its row and its body (text, or the stored bytes with their digest). */
export interface CacheEntry {
  id: string;
  head: string;
  row: string | Buffer;
  body: string | Buffer;
}

/**
 * A run's entry from its fields; null if a field would break the line (it is then not
 * kept). The row has its own section, so it may hold newlines; a row that is not ASCII
 * is dropped (made again when next needed): rows are decoded as latin1, a char a byte.
 */
export function entryOf(fields: readonly string[]): CacheEntry | null {
  if (fields.length !== HEAD_FIELDS + 1 + BODY_FIELDS) return null;
  for (let i = 0; i < fields.length; i++) if (i !== F.row && (fields[i].includes('\t') || fields[i].includes('\n'))) return null;
  const row = NOT_ASCII.test(fields[F.row]) ? '' : fields[F.row];
  return { id: fields[F.id], head: fields.slice(0, HEAD_FIELDS).join('\t'), row, body: [fields[F.id], ...fields.slice(F.meta)].join('\t') };
}

const NOT_ASCII = /[^\x00-\x7f]/;

const withDigest = (bytes: Buffer) => Buffer.concat([Buffer.from(`${digestOf(bytes)}\t`, 'latin1'), bytes]);

/** The whole file for `entries`. */
export function cacheBytes(root: string, entries: Iterable<CacheEntry>): Buffer {
  const rows: Buffer[] = [];
  const bodies: Buffer[] = [];
  let heads = '';
  let rowAt = 0;
  let bodyAt = 0;
  for (const e of entries) {
    const row = typeof e.row === 'string' ? Buffer.from(e.row, 'latin1') : e.row;
    // A body copied from the last file keeps the digest it was stored with.
    const body = typeof e.body === 'string' ? withDigest(Buffer.from(e.body, 'utf8')) : e.body;
    heads += `${e.head}\t${rowAt},${row.length}\t${bodyAt},${body.length}\n`;
    rows.push(row);
    bodies.push(body);
    rowAt += row.length;
    bodyAt += body.length;
  }
  const headsBuf = Buffer.from(heads, 'utf8');
  const rowsBuf = Buffer.concat(rows);
  const header = { format: CACHE_FORMAT, workspace: root, heads: headsBuf.length, rows: rowAt, rows_sha1: digestOf(rowsBuf) };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), headsBuf, rowsBuf, ...bodies]);
}
