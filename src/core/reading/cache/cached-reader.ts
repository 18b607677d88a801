/**
 * The read cache: what `runs` and `diagnose` read from disk for each run (metadata,
 * the record-log summary) and the diagnosis computed from it, so repeated calls on an
 * unchanged workspace stat files instead of reading, parsing and re-learning.
 *
 * The NDJSON and JSON files stay the truth. A run's cached parts are used only while
 * the stamps of the files they came from still match (stamps.ts), checked part by part
 * as a command uses them: ordering runs needs only run.json's stamp, so
 * `diagnose --latest` stats one file per run and the full set only for the runs it
 * diagnoses and their histories. A warm `runs` stats every file but reads no stage
 * file or log: each run's row (as `runs --json` writes it) is remembered with its
 * diagnosis. Entries whose files changed within the last 2 s are
 * not kept, because a second change inside one timestamp tick would not show in the
 * mtime ("racily clean", as git calls it).
 *
 * A remembered diagnosis is used only under the key of every input it came from (see
 * DiagnosisMemo). The cache lives outside the workspace (src/commands/cache.ts), is
 * trusted only when the current user owns it and no one else can write it (a planted
 * cache could otherwise make `diagnose` pass), and every part's shape is checked when
 * it is used: a wrong shape is a miss, never a crash. Failing to read or write it
 * only costs speed.
 */
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { lazyRunMeta, readRunBody, readRunHead, startInstant, type RunBody, type RunHead, type RunId, type RunMeta } from '../catalog';
import { ContextaError } from '../../errors';
import { runRef } from '../../../schema/refs';
import type { Run } from '../../../schema/entities';
import { writeFileAtomic } from '../../storage/fsio';
import { BAD, bodyLooksRight, countsLookRight, headLooksRight, issuesLookRight, jsonSafe, parsed, summaryLooksRight } from './cache-shape';
import { cacheBytes, entryOf, F, type CacheEntry } from './cache-file';
import { instantField, instantOf, runTextChecks } from './start-instant';
import { summarize, type DiagnosisMemo, type RunReader } from '../run-reader';
import { openCache, type CacheTrust } from './trust';
import { bodyStamp, headStamp, namesOf, stageFileNames } from './stamps';
import type { Issue, RecordSummary, TypeCounts } from '../../model';
import { CachedHead, type Body, type CacheStats, type Part, type Remembered, type Slot } from './slot';

export type { CacheStats } from './slot';
import type { Workspace } from '../../storage/workspace';

const RACY_MS = 2000;
/** A body field's place among the body fields alone. */
const inBody = (field: number) => field - F.meta;

export function cachedReader(
  ws: Workspace,
  file: string,
  nowMs: number,
  trust: CacheTrust = { uid: null },
): RunReader & { stats: CacheStats; distrust: string | null } {
  const { cache, distrust } = openCache(file, ws.root, trust);
  const slots = new Map<RunMeta, Slot>();
  const stats: CacheStats = { hits: 0, misses: 0, recalled: 0, bodies_read: 0 };
  const idOf = (id: RunId) => `${id.project}/${id.name}`;
  const settled = (p: Part) => p.fromCache || p.newest < nowMs - RACY_MS;

  function headOf(id: RunId, cached: readonly string[] | null): Part & RunHead {
    // The stamp first, so a change while reading shows next time.
    const stamp = headStamp(ws, id);
    if (cached && cached[F.head] === stamp.key) {
      const start = instantOf(cached[F.start], cached[F.id]);
      if (!Number.isNaN(start)) return new CachedHead(id, stamp.key, start, cached[F.run], cached[F.start], runOf);
      const head = parsed(cached[F.run]) as RunHead;
      if (headLooksRight(head, id) && head.run === null) return { run: null, unreadable: head.unreadable, odd: head.odd, key: stamp.key, newest: 0, fromCache: true };
    }
    const read = readRunHead(ws, id);
    return { run: read.run, unreadable: read.unreadable, odd: read.odd, key: stamp.key, newest: stamp.newest, fromCache: false };
  }

  /** run.json's content from its cached text; read again from disk should the text prove malformed. */
  function runOf(id: RunId, text: string, start: number, startField: string): Run {
    // A text damaged in a way that keeps its shape (a status for another) fails its checksum.
    const head = runTextChecks(startField, text) ? parsed(text) : BAD;
    const run = headLooksRight(head, id) ? (head as RunHead).run : null;
    return run !== null && startInstant(run) === start ? run : reread(id, start);
  }

  function reread(id: RunId, start: number): Run {
    const read = readRunHead(ws, id);
    // Runs were ordered by `start` already: a run.json that says otherwise changed meanwhile.
    if (read.run && startInstant(read.run) === start) return read.run;
    throw new ContextaError('workspace', `${runRef(id.project, id.name)} changed while it was being read; run the command again`);
  }

  /** Whether the cached body's files are as they were: their stamp alone, nothing read. */
  function cachedBodyMatches(slot: Slot): boolean {
    if (slot.bodyValid === undefined) {
      const rest = restOf(slot);
      // An odd entry (a link, a file) has no body, whatever its target holds.
      const names = rest && rest.body !== '' && !slot.head.odd ? namesOf(rest.names) : null;
      slot.bodyValid = names !== null && bodyStamp(ws, slot.id, names).key === rest!.body;
    }
    return slot.bodyValid;
  }

  /** The rest of the run's cached head line (after run.json's text), split when first used. */
  const restOf = (slot: Slot) => (slot.rest === undefined ? (slot.rest = slot.cached && cache.restOf(slot.key)) : slot.rest);

  const bodyFieldsOf = (slot: Slot) => {
    if (slot.bodyFields === undefined) {
      const rest = restOf(slot);
      slot.bodyFields = rest && cache.bodyAt(slot.key, rest.bodyPlace);
    }
    return slot.bodyFields;
  };

  /** The run's remembered `runs` row ('' when none); null when missing or its section is damaged. */
  const cachedRowOf = (slot: Slot) => {
    const rest = restOf(slot);
    return rest && cache.rowAt(rest.row);
  };

  /** The stages and body problems: from the cache while its body stamp matches, else from disk. */
  function bodyOf(slot: Slot): Body {
    if (slot.body) return slot.body;
    if (cachedBodyMatches(slot)) {
      const fields = bodyFieldsOf(slot);
      const body = fields ? parsed(fields[inBody(F.meta)]) : BAD;
      if (bodyLooksRight(body, slot.id)) {
        const rest = restOf(slot)!;
        return (slot.body = { ...(body as RunBody), names: rest.names, key: rest.body, newest: 0, fromCache: true });
      }
    }
    if (slot.head.fromCache) {
      stats.hits--;
      stats.misses++;
    }
    stats.bodies_read++;
    const listed = stageFileNames(ws, slot.id);
    const stamp = bodyStamp(ws, slot.id, listed ?? []);
    // The names listed for the stamp are the ones read (stages/ is listed once, not twice).
    const read = readRunBody(ws, slot.id, slot.head.odd, listed);
    return (slot.body = { ...read, names: (listed ?? []).join(','), key: stamp.key, newest: stamp.newest, fromCache: false });
  }

  /** What the cache remembered for `key` (issues or row), or undefined. */
  function remembered(slot: Slot, key: string, mine: Remembered | null, cachedJson: () => string | undefined): string | undefined {
    if (mine) return mine.key === key ? mine.json : undefined;
    return restOf(slot)?.memoKey === key ? cachedJson() : undefined;
  }

  const memo: DiagnosisMemo = {
    token(meta) {
      const slot = slots.get(meta);
      if (!slot || !settled(slot.head)) return null;
      // A matching cached body vouches without being read (a warm `runs` reads no body).
      if (!slot.body && cachedBodyMatches(slot)) return `${slot.head.key}.${restOf(slot)!.body}`;
      const body = bodyOf(slot);
      return settled(body) ? `${slot.head.key}.${body.key}` : null;
    },
    recall(meta, key) {
      const slot = slots.get(meta);
      // A line with a malformed part is suspect as a whole: its diagnosis is computed again.
      if (!slot || slot.mended || memo.token(meta) === null) return undefined;
      const json = remembered(slot, key, slot.memo, () => bodyFieldsOf(slot)?.[inBody(F.memo)]);
      const issues = json === undefined ? BAD : parsed(json);
      if (!issuesLookRight(issues, slot.id)) return undefined;
      stats.recalled++;
      return issues as Issue[];
    },
    remember(meta, key, issues) {
      const slot = slots.get(meta);
      if (!slot || memo.token(meta) === null || !jsonSafe(issues)) return;
      slot.memo = { key, json: JSON.stringify(issues) };
    },
    recallRow(meta, key) {
      const slot = slots.get(meta);
      if (!slot || slot.mended || memo.token(meta) === null) return undefined;
      // Checked by the rows section's digest (cache-file.ts); the caller checks a row it parses.
      const row = remembered(slot, key, slot.row, () => cachedRowOf(slot) || undefined);
      if (row !== undefined) stats.recalled++;
      return row;
    },
    rememberRow(meta, key, row) {
      const slot = slots.get(meta);
      if (!slot || memo.token(meta) === null) return;
      slot.row = { key, json: row };
    },
  };

  const reader = {
    stats,
    distrust,
    memo,
    meta(id: RunId): RunMeta {
      const key = idOf(id);
      const cached = cache.headOf(key);
      const slot: Slot = { id, key, cached, head: headOf(id, cached), body: null, records: null, memo: null, row: null, mended: false };
      if (slot.head.fromCache) stats.hits++;
      else stats.misses++;
      // Stages and the body's problems are read (or checked against their stamps) only when used.
      const meta = lazyRunMeta(id, slot.head, () => bodyOf(slot));
      slots.set(meta, slot);
      return meta;
    },
    counts(meta: RunMeta): TypeCounts {
      const slot = slots.get(meta);
      if (slot && !slot.records && bodyOf(slot).fromCache) {
        const counts = parsed(bodyFieldsOf(slot)![inBody(F.counts)]);
        if (countsLookRight(counts)) return counts as TypeCounts;
      }
      return reader.records(meta).counts;
    },
    records(meta: RunMeta): RecordSummary {
      const slot = slots.get(meta);
      if (!slot) return summarize(ws, meta);
      if (slot.records) return slot.records;
      if (bodyOf(slot).fromCache) {
        const records = parsed(bodyFieldsOf(slot)![inBody(F.records)]);
        if (summaryLooksRight(records, slot.id)) return (slot.records = records as RecordSummary);
        // Stamps still match but the part is malformed: read the log again and mend the entry.
        slot.mended = true;
      }
      return (slot.records = summarize(ws, meta));
    },
    save(): void {
      const changed = new Map<string, CacheEntry>();
      for (const slot of slots.values()) {
        const entry = entryFor(slot);
        if (entry) changed.set(entry.id, entry);
      }
      if (changed.size && !distrust) write(changed);
      cache.close();
    },
  };

  function write(changed: Map<string, CacheEntry>): void {
    const entries: CacheEntry[] = [];
    for (const id of cache.heads.keys()) {
      if (changed.has(id)) continue;
      const entry = cache.storedEntry(id);
      if (entry) entries.push(entry);
    }
    try {
      // One level only: the caller made and checked the parents (mkdir -p spins under /proc).
      if (!fs.existsSync(dirname(file))) fs.mkdirSync(dirname(file), { mode: 0o700 });
      writeFileAtomic(file, cacheBytes(ws.root, [...entries, ...changed.values()]));
    } catch {
      // A cache that cannot be written only costs speed next time.
    }
  }

  /** The run's entry when it has something new to keep (a part read from disk and settled, a diagnosis, a row), else null. */
  function entryFor(slot: Slot): CacheEntry | null {
    const { head, body } = slot;
    const rest = restOf(slot);
    const newHead = !head.fromCache && settled(head);
    const newBody = body !== null && !body.fromCache && settled(body) && slot.records !== null;
    if (!newHead && !newBody && !slot.memo && !slot.row && !slot.mended) return null;
    if (!settled(head)) return null;
    const run = head.run;
    const text = JSON.stringify({ run, unreadable: head.unreadable, odd: head.odd });
    const headFields = [slot.key, head.key, run ? instantField(startInstant(run), slot.key, text) : '', text];
    // From F.names on: the body's stamp and what was remembered under the memo key, then the body fields.
    const kept: Record<'names' | 'body' | 'memoKey' | 'row' | 'meta' | 'records' | 'counts' | 'memo', string> =
      { names: '', body: '', memoKey: '', row: '', meta: '', records: '', counts: '', memo: '[]' };
    if (newBody) {
      Object.assign(kept, {
        names: body!.names,
        body: body!.key,
        meta: JSON.stringify({ stages: body!.stages, unreadable: body!.unreadable }),
        records: JSON.stringify(slot.records),
        counts: JSON.stringify(slot.records!.counts),
      });
    } else if (body ? body.fromCache : rest !== null && rest.body !== '' && !head.odd) {
      // The cached body: used and still right, or not used this time (its stamp decides next time).
      const fields = bodyFieldsOf(slot);
      if (fields) {
        const [meta, records, counts, memo] = fields;
        Object.assign(kept, { names: rest!.names, body: rest!.body, meta, records, counts });
        // Remembered under the old head's token, it could never be recalled again.
        if (head.fromCache) Object.assign(kept, { memoKey: rest!.memoKey, row: cachedRowOf(slot) ?? '', memo });
        if (slot.mended) Object.assign(kept, { records: JSON.stringify(slot.records), counts: JSON.stringify(slot.records!.counts) });
      }
    }
    if (kept.body !== '') {
      if (slot.memo) {
        if (kept.memoKey !== slot.memo.key) kept.row = '';
        Object.assign(kept, { memoKey: slot.memo.key, memo: slot.memo.json });
      }
      if (slot.row && slot.row.key === kept.memoKey) kept.row = slot.row.json;
    }
    const { names, body: bodyKey, memoKey, row, meta, records, counts, memo } = kept;
    return entryOf([...headFields, names, bodyKey, memoKey, row, meta, records, counts, memo]);
  }
  return reader;
}
