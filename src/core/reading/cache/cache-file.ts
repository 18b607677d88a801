/**
 * The read cache's file: a header line, then three sections.
 *
 * - *Heads*, one line per run: id, head stamp, run.json's content, the body's stage
 *   names and stamp, the key of the remembered diagnosis, and where its listing and
 *   body are. Every command reads them all.
 * - *Listings*: each run's `runs` row parts (stages, issue counts), remembered with its
 *   diagnosis. Only `runs` reads them, in one go.
 * - *Bodies*: stages, record summary, counts, remembered issues. A body is read when
 *   first used, by its offset (`diagnose --latest` over 10,000 runs reads about 22).
 *
 * Fields are separated by tabs: JSON.stringify never writes a raw tab or newline, so
 * text splits without parsing, and a command parses only the fields it uses. Every
 * read is from the one descriptor opened first (a file renamed over it meanwhile does
 * not matter: the descriptor keeps the one that was opened).
 */
import * as fs from 'node:fs';

const CACHE_FORMAT = 7;

/** Field positions in a run's fields (head fields, the listing, then body fields). */
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
  /** The runs listing it gives ('' when none is remembered). */
  listing: 7,
  /** Body fields: `{stages, unreadable}`, the record summary, the counts alone, the remembered issues. */
  meta: 8,
  records: 9,
  counts: 10,
  memo: 11,
} as const;
export const HEAD_FIELDS = F.listing;
const BODY_FIELDS = 4;
/** Reading parts one by one costs a system call each: past this many, a section is read at once. */
const SINGLE_READS = 64;

interface Place {
  offset: number;
  length: number;
}

/** A section of the file: read part by part, or whole once parts are asked for often. */
class Section {
  private whole: Buffer | null = null;
  private singleReads = 0;

  constructor(
    private readonly file: CacheFile,
    private readonly at: number,
    private readonly length: number,
  ) {}

  part(place: Place): Buffer | null {
    if (place.offset + place.length > this.length) return null;
    if (!this.whole && this.singleReads++ >= SINGLE_READS) {
      const whole = Buffer.alloc(this.length);
      if (this.file.readAt(whole, this.at) === this.length) this.whole = whole;
    }
    if (this.whole) return this.whole.subarray(place.offset, place.offset + place.length);
    const one = Buffer.alloc(place.length);
    return this.file.readAt(one, this.at + place.offset) === place.length ? one : null;
  }
}

/** An opened cache file: its heads by run id; listings and bodies on demand. */
export class CacheFile {
  private readonly listings: Section;
  private readonly bodies: Section;

  private constructor(
    private fd: number | null,
    /** Each run's head line, by run id. */
    readonly heads: Map<string, string>,
    listingsAt = 0,
    listingsLength = 0,
    bodiesAt = 0,
    bodiesLength = 0,
  ) {
    this.listings = new Section(this, listingsAt, listingsLength);
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
    if (!header || header.workspace !== root || header.heads + header.listings > size - headerEnd - 1) {
      fs.closeSync(fd);
      return CacheFile.empty();
    }
    const headsAt = headerEnd + 1;
    const headsBuf = Buffer.alloc(header.heads);
    fs.readSync(fd, headsBuf, 0, header.heads, headsAt);
    // Lines by run id; split only as far as a command uses them (see place()).
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
    const listingsAt = headsAt + header.heads;
    const bodiesAt = listingsAt + header.listings;
    return new CacheFile(fd, heads, listingsAt, header.listings, bodiesAt, size - bodiesAt);
  }

  /**
   * The run's head fields, the first `count` of them (all by default); null when missing
   * or malformed. The rest of the line is not split: a warm `diagnose --latest` needs four
   * fields of every run's head, and the others of 22.
   */
  headOf(id: string, count: number = HEAD_FIELDS): string[] | null {
    const line = this.heads.get(id);
    const place = line === undefined ? null : placesOf(line);
    if (!place) return null;
    const head = line!.slice(0, place.cut);
    const fields = count < HEAD_FIELDS ? head.split('\t', count) : head.split('\t');
    return fields.length === count || (count >= HEAD_FIELDS && fields.length === HEAD_FIELDS) ? fields : null;
  }

  /** The run's remembered listing ('' when none); null when missing. */
  listingOf(id: string): string | null {
    const line = this.heads.get(id);
    const place = line === undefined ? null : placesOf(line);
    return place ? (this.listings.part(place.listing)?.toString('utf8') ?? null) : null;
  }

  /** The run's body fields (from F.meta on); null when missing or malformed. */
  bodyOf(id: string): string[] | null {
    const line = this.heads.get(id);
    const place = line === undefined ? null : placesOf(line);
    const body = place ? this.bodies.part(place.body) : null;
    if (!body) return null;
    const rest = body.toString('utf8').split('\t');
    // The body repeats the id: a body found at the wrong offset is never taken for this run's.
    return rest.length === BODY_FIELDS + 1 && rest[0] === id ? rest.slice(1) : null;
  }

  /** All the run's fields; null when missing or malformed. */
  fieldsOf(id: string): string[] | null {
    const head = this.headOf(id);
    const listing = head && this.listingOf(id);
    const body = head && listing !== null && this.bodyOf(id);
    return head && listing !== null && body ? [...head, listing, ...body] : null;
  }

  /** The run's entry as stored (to copy into the next file unchanged). */
  entryOf(id: string): CacheEntry | null {
    const line = this.heads.get(id);
    const place = line === undefined ? null : placesOf(line);
    const listing = place && this.listings.part(place.listing);
    const body = place && this.bodies.part(place.body);
    return place && listing && body ? { id, head: line!.slice(0, place.cut), listing, body } : null;
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

/** A head line's last two fields, `offset,length` of its listing and of its body, and where the head fields end. */
function placesOf(line: string): { cut: number; listing: Place; body: Place } | null {
  const last = line.lastIndexOf('\t');
  const cut = line.lastIndexOf('\t', last - 1);
  const listing = placeOf(line.slice(cut + 1, last));
  const body = placeOf(line.slice(last + 1));
  return cut > 0 && listing && body ? { cut, listing, body } : null;
}

function placeOf(text: string): Place | null {
  const comma = text.indexOf(',');
  const offset = Number(text.slice(0, comma));
  const length = Number(text.slice(comma + 1));
  return comma > 0 && Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 ? { offset, length } : null;
}

function parsedHeader(text: string): { workspace: string; heads: number; listings: number } | null {
  try {
    const h = JSON.parse(text) as { format?: unknown; workspace?: unknown; heads?: unknown; listings?: unknown } | null;
    if (!h || typeof h !== 'object' || h.format !== CACHE_FORMAT || typeof h.workspace !== 'string') return null;
    const size = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
    return size(h.heads) && size(h.listings) ? { workspace: h.workspace, heads: h.heads as number, listings: h.listings as number } : null;
  } catch {
    return null;
  }
}

/** One run as the next file will hold it: its head fields' text, its listing and its body (text or the stored bytes). */
export interface CacheEntry {
  id: string;
  head: string;
  listing: string | Buffer;
  body: string | Buffer;
}

/** A run's entry from its fields; null if a field would break the line (it is then not kept). */
export function entryOf(fields: readonly string[]): CacheEntry | null {
  if (fields.length !== HEAD_FIELDS + 1 + BODY_FIELDS) return null;
  for (const f of fields) if (f.includes('\t') || f.includes('\n')) return null;
  return { id: fields[F.id], head: fields.slice(0, HEAD_FIELDS).join('\t'), listing: fields[F.listing], body: [fields[F.id], ...fields.slice(F.meta)].join('\t') };
}

/** The whole file for `entries`. */
export function cacheBytes(root: string, entries: Iterable<CacheEntry>): Buffer {
  const listings: Buffer[] = [];
  const bodies: Buffer[] = [];
  let heads = '';
  let listingAt = 0;
  let bodyAt = 0;
  for (const e of entries) {
    const listing = typeof e.listing === 'string' ? Buffer.from(e.listing, 'utf8') : e.listing;
    const body = typeof e.body === 'string' ? Buffer.from(e.body, 'utf8') : e.body;
    heads += `${e.head}\t${listingAt},${listing.length}\t${bodyAt},${body.length}\n`;
    listings.push(listing);
    bodies.push(body);
    listingAt += listing.length;
    bodyAt += body.length;
  }
  const headsBuf = Buffer.from(heads, 'utf8');
  const header = Buffer.from(`${JSON.stringify({ format: CACHE_FORMAT, workspace: root, heads: headsBuf.length, listings: listingAt })}\n`, 'utf8');
  return Buffer.concat([header, headsBuf, ...listings, ...bodies]);
}

/**
 * The start-instant field: the instant, and a checksum of it with run.json's cached text.
 * Ordering uses the instant without parsing the text, so a damaged field must not pass
 * for a right one: it is a miss (read from disk), never a wrong order or an error.
 */
export function instantField(start: number, runText: string): string {
  return `${start}/${checksum(`${start}\t${runText}`)}`;
}

/** The instant of a start field, or NaN when it is empty or does not check out. */
export function instantOf(field: string, runText: string): number {
  const slash = field.indexOf('/');
  if (slash <= 0) return Number.NaN;
  const start = Number(field.slice(0, slash));
  return !Number.isNaN(start) && field.slice(slash + 1) === checksum(`${field.slice(0, slash)}\t${runText}`) ? start : Number.NaN;
}

/** FNV-1a, 32 bits: catches damage, not forgery (a forged cache is refused by trust.ts). */
function checksum(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
