/**
 * Freshness stamps for the read cache: the lstat of every file a run's facts come
 * from, in two parts, so a command checks only what it uses.
 *
 * - The head (run.json, and whether the run entry is a directory) vouches for `run`:
 *   what ordering, filters and `diagnose --latest` need from every run.
 * - The body (the run directory, stages/, each stage file, records.ndjson) vouches for
 *   stages, the unreadable list (pending import markers included) and the record
 *   summary: what diagnosis needs, for the runs it diagnoses and their histories only.
 *
 * contexta replaces metadata by rename (a new inode, and the directory's mtime
 * changes) and appends records (size and mtime); ctime also catches a same-size edit
 * whose mtime was put back. lstat, not stat: a file swapped for a symlink is a change.
 */
import * as fs from 'node:fs';
import { sep } from 'node:path';
import { paths } from '../../storage/store';
import type { Workspace } from '../../storage/workspace';
import type { RunId } from '../catalog';
import { COMPONENT_MAX, componentProblem } from '../../../schema/refs';
import { finish, pairText } from './hash64';

export interface Stamp {
  /** A 64-bit hash of the stat results (see StampHash), as text. */
  key: string;
  /** The newest mtime or ctime seen (ms): entries changed within the racy window are not kept. */
  newest: number;
}

/**
 * Hashes stat results as numbers, not as text: formatting five numbers per file was
 * most of the cost of checking 90,000 files for a warm `runs`. Two 32-bit lanes, each
 * number fed as its two float64 words. Not a cryptographic hash, and it need not be:
 * the cache is trusted only when private to its user (trust.ts), and to make a changed
 * file hash like before, one would have to choose its ctime, which the kernel sets on
 * every change (a utimes call included) to the current time, to the nanosecond.
 */
class StampHash {
  private static readonly f64 = new Float64Array(1);
  private static readonly u32 = new Uint32Array(StampHash.f64.buffer);
  private h1 = 0x811c9dc5;
  private h2 = 0x5bd1e995;

  add(n: number): void {
    StampHash.f64[0] = n;
    this.word(StampHash.u32[0]);
    this.word(StampHash.u32[1]);
  }

  text(s: string): void {
    this.add(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  private word(w: number): void {
    this.h1 = Math.imul(this.h1 ^ w, 2654435761);
    this.h2 = Math.imul(this.h2 ^ w, 1597334677);
    this.h1 ^= this.h1 >>> 15;
    this.h2 ^= this.h2 >>> 13;
  }

  digest(): string {
    return pairText(finish(this.h1, this.h2));
  }
}

/** Missing, and the marker of an error (followed by its code): never a stat's ino. */
const ABSENT = -1;
const FAILED = -2;

function stat(file: string, hash: StampHash, stamp: Stamp): void {
  let s: fs.Stats | undefined;
  try {
    s = fs.lstatSync(file, { throwIfNoEntry: false });
  } catch (err) {
    // EACCES, ENOTDIR, ELOOP...: a stamp that can never match a readable state's.
    hash.add(FAILED);
    hash.text((err as NodeJS.ErrnoException).code ?? 'error');
    return;
  }
  if (!s) return hash.add(ABSENT);
  hash.add(s.ino);
  hash.add(s.size);
  hash.add(s.mtimeMs);
  hash.add(s.ctimeMs);
  hash.add(s.mode);
  const newest = s.mtimeMs > s.ctimeMs ? s.mtimeMs : s.ctimeMs;
  if (newest > stamp.newest) stamp.newest = newest;
}

/**
 * The head stamp: run.json, and whether the run entry is a directory. The listing
 * says that for free (`id.isDir`, from readdir's entry types), so a warm
 * `diagnose --latest` stats one file per run; a run named directly stats its entry.
 * A directory swapped for a link to it (same run.json inode) changes the kind.
 */
export function headStamp(ws: Workspace, id: RunId): Stamp {
  const stamp: Stamp = { key: '', newest: 0 };
  const hash = new StampHash();
  hash.text(String(id.isDir ?? entryKind(paths.run(ws, id.project, id.name))));
  stat(paths.runFile(ws, id.project, id.name), hash, stamp);
  stamp.key = hash.digest();
  return stamp;
}

/** Whether `dir` is a directory, or the error code that says why it cannot be told. */
function entryKind(dir: string): boolean | string {
  try {
    return fs.lstatSync(dir).isDirectory();
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  }
}

/**
 * The stage file names in `stages/` now (valid names only, sorted): [] when there is no
 * stages/, null when it cannot be listed (the reader then lists it and says why).
 */
export function stageFileNames(ws: Workspace, id: RunId): string[] | null {
  let entries: string[];
  try {
    entries = fs.readdirSync(paths.stages(ws, id.project, id.name));
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? [] : null;
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (!entry.endsWith('.json')) continue;
    const name = entry.slice(0, -5);
    if (componentProblem(name) === null) names.push(name);
  }
  return names.sort();
}

/**
 * The body stamp, for the stage files `names` (sorted, valid names: listed, or checked
 * by namesOf). The cache keeps the names beside the key, so it knows which files to
 * stat next time; a stage file added or removed changes the stages/ directory's mtime.
 */
export function bodyStamp(ws: Workspace, id: RunId, names: readonly string[]): Stamp {
  const stamp: Stamp = { key: '', newest: 0 };
  const hash = new StampHash();
  const stages = paths.stages(ws, id.project, id.name);
  hash.text(names.join(','));
  // The run directory: an import marker appearing or going changes its mtime.
  stat(paths.run(ws, id.project, id.name), hash, stamp);
  stat(stages, hash, stamp);
  for (const name of names) stat(`${stages}${sep}${name}.json`, hash, stamp);
  stat(paths.records(ws, id.project, id.name), hash, stamp);
  stamp.key = hash.digest();
  return stamp;
}

const NAME_LIST = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:,[a-z0-9]+(?:-[a-z0-9]+)*)*$/;

/** The stage names of a cached `names` field (comma-separated), or null if they are not valid names. */
export function namesOf(list: string): string[] | null {
  if (list === '') return [];
  // One match for the whole list (componentProblem per name was 2 % of a warm `runs`), then the lengths.
  if (!NAME_LIST.test(list)) return null;
  const names = list.split(',');
  return names.every((n) => n.length <= COMPONENT_MAX) ? names : null;
}
