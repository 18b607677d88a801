/**
 * The parts of the read cache's file that are read by offset (cache-file.ts): a section
 * read part by part, and the rows section, read whole and checked.
 */
import { createHash } from 'node:crypto';

/** Where a section's parts come from: the cache file's one open descriptor. */
export interface FileReader {
  /** Fills `buf` from `position`; the bytes read, or -1. */
  readAt(buf: Buffer, position: number): number;
}

/** Reading parts one by one costs a system call each: past this many, a section is read at once. */
const SINGLE_READS = 64;

export interface Place {
  offset: number;
  length: number;
}

/** A section of the file: read part by part, or whole once parts are asked for often. */
export class Section {
  private whole: Buffer | null = null;
  private singleReads = 0;

  constructor(
    private readonly file: FileReader,
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

/**
 * The rows section, read whole when a row is first asked for and used only if its
 * digest is the header's: a damaged row would otherwise be copied into `runs --json`
 * as it is. SHA-1 because Node hashes it fastest (14 MB for 10,000 runs in ~17 ms);
 * it catches damage, and a forged cache is refused by trust.ts.
 */
export class Rows {
  /** The section as text (a char a byte: rows are ASCII); null when damaged. */
  private loaded: string | null | undefined;

  constructor(
    private readonly file: FileReader,
    private readonly at: number,
    private readonly length: number,
    private readonly digest: string,
  ) {}

  /** The row at `place` ('' for an empty place); null when the section is damaged or the place outside it. */
  text(place: Place): string | null {
    const rows = this.load();
    return rows !== null && place.offset + place.length <= this.length ? rows.slice(place.offset, place.offset + place.length) : null;
  }

  bytes(place: Place): Buffer | null {
    const row = this.text(place);
    return row === null ? null : Buffer.from(row, 'latin1');
  }

  private load(): string | null {
    if (this.loaded === undefined) {
      // Kept as text only: the bytes would be a second copy (14 MB over 10,000 runs).
      const bytes = Buffer.alloc(this.length);
      const whole = this.length === 0 || this.file.readAt(bytes, this.at) === this.length;
      this.loaded = whole && digestOf(bytes) === this.digest ? bytes.toString('latin1') : null;
    }
    return this.loaded;
  }
}

/** SHA-1, as base64: Node hashes it fastest; it catches damage (a forged cache is refused by trust.ts). */
export const digestOf = (bytes: Buffer) => createHash('sha1').update(bytes).digest('base64');
