/**
 * Appending to a run's records.ndjson. Every call writes whole lines only,
 * each chunk in one write(2) on an O_APPEND descriptor, so parallel writers on
 * a local filesystem never interleave inside a line. A torn last line left by
 * a killed writer is closed with a newline first, so new records never glue
 * onto the fragment.
 */
import * as fs from 'node:fs';
import { ContextaError, ioError } from '../errors';
import { notRegular } from './fsio';

/** Longest line accepted: far above any real record, well below what a single write keeps whole. */
export const MAX_LINE_BYTES = 64 * 1024;
/** Lines are grouped into writes of at most this size (each a run of whole lines). */
const CHUNK_BYTES = 1024 * 1024;
const FIRST_CHUNK_BYTES = 16 * 1024;

// Read-write so the last byte can be checked for a torn line before appending.
// O_NONBLOCK: a FIFO planted as the log must be refused, not block or swallow the record.
const APPEND_FLAGS = fs.constants.O_RDWR | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

export function lineTooLong(bytes: number): string {
  return `record line is ${bytes} bytes; the limit is ${MAX_LINE_BYTES} bytes (64 KiB) so that each line is written whole`;
}

/** Append lines (each without its newline) to `file`. */
export function appendLines(file: string, lines: string[]): void {
  if (lines.length === 0) return;
  appendChunks(file, chunkLines(lines));
}

/** Append chunks that each hold whole lines (every one ending in a newline), one write(2) each. */
export function appendChunks(file: string, chunks: Buffer[]): void {
  if (chunks.length === 0) return;
  let fd: number;
  try {
    fd = fs.openSync(file, APPEND_FLAGS, 0o644);
  } catch (err) {
    throw ioError('open for append', file, err);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new ContextaError('workspace', `refusing to append to ${file}: ${notRegular(file, st).message.replace(`${file} `, '')}`, { file });
    if (endsTorn(fd)) writeWhole(fd, file, Buffer.from('\n'));
    for (const chunk of chunks) writeWhole(fd, file, chunk);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Packs lines into buffers of whole lines, at most CHUNK_BYTES each: one write(2)
 * per buffer. Also how `record import` holds a big batch in memory compactly
 * (bytes, not one string per record) until it is validated whole. Lines are
 * copied into the current chunk as they come (no string per line is kept); a
 * chunk starts small and doubles, so an import spread over many runs does not
 * hold a mostly empty megabyte per run.
 */
export class ChunkBuilder {
  readonly chunks: Buffer[] = [];
  /** Lines added so far. */
  lineCount = 0;
  private current: Buffer | null = null;
  private used = 0;

  add(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (bytes > MAX_LINE_BYTES) throw new ContextaError('invalid_input', lineTooLong(bytes));
    const at = this.room(bytes + 1);
    this.current!.write(line, at, 'utf8');
    this.current![at + bytes] = 0x0a;
  }

  /** Add the line held in `source[start, end)` (no newline), bytes as they are. */
  addBytes(source: Uint8Array, start: number, end: number): void {
    const bytes = end - start;
    if (bytes > MAX_LINE_BYTES) throw new ContextaError('invalid_input', lineTooLong(bytes));
    const at = this.room(bytes + 1);
    // A plain view: Buffer#subarray goes through Buffer's constructor, a measurable cost per line.
    this.current!.set(new Uint8Array(source.buffer, source.byteOffset + start, bytes), at);
    this.current![at + bytes] = 0x0a;
  }

  finish(): Buffer[] {
    if (this.used) this.chunks.push(this.current!.subarray(0, this.used));
    this.current = null;
    this.used = 0;
    return this.chunks;
  }

  /** Offset in `current` where `bytes` more fit, starting a new chunk or growing this one as needed. */
  private room(bytes: number): number {
    this.lineCount++;
    const capacity = this.current ? this.current.length : 0;
    if (this.used + bytes > capacity) {
      let size: number;
      if (this.used + bytes > CHUNK_BYTES) {
        // Full: this chunk is written as it is, and the next starts at full size (the batch is big).
        this.chunks.push(this.current!.subarray(0, this.used));
        this.current = null;
        this.used = 0;
        size = CHUNK_BYTES;
      } else {
        size = Math.max(FIRST_CHUNK_BYTES, capacity * 2);
        while (size < this.used + bytes) size *= 2;
        size = Math.min(size, CHUNK_BYTES);
      }
      const grown = Buffer.allocUnsafe(size);
      if (this.current) this.current.copy(grown, 0, 0, this.used);
      this.current = grown;
    }
    this.used += bytes;
    return this.used - bytes;
  }
}

export function chunkLines(lines: string[]): Buffer[] {
  const builder = new ChunkBuilder();
  for (const line of lines) builder.add(line);
  return builder.finish();
}

/** How long a non-newline end must stay put before it counts as torn (see endsTorn). */
const SETTLE_MS = 100;
const SETTLE_STEP_MS = 2;
const settleCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * True when the log ends inside a line left by a dead writer. While another
 * process's multi-page write(2) is in flight, the file can end mid-line for a
 * moment (readers see the size grow page by page); mending that would leave a
 * blank line. A torn line does not move, so a non-newline end counts as torn
 * only once the size has stayed the same for SETTLE_MS.
 */
function endsTorn(fd: number): boolean {
  const last = Buffer.alloc(1);
  let size = fs.fstatSync(fd).size;
  let stableFor = 0;
  for (;;) {
    if (size === 0) return false;
    fs.readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return false;
    if (stableFor >= SETTLE_MS) return true;
    Atomics.wait(settleCell, 0, 0, SETTLE_STEP_MS);
    const now = fs.fstatSync(fd).size;
    stableFor = now === size ? stableFor + SETTLE_STEP_MS : 0;
    size = now;
  }
}

/**
 * One write(2) for the whole chunk. A short write only happens when the disk
 * fills; then the fragment is cut off again if no other writer appended after
 * it, so the log keeps whole lines only.
 */
function writeWhole(fd: number, file: string, chunk: Buffer): void {
  const before = fs.fstatSync(fd).size;
  let written = 0;
  try {
    written = fs.writeSync(fd, chunk, 0, chunk.length);
    if (written === chunk.length) return;
    throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
  } catch (err) {
    rollBack(fd, before, written);
    throw ioError('append to', file, err);
  }
}

function rollBack(fd: number, before: number, written: number): void {
  try {
    const now = fs.fstatSync(fd).size;
    if (now > before && now === before + written) fs.ftruncateSync(fd, before);
  } catch {
    // nothing more can be done; readers report a torn line with its number
  }
}
