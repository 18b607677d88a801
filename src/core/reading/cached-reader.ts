/**
 * The read cache: what `runs` and `diagnose` read from disk for each run (metadata,
 * the record-log summary) and the diagnosis computed from it, so repeated calls on an
 * unchanged workspace stat files instead of reading, parsing and re-learning.
 *
 * The NDJSON and JSON files stay the truth. A run's cached parts are used only while
 * the stamps of the files they came from still match (stamps.ts), checked part by part
 * as a command uses them: ordering runs needs only run.json's stamp, so
 * `diagnose --latest` stats two files per run and the full set only for the runs it
 * diagnoses and their histories. Entries whose files changed within the last 2 s are
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
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { loadRunMeta, type RunId, type RunMeta } from './catalog';
import { openRegular, writeFileAtomic } from '../storage/fsio';
import { bodyLooksRight, countsLookRight, issuesLookRight, runLooksRight, summaryLooksRight } from './cache-shape';
import { CacheFile, cacheBytes, entryOf, F, type CacheEntry } from './cache-file';
import { summarize, untrusted, type CacheStats, type CacheTrust, type DiagnosisMemo, type RunReader } from './facts-cache';
import { bodyStamp, headStamp, namesOfBodyKey, stageFileNames, type Stamp } from './stamps';
import type { Issue, RecordSummary, TypeCounts, Unreadable } from '../model';
import type { Run, StageExecution } from '../../schema/entities';
import { runRef } from '../../schema/refs';
import type { Workspace } from '../storage/workspace';

const RACY_MS = 2000;

/** What one command learned about one run. */
interface Slot {
  id: RunId;
  /** The run's cached fields, head and body, once its head stamp matched (`cached`) and its body was used. */
  cached: boolean;
  fields: string[] | null;
  /** Stamps taken when the run was read from disk instead. */
  fresh: { head: Stamp; body: Stamp } | null;
  run: Run | null;
  body: { stages: StageExecution[]; unreadable: Unreadable[] } | null;
  records: RecordSummary | null;
  memo: { key: string; json: string } | null;
  /** The cached record summary was malformed and has been read again. */
  mended: boolean;
  dirty: boolean;
}

const BAD = Symbol('bad');
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return BAD;
  }
}

/** JSON gives these back unchanged (no NaN, Infinity, -0 or undefined in arrays): safe to remember. */
function jsonSafe(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every((x) => x !== undefined && jsonSafe(x));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.values(v as object).every((x) => x === undefined || jsonSafe(x));
  }
  return false;
}

export function cachedReader(
  ws: Workspace,
  file: string,
  nowMs: number,
  trust: CacheTrust = { uid: null },
): RunReader & { stats: CacheStats; distrust: string | null } {
  const { cache, distrust } = loadCache(file, ws.root, trust);
  const slots = new Map<RunMeta, Slot>();
  const stats: CacheStats = { hits: 0, misses: 0, recalled: 0 };
  const idOf = (id: RunId) => `${id.project}/${id.name}`;
  const settled = (s: Slot) => s.fresh !== null && Math.max(s.fresh.head.newest, s.fresh.body.newest) < nowMs - RACY_MS;

  /** Read the run from disk (stamps first, so a change after them shows next time). */
  function readFromDisk(slot: Slot): RunMeta {
    const head = headStamp(ws, slot.id);
    const body = bodyStamp(ws, slot.id, stageFileNames(ws, slot.id));
    const meta = loadRunMeta(ws, slot.id);
    Object.assign(slot, { cached: false, fields: null, fresh: { head, body }, run: meta.run, records: null, memo: null });
    slot.body = { stages: meta.stages, unreadable: meta.unreadable };
    slot.dirty = settled(slot);
    return meta;
  }

  /** The stages and unreadable list, from the cache while its body stamp matches, else from disk. */
  function bodyOf(slot: Slot): NonNullable<Slot['body']> {
    if (slot.body) return slot.body;
    const fields = slot.cached ? (slot.fields ??= cache.fieldsOf(idOf(slot.id))) : null;
    const names = fields && namesOfBodyKey(fields[F.body]);
    if (fields && names && bodyStamp(ws, slot.id, names).key === fields[F.body]) {
      const body = parsed(fields[F.meta]);
      if (bodyLooksRight(body, slot.id)) return (slot.body = body as NonNullable<Slot['body']>);
    }
    stats.hits--;
    stats.misses++;
    readFromDisk(slot);
    return slot.body!;
  }

  const memo: DiagnosisMemo = {
    token(meta) {
      const slot = slots.get(meta);
      if (!slot) return null;
      bodyOf(slot);
      if (slot.fields) return slot.fields[F.token];
      return settled(slot) ? tokenOf(slot.fresh!) : null;
    },
    recall(meta, key) {
      const slot = slots.get(meta);
      // A line with a malformed part is suspect as a whole: its diagnosis is computed again.
      if (!slot || slot.mended || memo.token(meta) === null) return undefined;
      const remembered = slot.memo ?? (slot.fields ? { key: slot.fields[F.memoKey], json: slot.fields[F.memo] } : null);
      if (!remembered || remembered.key !== key) return undefined;
      const issues = parsed(remembered.json);
      if (!issuesLookRight(issues, slot.id)) return undefined;
      stats.recalled++;
      return issues as Issue[];
    },
    remember(meta, key, issues) {
      const slot = slots.get(meta);
      if (!slot || memo.token(meta) === null || !jsonSafe(issues)) return;
      slot.memo = { key, json: JSON.stringify(issues) };
      slot.dirty = true;
    },
  };

  const reader = {
    stats,
    distrust,
    memo,
    meta(id: RunId): RunMeta {
      const slot: Slot = { id, cached: false, fields: null, fresh: null, run: null, body: null, records: null, memo: null, mended: false, dirty: false };
      const place = cache.heads.get(idOf(id));
      const head = place?.head.split('\t');
      if (head && head.length === F.run + 1 && headStamp(ws, id).key === head[F.head]) {
        const run = parsed(head[F.run]);
        if (run !== BAD && runLooksRight(run, id)) {
          stats.hits++;
          slot.cached = true;
          slot.run = run as Run | null;
          // Stages and the unreadable list are checked against their stamps only when used.
          const meta: RunMeta = {
            project: id.project,
            name: id.name,
            run_ref: runRef(id.project, id.name),
            run: slot.run,
            get stages() {
              return bodyOf(slot).stages;
            },
            get unreadable() {
              return bodyOf(slot).unreadable;
            },
          };
          slots.set(meta, slot);
          return meta;
        }
      }
      stats.misses++;
      const meta = readFromDisk(slot);
      slots.set(meta, slot);
      return meta;
    },
    counts(meta: RunMeta): TypeCounts {
      const slot = slots.get(meta);
      if (slot && !slot.records) {
        bodyOf(slot);
        const counts = slot.fields ? parsed(slot.fields[F.counts]) : BAD;
        if (countsLookRight(counts)) return counts as TypeCounts;
      }
      return reader.records(meta).counts;
    },
    records(meta: RunMeta): RecordSummary {
      const slot = slots.get(meta);
      if (!slot) return summarize(ws, meta);
      if (slot.records) return slot.records;
      bodyOf(slot);
      if (slot.fields) {
        const records = parsed(slot.fields[F.records]);
        if (summaryLooksRight(records, slot.id)) return (slot.records = records as RecordSummary);
        // Stamps still match but the part is malformed: read the log again and mend the entry.
        slot.mended = slot.dirty = true;
      }
      return (slot.records = summarize(ws, meta));
    },
    save(): void {
      const changed = new Map<string, CacheEntry>();
      for (const slot of slots.values()) {
        const entry = slot.dirty ? entryFor(slot) : null;
        if (entry) changed.set(entry.id, entry);
      }
      if (changed.size && !distrust) write(changed);
      cache.close();
    },
  };

  function write(changed: Map<string, CacheEntry>): void {
    const entries: CacheEntry[] = [];
    for (const [id, place] of cache.heads) {
      if (changed.has(id)) continue;
      const body = cache.bodyBytes(place);
      if (body) entries.push({ id, head: place.head, body });
    }
    try {
      // One level only: the caller made and checked the parents (mkdir -p spins under /proc).
      if (!fs.existsSync(dirname(file))) fs.mkdirSync(dirname(file), { mode: 0o700 });
      writeFileAtomic(file, cacheBytes(ws.root, [...entries, ...changed.values()]));
    } catch {
      // A cache that cannot be written only costs speed next time.
    }
  }
  return reader;

  /** The run's new entry, or null when there is nothing whole to keep. */
  function entryFor(slot: Slot): CacheEntry | null {
    const memoFields = slot.memo ? [slot.memo.key, slot.memo.json] : null;
    if (slot.fields) {
      const fields = [...slot.fields];
      if (slot.mended) {
        fields[F.records] = JSON.stringify(slot.records);
        fields[F.counts] = JSON.stringify(slot.records!.counts);
      }
      if (memoFields) [fields[F.memoKey], fields[F.memo]] = memoFields;
      return entryOf(fields);
    }
    if (!slot.fresh || !slot.records || !slot.body || !settled(slot)) return null;
    return entryOf([
      idOf(slot.id),
      slot.fresh.head.key,
      JSON.stringify(slot.run),
      slot.fresh.body.key,
      JSON.stringify(slot.body),
      JSON.stringify(slot.records),
      JSON.stringify(slot.records.counts),
      tokenOf(slot.fresh),
      ...(memoFields ?? ['', '[]']),
    ]);
  }
}

/** Deterministic: the same file states give the same token, whenever the entry is rebuilt. */
function tokenOf(fresh: { head: Stamp; body: Stamp }): string {
  return createHash('sha256').update(`${fresh.head.key}\n${fresh.body.key}`).digest('base64url').slice(0, 22);
}

function loadCache(file: string, root: string, trust: CacheTrust): { cache: CacheFile; distrust: string | null } {
  let fd: number;
  try {
    fd = openRegular(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // No cache yet is normal; a symlink or a FIFO in its place is not to be trusted.
    return { cache: CacheFile.empty(), distrust: code === 'ENOENT' ? null : `${file} is not a regular file of yours (${code})` };
  }
  try {
    const st = fs.fstatSync(fd);
    const distrust = untrusted(st, trust, file);
    if (distrust) {
      fs.closeSync(fd);
      return { cache: CacheFile.empty(), distrust };
    }
    return { cache: CacheFile.read(fd, st.size, root), distrust: null };
  } catch {
    // An unreadable or corrupt cache: start empty (it is rewritten on save).
    try {
      fs.closeSync(fd);
    } catch {
      // already closed by CacheFile.read
    }
    return { cache: CacheFile.empty(), distrust: null };
  }
}
