/**
 * Freshness stamps for the read cache: the lstat of every file a run's facts come
 * from, in two parts, so a command checks only what it uses.
 *
 * - The head (run directory, run.json) vouches for `run`: what ordering, filters and
 *   `diagnose --latest` need from every run.
 * - The body (stages/, each stage file, records.ndjson) vouches for stages, the
 *   unreadable list and the record summary: what diagnosis needs, for the runs it
 *   diagnoses and their histories only.
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

export interface Stamp {
  key: string;
  /** The newest mtime or ctime seen (ms): entries changed within the racy window are not kept. */
  newest: number;
}

function statPart(file: string, stamp: Stamp): string {
  const s = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!s) return '-';
  const newest = s.mtimeMs > s.ctimeMs ? s.mtimeMs : s.ctimeMs;
  if (newest > stamp.newest) stamp.newest = newest;
  return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.mode}`;
}

function safeStat(file: string, stamp: Stamp): string {
  try {
    return statPart(file, stamp);
  } catch (err) {
    // EACCES, ENOTDIR, ELOOP...: a stamp that can never match a readable state's.
    return `!${(err as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

export function headStamp(ws: Workspace, id: RunId): Stamp {
  const stamp: Stamp = { key: '', newest: 0 };
  // The run directory: an import marker appearing or going, or run.json renamed over, changes its mtime.
  stamp.key = `${safeStat(paths.run(ws, id.project, id.name), stamp)}|${safeStat(paths.runFile(ws, id.project, id.name), stamp)}`;
  return stamp;
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
 * The body stamp, for the stage files `names` (sorted). The names lead the key, so a
 * cached key says which files to stat next time; a stage file added or removed changes
 * the stages/ directory's mtime.
 */
export function bodyStamp(ws: Workspace, id: RunId, names: readonly string[]): Stamp {
  const stamp: Stamp = { key: '', newest: 0 };
  const stages = paths.stages(ws, id.project, id.name);
  let key = `${names.join(',')}|${safeStat(stages, stamp)}`;
  // Names are valid components (listed, or checked by namesOfBodyKey): no path is built from anything else.
  for (const name of names) key += `|${safeStat(`${stages}${sep}${name}.json`, stamp)}`;
  stamp.key = `${key}|${safeStat(paths.records(ws, id.project, id.name), stamp)}`;
  return stamp;
}

const NAME_LIST = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:,[a-z0-9]+(?:-[a-z0-9]+)*)*$/;

/** The stage names a body key was taken for (see bodyStamp), or null if they are not valid names. */
export function namesOfBodyKey(key: string): string[] | null {
  const end = key.indexOf('|');
  if (end < 0) return null;
  if (end === 0) return [];
  const list = key.slice(0, end);
  // One match for the whole list (componentProblem per name was 2 % of a warm `runs`), then the lengths.
  if (!NAME_LIST.test(list)) return null;
  const names = list.split(',');
  return names.every((n) => n.length <= COMPONENT_MAX) ? names : null;
}
