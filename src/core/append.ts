/**
 * Appending to a run's records.ndjson. Every call writes whole lines only,
 * each chunk in one write(2) on an O_APPEND descriptor, so parallel writers on
 * a local filesystem never interleave inside a line. A torn last line left by
 * a killed writer is closed with a newline first, so new records never glue
 * onto the fragment.
 */
import * as fs from 'node:fs';
import { ContextaError, ioError } from './errors';

/** Longest line accepted: far above any real record, well below what a single write keeps whole. */
export const MAX_LINE_BYTES = 64 * 1024;
/** Lines are grouped into writes of at most this size (each a run of whole lines). */
const CHUNK_BYTES = 1024 * 1024;

// Read-write so the last byte can be checked for a torn line before appending.
const APPEND_FLAGS = fs.constants.O_RDWR | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW;

export function lineTooLong(bytes: number): string {
  return `record line is ${bytes} bytes; the limit is ${MAX_LINE_BYTES} bytes (64 KiB) so that each line is written whole`;
}

/** Append lines (each without its newline) to `file`. */
export function appendLines(file: string, lines: string[]): void {
  if (lines.length === 0) return;
  const chunks = toChunks(lines);
  let fd: number;
  try {
    fd = fs.openSync(file, APPEND_FLAGS, 0o644);
  } catch (err) {
    throw ioError('open for append', file, err);
  }
  try {
    if (endsTorn(fd)) writeWhole(fd, file, Buffer.from('\n'));
    for (const chunk of chunks) writeWhole(fd, file, chunk);
  } finally {
    fs.closeSync(fd);
  }
}

function toChunks(lines: string[]): Buffer[] {
  const chunks: Buffer[] = [];
  let parts: string[] = [];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(line) + 1;
    if (bytes - 1 > MAX_LINE_BYTES) throw new ContextaError('invalid_input', lineTooLong(bytes - 1));
    if (size + bytes > CHUNK_BYTES && parts.length) {
      chunks.push(Buffer.from(parts.join('')));
      parts = [];
      size = 0;
    }
    parts.push(line, '\n');
    size += bytes;
  }
  if (parts.length) chunks.push(Buffer.from(parts.join('')));
  return chunks;
}

function endsTorn(fd: number): boolean {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  return last[0] !== 0x0a;
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
