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
import { lazyRunMeta, readRunBody, readRunHead, type RunBody, type RunHead, type RunId, type RunMeta } from '../catalog';
import { openRegular, writeFileAtomic } from '../../storage/fsio';
import { bodyLooksRight, countsLookRight, headLooksRight, issuesLookRight, summaryLooksRight } from './cache-shape';
import { CacheFile, cacheBytes, entryOf, F, type CacheEntry, type Located } from './cache-file';
import { summarize, type DiagnosisMemo, type RunReader } from '../run-reader';
import { untrusted, type CacheTrust } from './trust';
import { bodyStamp, headStamp, namesOfBodyKey, stageFileNames } from './stamps';
import type { Issue, RecordSummary, TypeCounts } from '../../model';
import type { Workspace } from '../../storage/workspace';

const RACY_MS = 2000;

export interface CacheStats {
  /** Runs answered from the cache, and runs read from disk. */
  hits: number;
  misses: number;
  /** Diagnoses recalled instead of computed. */
  recalled: number;
  /** Runs whose stages and record log were read from disk. */
  bodies_read: number;
}

/** One part of a run (head or body): where it came from, and the stamp that vouches for it. */
interface Part {
  key: string;
  /** Newest mtime/ctime of its files (0 when it came from the cache, which keeps only settled parts). */
  newest: number;
  fromCache: boolean;
}

/** What one command learned about one run. */
interface Slot {
  id: RunId;
  /** The cached head line, when there was one. */
  place: Located | null;
  head: Part & RunHead;
  body: (Part & RunBody) | null;
  /** The cached fields (head and body), once a cached body was used. */
  fields: string[] | null;
  records: RecordSummary | null;
  memo: { key: string; json: string } | null;
  /** The cached record summary was malformed and has been read again. */
  mended: boolean;
  /** tokenOf(head, body), once computed. */
  token?: string;
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
  const stats: CacheStats = { hits: 0, misses: 0, recalled: 0, bodies_read: 0 };
  const idOf = (id: RunId) => `${id.project}/${id.name}`;
  const settled = (p: Part) => p.fromCache || p.newest < nowMs - RACY_MS;

  function headOf(id: RunId, place: Located | null): Part & RunHead {
    // The stamp first, so a change while reading shows next time.
    const stamp = headStamp(ws, id);
    // `id\thead key\thead`: compared in place, without splitting (this runs for every run).
    const text = place?.head;
    const keyAt = text === undefined ? -1 : text.indexOf('\t') + 1;
    if (text !== undefined && keyAt > 0 && text.startsWith(stamp.key, keyAt) && text.charCodeAt(keyAt + stamp.key.length) === 9) {
      const head = parsed(text.slice(keyAt + stamp.key.length + 1)) as RunHead;
      if (headLooksRight(head, id)) return { run: head.run, unreadable: head.unreadable, odd: head.odd, key: stamp.key, newest: 0, fromCache: true };
    }
    const read = readRunHead(ws, id);
    return { run: read.run, unreadable: read.unreadable, odd: read.odd, key: stamp.key, newest: stamp.newest, fromCache: false };
  }

  /** The stages and body problems: from the cache while its body stamp matches, else from disk. */
  function bodyOf(slot: Slot): Part & RunBody {
    if (slot.body) return slot.body;
    const fields = slot.place ? cache.fieldsOf(idOf(slot.id)) : null;
    const names = fields && namesOfBodyKey(fields[F.body]);
    if (fields && names && bodyStamp(ws, slot.id, names).key === fields[F.body]) {
      const body = parsed(fields[F.meta]);
      if (bodyLooksRight(body, slot.id)) {
        slot.fields = fields;
        return (slot.body = { ...(body as RunBody), key: fields[F.body], newest: 0, fromCache: true });
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
    return (slot.body = { ...readRunBody(ws, slot.id, slot.head.odd, listed), key: stamp.key, newest: stamp.newest, fromCache: false });
  }

  const memo: DiagnosisMemo = {
    token(meta) {
      const slot = slots.get(meta);
      if (!slot) return null;
      const body = bodyOf(slot);
      if (slot.head.fromCache && body.fromCache) return slot.fields![F.token];
      return settled(slot.head) && settled(body) ? (slot.token ??= tokenOf(slot.head.key, body.key)) : null;
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
    },
  };

  const reader = {
    stats,
    distrust,
    memo,
    meta(id: RunId): RunMeta {
      const place = cache.heads.get(idOf(id)) ?? null;
      const slot: Slot = { id, place, head: headOf(id, place), body: null, fields: null, records: null, memo: null, mended: false };
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
        const counts = parsed(slot.fields![F.counts]);
        if (countsLookRight(counts)) return counts as TypeCounts;
      }
      return reader.records(meta).counts;
    },
    records(meta: RunMeta): RecordSummary {
      const slot = slots.get(meta);
      if (!slot) return summarize(ws, meta);
      if (slot.records) return slot.records;
      if (bodyOf(slot).fromCache) {
        const records = parsed(slot.fields![F.records]);
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

  /** The run's entry when it has something new to keep (a part read from disk and settled, a diagnosis), else null. */
  function entryFor(slot: Slot): CacheEntry | null {
    const { head, body } = slot;
    const newHead = !head.fromCache && settled(head);
    const newBody = body !== null && !body.fromCache && settled(body) && slot.records !== null;
    if (!newHead && !newBody && !slot.memo && !slot.mended) return null;
    if (!settled(head)) return null;
    const id = idOf(slot.id);
    const headFields = [id, head.key, JSON.stringify({ run: head.run, unreadable: head.unreadable, odd: head.odd })];
    let bodyFields: string[];
    if (body?.fromCache) {
      bodyFields = slot.fields!.slice(F.body);
      if (slot.mended) {
        bodyFields[F.records - F.body] = JSON.stringify(slot.records);
        bodyFields[F.counts - F.body] = JSON.stringify(slot.records!.counts);
      }
      bodyFields[F.token - F.body] = slot.token ??= tokenOf(head.key, body.key);
    } else if (newBody) {
      bodyFields = [
        body!.key,
        JSON.stringify({ stages: body!.stages, unreadable: body!.unreadable }),
        JSON.stringify(slot.records),
        JSON.stringify(slot.records!.counts),
        (slot.token ??= tokenOf(head.key, body!.key)),
        '',
        '[]',
      ];
    } else {
      // The body was not used: keep what the cache had (its stamp decides next time), without
      // its remembered diagnosis, and with a token for this head. Else it is read from disk next time.
      const old = body === null && slot.place ? cache.fieldsOf(id) : null;
      bodyFields = old ? old.slice(F.body) : ['', '', '', '', '', '', ''];
      if (old) [bodyFields[F.token - F.body], bodyFields[F.memoKey - F.body], bodyFields[F.memo - F.body]] = [tokenOf(head.key, old[F.body]), '', '[]'];
    }
    if (slot.memo && bodyFields[0] !== '') [bodyFields[F.memoKey - F.body], bodyFields[F.memo - F.body]] = [slot.memo.key, slot.memo.json];
    return entryOf([...headFields, ...bodyFields]);
  }
  return reader;
}

/** Deterministic: the same file states give the same token, whenever the entry is rebuilt. */
function tokenOf(headKey: string, bodyKey: string): string {
  return createHash('sha256').update(`${headKey}\n${bodyKey}`).digest('base64url').slice(0, 22);
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
