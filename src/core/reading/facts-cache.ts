/**
 * A derived cache of what `runs` and `diagnose` read from disk for each run
 * (metadata and the record-log summary), so repeated calls on an unchanged
 * workspace stat files instead of reading and parsing them. The NDJSON and JSON
 * files stay the truth: an entry is used only when the stats of every file it was
 * built from still match (inode, size, mtime; a metadata rewrite is a rename, so
 * it always gets a new inode). Entries whose files changed within the last 2 s are
 * not kept, because a second change inside one timestamp tick would not show in
 * the mtime ("racily clean", as git calls it). Diagnosis is always recomputed.
 *
 * The cache lives outside the workspace (see src/commands/cache.ts), so read
 * commands never write to the workspace. Any failure to read or write it only
 * costs speed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRunMeta, type RunId, type RunMeta } from './catalog';
import { writeFileAtomic } from '../storage/fsio';
import type { RecordSummary } from '../model';
import { listNames, paths } from '../storage/store';
import { summarizeRecords } from './summarize';
import type { Workspace } from '../storage/workspace';

const CACHE_FORMAT = 2;
const RACY_MS = 2000;

/** Where runs and their record summaries come from: the disk, or the cache in front of it. */
export interface RunReader {
  meta(id: RunId): RunMeta;
  records(meta: RunMeta): RecordSummary;
  /** Persist what was learned (no-op for the plain disk reader). */
  save(): void;
}

export function diskReader(ws: Workspace): RunReader {
  return {
    meta: (id) => loadRunMeta(ws, id),
    records: (meta) => summarize(ws, meta),
    save: () => undefined,
  };
}

function summarize(ws: Workspace, meta: RunMeta): RecordSummary {
  const { all: _all, ...records } = summarizeRecords(paths.records(ws, meta.project, meta.name), meta.run_ref);
  return records;
}

interface Entry {
  key: string;
  meta: RunMeta;
  records: RecordSummary;
}

interface Stamp {
  key: string;
  newest: number;
}

function stat(file: string, stamp: { parts: string[]; newest: number }): void {
  try {
    const s = fs.statSync(file);
    stamp.parts.push(`${s.ino}:${s.size}:${s.mtimeMs}`);
    stamp.newest = Math.max(stamp.newest, s.mtimeMs, s.ctimeMs);
  } catch {
    stamp.parts.push('-');
  }
}

/** The stats of every file a run's facts are built from. Taken before reading, so a change after it shows next time. */
function stampOf(ws: Workspace, id: RunId, names: string[]): Stamp {
  const stageNames = [...names].sort();
  const acc = { parts: [] as string[], newest: 0 };
  stat(paths.runFile(ws, id.project, id.name), acc);
  stat(paths.stages(ws, id.project, id.name), acc);
  for (const stage of stageNames) stat(paths.stageFile(ws, id.project, id.name, stage), acc);
  stat(paths.records(ws, id.project, id.name), acc);
  return { key: `${stageNames.join(',')}|${acc.parts.join('|')}`, newest: acc.newest };
}

export interface CacheStats {
  hits: number;
  misses: number;
}

/** A RunReader that answers from `file` when the stats still match, and remembers what it had to read. */
export function cachedReader(ws: Workspace, file: string, nowMs: number): RunReader & { stats: CacheStats } {
  const entries = loadEntries(file, ws.root);
  const fresh = new Map<RunMeta, { id: string; stamp: Stamp }>();
  const hitRecords = new Map<RunMeta, RecordSummary>();
  const stats: CacheStats = { hits: 0, misses: 0 };
  let dirty = false;
  const idOf = (id: RunId) => `${id.project}/${id.name}`;

  return {
    stats,
    meta(id) {
      const cached = entries.get(idOf(id));
      if (cached && stampOf(ws, id, cached.meta.stages.map((s) => s.stage_name)).key === cached.key) {
        stats.hits++;
        hitRecords.set(cached.meta, cached.records);
        return cached.meta;
      }
      stats.misses++;
      const stamp = stampOf(ws, id, listNames(paths.stages(ws, id.project, id.name), '.json'));
      const meta = loadRunMeta(ws, id);
      fresh.set(meta, { id: idOf(id), stamp });
      return meta;
    },
    records(meta) {
      const hit = hitRecords.get(meta);
      if (hit) return hit;
      const records = summarize(ws, meta);
      const pending = fresh.get(meta);
      // Keep only entries whose files have been still for a while, and whose stage list matches the stamp.
      const stageList = `${meta.stages.map((s) => s.stage_name).sort().join(',')}|`;
      if (pending && pending.stamp.newest < nowMs - RACY_MS && pending.stamp.key.startsWith(stageList)) {
        entries.set(pending.id, { key: pending.stamp.key, meta, records });
        dirty = true;
      }
      return records;
    },
    save() {
      if (!dirty) return;
      try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        writeFileAtomic(file, JSON.stringify({ format: CACHE_FORMAT, workspace: ws.root, runs: Object.fromEntries(entries) }));
      } catch {
        // A cache that cannot be written only costs speed next time.
      }
    },
  };
}

function loadEntries(file: string, root: string): Map<string, Entry> {
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { format?: number; workspace?: string; runs?: Record<string, Entry> };
    if (doc.format === CACHE_FORMAT && doc.workspace === root && doc.runs && typeof doc.runs === 'object') {
      return new Map(Object.entries(doc.runs));
    }
  } catch {
    // No cache yet, or an unreadable one: start empty.
  }
  return new Map();
}
