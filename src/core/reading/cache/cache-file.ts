/**
 * The read cache's file. A header line, then one *head* line per run (id, head stamp,
 * run.json's content, and where its body is), then the runs' *bodies* (body stamp,
 * stages, record summary, counts, token, remembered issues). Fields are separated by
 * tabs: JSON.stringify never writes a raw tab or newline, so text splits without
 * parsing, and a command parses only the fields it uses.
 *
 * Heads are read whole; a body is read when first used, by its offset, from the same
 * open file (a file renamed over it meanwhile does not matter: the descriptor keeps
 * the one that was opened). `diagnose --latest` over 10,000 runs reads the heads (a
 * few MB) and about 22 bodies, not the whole file; `runs` reads the bodies in one go.
 */
import * as fs from 'node:fs';

const CACHE_FORMAT = 5;

/** Field positions in a run's fields (head fields, then body fields). */
export const F = {
  id: 0,
  /** headStamp key, and the head it vouches for: `{run, unreadable, odd}` (run-meta.ts). */
  head: 1,
  run: 2,
  /** bodyStamp key, and the body `{stages, unreadable}` and record summary it vouches for ('' when not kept). */
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
const FIELD_COUNT = 10;
const HEAD_FIELDS = 3;
/** Reading bodies one by one costs a system call each: past this many, read them all at once. */
const SINGLE_READS = 64;

export interface Located {
  head: string;
  offset: number;
  length: number;
}

/** An opened cache file: its heads by run id, and bodies on demand. */
export class CacheFile {
  private bodies: Buffer | null = null;
  private singleReads = 0;

  private constructor(
    private fd: number | null,
    private readonly bodiesAt: number,
    private readonly bodiesLength: number,
    readonly heads: Map<string, Located>,
  ) {}

  static empty(): CacheFile {
    return new CacheFile(null, 0, 0, new Map());
  }

  /** Reads the header and the heads from `fd` (which it then owns); empty when of another format or workspace. */
  static read(fd: number, size: number, root: string): CacheFile {
    const first = Buffer.alloc(Math.min(size, 64 * 1024));
    const got = fs.readSync(fd, first, 0, first.length, 0);
    const headerEnd = first.subarray(0, got).indexOf(0x0a);
    const header = headerEnd < 0 ? null : parsedHeader(first.toString('utf8', 0, headerEnd));
    if (!header || header.workspace !== root || header.heads > size - headerEnd - 1) {
      fs.closeSync(fd);
      return CacheFile.empty();
    }
    const headsAt = headerEnd + 1;
    const headsBuf = Buffer.alloc(header.heads);
    fs.readSync(fd, headsBuf, 0, header.heads, headsAt);
    const heads = new Map<string, Located>();
    const text = headsBuf.toString('utf8');
    let at = 0;
    while (at < text.length) {
      let end = text.indexOf('\n', at);
      if (end < 0) end = text.length;
      const line = text.slice(at, end);
      at = end + 1;
      // `id\thead\trun\toffset\tlength`: the last two are the body's place.
      const cut = line.lastIndexOf('\t', line.lastIndexOf('\t') - 1);
      const place = line.slice(cut + 1).split('\t');
      const offset = Number(place[0]);
      const length = Number(place[1]);
      if (cut <= 0 || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) continue;
      const head = line.slice(0, cut);
      heads.set(head.slice(0, head.indexOf('\t')), { head, offset, length });
    }
    const bodiesAt = headsAt + header.heads;
    return new CacheFile(fd, bodiesAt, size - bodiesAt, heads);
  }

  /** The run's fields, head and body; null when missing or malformed. */
  fieldsOf(id: string): string[] | null {
    const place = this.heads.get(id);
    const body = place ? this.bodyBytes(place) : null;
    if (!place || !body) return null;
    const head = place.head.split('\t');
    const rest = body.toString('utf8').split('\t');
    // The body repeats the id: a body found at the wrong offset is never taken for this run's.
    if (head.length !== HEAD_FIELDS || rest.length !== FIELD_COUNT - HEAD_FIELDS + 1 || rest[0] !== id) return null;
    return [...head, ...rest.slice(1)];
  }

  /** The body of `place` as stored (to copy into the next file unchanged). */
  bodyBytes(place: Located): Buffer | null {
    if (place.offset + place.length > this.bodiesLength) return null;
    if (!this.bodies && this.singleReads++ >= SINGLE_READS && this.fd !== null) {
      this.bodies = Buffer.alloc(this.bodiesLength);
      if (this.readAt(this.bodies, this.bodiesAt) !== this.bodiesLength) this.bodies = null;
    }
    if (this.bodies) return this.bodies.subarray(place.offset, place.offset + place.length);
    const one = Buffer.alloc(place.length);
    return this.readAt(one, this.bodiesAt + place.offset) === place.length ? one : null;
  }

  private readAt(buf: Buffer, position: number): number {
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

function parsedHeader(text: string): { workspace: string; heads: number } | null {
  try {
    const h = JSON.parse(text) as { format?: unknown; workspace?: unknown; heads?: unknown } | null;
    if (!h || typeof h !== 'object' || h.format !== CACHE_FORMAT || typeof h.workspace !== 'string') return null;
    return Number.isSafeInteger(h.heads) && (h.heads as number) >= 0 ? { workspace: h.workspace, heads: h.heads as number } : null;
  } catch {
    return null;
  }
}

/** One run as the next file will hold it: its head fields' text, and its body (text or the stored bytes). */
export interface CacheEntry {
  id: string;
  head: string;
  body: string | Buffer;
}

/** A run's head or body text from its fields; null if a field would break the line (it is then not kept). */
export function entryOf(fields: readonly string[]): CacheEntry | null {
  if (fields.length !== FIELD_COUNT) return null;
  for (const f of fields) if (f.includes('\t') || f.includes('\n')) return null;
  return { id: fields[F.id], head: fields.slice(0, HEAD_FIELDS).join('\t'), body: [fields[F.id], ...fields.slice(HEAD_FIELDS)].join('\t') };
}

/** The whole file for `entries`. */
export function cacheBytes(root: string, entries: Iterable<CacheEntry>): Buffer {
  const bodies: Buffer[] = [];
  let heads = '';
  let offset = 0;
  for (const e of entries) {
    const body = typeof e.body === 'string' ? Buffer.from(e.body, 'utf8') : e.body;
    heads += `${e.head}\t${offset}\t${body.length}\n`;
    bodies.push(body);
    offset += body.length;
  }
  const headsBuf = Buffer.from(heads, 'utf8');
  const header = Buffer.from(`${JSON.stringify({ format: CACHE_FORMAT, workspace: root, heads: headsBuf.length })}\n`, 'utf8');
  return Buffer.concat([header, headsBuf, ...bodies]);
}
