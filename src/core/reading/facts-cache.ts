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
 * costs speed. It is trusted only when the current user owns it and no one else
 * can write it (a planted cache could otherwise make `diagnose` pass), and every
 * entry's shape is checked when it is used: a wrong shape is a miss, never a crash.
 */
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { loadRunMeta, type RunId, type RunMeta } from './catalog';
import { openRegular, writeFileAtomic } from '../storage/fsio';
import { entryLooksRight } from './cache-shape';
import type { RecordSummary } from '../model';
import { listNames, paths } from '../storage/store';
import { summarizeRecords } from './summarize';
import type { Workspace } from '../storage/workspace';

const CACHE_FORMAT = 3;
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
    // lstat: a file swapped for a symlink is a change; ctime: a same-size edit with its mtime put back is one too.
    const s = fs.lstatSync(file);
    stamp.parts.push(`${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.mode}`);
    stamp.newest = Math.max(stamp.newest, s.mtimeMs, s.ctimeMs);
  } catch {
    stamp.parts.push('-');
  }
}

/** The stats of every file a run's facts are built from. Taken before reading, so a change after it shows next time. */
function stampOf(ws: Workspace, id: RunId, names: string[]): Stamp {
  const stageNames = [...names].sort();
  const acc = { parts: [] as string[], newest: 0 };
  // The run directory itself: an import marker appearing or going changes its mtime.
  stat(paths.run(ws, id.project, id.name), acc);
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

/** Whose cache files may be trusted: the current user's (null where there are no uids). */
export interface CacheTrust {
  uid: number | null;
}

/** Why a cache file or directory may not be trusted, or null. */
export function untrusted(st: fs.Stats, trust: CacheTrust, what: string): string | null {
  if (trust.uid !== null && st.uid !== trust.uid) return `${what} is owned by uid ${st.uid}, not by you (uid ${trust.uid})`;
  if (st.mode & 0o022) return `${what} is writable by others (mode ${(st.mode & 0o777).toString(8)})`;
  return null;
}

/** A RunReader that answers from `file` when the stats still match, and remembers what it had to read. */
export function cachedReader(
  ws: Workspace,
  file: string,
  nowMs: number,
  trust: CacheTrust = { uid: null },
): RunReader & { stats: CacheStats; distrust: string | null } {
  const { entries, distrust } = loadEntries(file, ws.root, trust);
  const fresh = new Map<RunMeta, { id: string; stamp: Stamp }>();
  const hitRecords = new Map<RunMeta, RecordSummary>();
  const stats: CacheStats = { hits: 0, misses: 0 };
  let dirty = false;
  const idOf = (id: RunId) => `${id.project}/${id.name}`;

  return {
    stats,
    distrust,
    meta(id) {
      const cached = entries.get(idOf(id));
      if (cached && entryLooksRight(cached, id) && stampOf(ws, id, cached.meta.stages.map((s) => s.stage_name)).key === cached.key) {
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
      if (!dirty || distrust) return;
      try {
        // One level only: the caller made and checked the parents (mkdir -p spins under /proc).
        if (!fs.existsSync(dirname(file))) fs.mkdirSync(dirname(file), { mode: 0o700 });
        writeFileAtomic(file, JSON.stringify({ format: CACHE_FORMAT, workspace: ws.root, runs: Object.fromEntries(entries) }));
      } catch {
        // A cache that cannot be written only costs speed next time.
      }
    },
  };
}

function loadEntries(file: string, root: string, trust: CacheTrust): { entries: Map<string, Entry>; distrust: string | null } {
  const entries = new Map<string, Entry>();
  let fd: number;
  try {
    fd = openRegular(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // No cache yet is normal; a symlink or a FIFO in its place is not to be trusted.
    return { entries, distrust: code === 'ENOENT' ? null : `${file} is not a regular file of yours (${code})` };
  }
  try {
    const distrust = untrusted(fs.fstatSync(fd), trust, file);
    if (distrust) return { entries, distrust };
    const doc = JSON.parse(fs.readFileSync(fd, 'utf8')) as { format?: number; workspace?: string; runs?: Record<string, Entry> };
    if (doc && doc.format === CACHE_FORMAT && doc.workspace === root && doc.runs && typeof doc.runs === 'object') {
      for (const [id, entry] of Object.entries(doc.runs)) entries.set(id, entry);
    }
  } catch {
    // An unreadable or corrupt cache: start empty (it is rewritten on save).
  } finally {
    fs.closeSync(fd);
  }
  return { entries, distrust: null };
}
