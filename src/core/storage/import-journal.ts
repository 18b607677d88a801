/**
 * How `record import` appends a run's batch so that an interrupted import is visible
 * and concurrent imports of the same records do not duplicate them.
 *
 * - A marker `import-<id>.pending` (source, record count, start time) is created in the
 *   run directory before the first byte is appended and removed after the last. A killed
 *   import leaves it behind; readers report it (diagnose: unreadable_metadata, an error)
 *   until the same import is run again, which skips the records already present, appends
 *   the rest and clears the markers of that source.
 * - The append itself runs under the run's import lock. If the log grew since the importer
 *   read which records it already holds, the new tail is read again and records another
 *   import appended meanwhile are dropped from this batch.
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { appendChunks } from './append';
import { createFileExclusive, jsonText, safeUnlink, withLock } from './fsio';

export const PENDING_SUFFIX = '.pending';
export const PENDING_PREFIX = 'import-';

export interface ImportBatch {
  runDir: string;
  log: string;
  chunks: Buffer[];
  /** Size of the log when the importer read its record refs (null: not read, e.g. a new run). */
  knownSize: number | null;
  source: string;
  records: number;
  now: string;
}

/** record_refs of the log's lines from byte `from` on (the tail another import added meanwhile). */
function refsSince(log: string, from: number): Set<string> {
  const refs = new Set<string>();
  let fd: number;
  try {
    fd = fs.openSync(log, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return refs;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const tail = Buffer.alloc(Math.max(0, size - from));
    let got = 0;
    while (got < tail.length) {
      const n = fs.readSync(fd, tail, got, tail.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    for (const line of tail.subarray(0, got).toString('utf8').split('\n')) {
      try {
        const ref = JSON.parse(line)?.envelope?.record_ref;
        if (typeof ref === 'string') refs.add(ref);
      } catch {
        // a torn or foreign line holds no record to collide with
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return refs;
}

function withoutRefs(chunks: Buffer[], refs: Set<string>): { chunks: Buffer[]; dropped: number } {
  if (refs.size === 0) return { chunks, dropped: 0 };
  let dropped = 0;
  const kept: Buffer[] = [];
  for (const chunk of chunks) {
    const lines = chunk.toString('utf8').split('\n').filter((line) => {
      if (!line) return false;
      const ref = (JSON.parse(line) as { envelope: { record_ref: string } }).envelope.record_ref;
      if (refs.has(ref)) dropped++;
      return !refs.has(ref);
    });
    if (lines.length) kept.push(Buffer.from(`${lines.join('\n')}\n`));
  }
  return { chunks: kept, dropped };
}

/** Append one run's batch of an import (see the module comment). Returns how many records were dropped as already present. */
export function appendImport(batch: ImportBatch): { dropped: number } {
  const marker = `${batch.runDir}/${PENDING_PREFIX}${randomBytes(6).toString('hex')}${PENDING_SUFFIX}`;
  createFileExclusive(marker, jsonText({ source: batch.source, records: batch.records, started_at: batch.now }));
  let dropped = 0;
  withLock(`${batch.log}.import`, () => {
    let size = 0;
    try {
      size = fs.lstatSync(batch.log).size;
    } catch {
      size = 0;
    }
    let chunks = batch.chunks;
    if (size > (batch.knownSize ?? 0)) ({ chunks, dropped } = withoutRefs(chunks, refsSince(batch.log, batch.knownSize ?? 0)));
    appendChunks(batch.log, chunks);
  });
  // Complete: this import's marker goes, and so do those of earlier runs of the same import it completed.
  for (const name of pendingMarkers(batch.runDir)) {
    const file = `${batch.runDir}/${name}`;
    if (file === marker || pendingSource(file) === batch.source) safeUnlink(file);
  }
  return { dropped };
}

export function pendingMarkers(runDir: string): string[] {
  try {
    return fs.readdirSync(runDir).filter((n) => n.startsWith(PENDING_PREFIX) && n.endsWith(PENDING_SUFFIX));
  } catch {
    return [];
  }
}

function pendingSource(file: string): string | null {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { source?: string }).source ?? null;
  } catch {
    return null;
  }
}
