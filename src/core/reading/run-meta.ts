/**
 * Loading a run's metadata in two parts, as the read cache stamps it (stamps.ts): the
 * *head* (is the run directory a directory, and run.json) is what ordering and filters
 * need from every run; the *body* (pending import markers, every stage file) only what
 * diagnosis needs, for the runs it diagnoses and their histories. `lazyRunMeta` reads
 * the body on first use, so `diagnose --latest` over 10,000 runs reads 10,000 run.json
 * files and about 22 stage directories. A file that cannot be read is reported in
 * `unreadable` and never hides the rest.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContextaError } from '../errors';
import { readFailure, readJsonFile } from '../storage/fsio';
import { pendingMarkers } from '../storage/import-journal';
import type { Unreadable } from '../model';
import { listNames, paths } from '../storage/store';
import type { Workspace } from '../storage/workspace';
import { Run, StageExecution } from '../../schema/entities';
import { runRef } from '../../schema/refs';
import type { RunId } from './catalog';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface RunMeta extends RunId {
  run_ref: string;
  run: Run | null;
  stages: StageExecution[];
  unreadable: Unreadable[];
  /**
   * When known without reading `run` (the read cache keeps it): run.json is readable,
   * and this is its started_at as an instant (catalog.ts startMs).
   */
  startMs?: number;
}

export interface RunHead {
  run: Run | null;
  /** See RunMeta.startMs. */
  startMs?: number;
  /** Why the run directory or run.json cannot be read. */
  unreadable: Unreadable[];
  /** The run entry is not a plain directory: it has no body. */
  odd: boolean;
}

export interface RunBody {
  stages: StageExecution[];
  /** Pending import markers, and stage files that cannot be read. */
  unreadable: Unreadable[];
}

export function readRunHead(ws: Workspace, id: RunId): RunHead {
  const dir = paths.run(ws, id.project, id.name);
  // A listing already told a directory from a link or a file (readdir's entry type).
  const odd = id.isDir === true ? null : oddEntry(dir);
  if (odd) return { run: null, unreadable: [{ file: dir, line: null, reason: odd }], odd: true };
  const unreadable: Unreadable[] = [];
  const run = readEntity(paths.runFile(ws, id.project, id.name), Run, unreadable) as Run | null;
  return { run, unreadable, odd: false };
}

/** The run's body; `listed` are its stage file names when the caller just listed stages/ (else it is listed here). */
export function readRunBody(ws: Workspace, id: RunId, odd: boolean, listed: string[] | null = null): RunBody {
  if (odd) return { stages: [], unreadable: [] };
  const dir = paths.run(ws, id.project, id.name);
  const unreadable: Unreadable[] = [];
  for (const name of pendingMarkers(dir)) {
    unreadable.push({ file: `${dir}${path.sep}${name}`, line: null, reason: INTERRUPTED });
  }
  const stages: StageExecution[] = [];
  for (const stage of stageNames(paths.stages(ws, id.project, id.name), unreadable, listed)) {
    const value = readEntity(paths.stageFile(ws, id.project, id.name, stage), StageExecution, unreadable);
    if (value) stages.push(value as StageExecution);
  }
  return { stages: sortStages(stages), unreadable };
}

/**
 * A run's metadata from its head and body (the head's problems first), the body read
 * on first use. A class, not an object literal with getters: 10,000 of them are made
 * for every `runs` or `diagnose --latest`.
 */
class LazyRunMeta implements RunMeta {
  readonly project: string;
  readonly name: string;
  readonly run_ref: string;
  readonly startMs: number | undefined;
  private whole: RunBody | null = null;

  constructor(
    id: RunId,
    private readonly head: RunHead,
    private readonly body: () => RunBody,
  ) {
    this.project = id.project;
    this.name = id.name;
    this.run_ref = runRef(id.project, id.name);
    this.startMs = head.startMs;
  }

  /** A getter: the cache parses run.json's content only when it is used. */
  get run(): Run | null {
    return this.head.run;
  }

  get stages(): StageExecution[] {
    return this.load().stages;
  }

  get unreadable(): Unreadable[] {
    return this.load().unreadable;
  }

  private load(): RunBody {
    if (!this.whole) {
      const b = this.body();
      const first = this.head.unreadable;
      this.whole = { stages: b.stages, unreadable: first.length ? [...first, ...b.unreadable] : b.unreadable };
    }
    return this.whole;
  }
}

export function lazyRunMeta(id: RunId, head: RunHead, body: () => RunBody): RunMeta {
  return new LazyRunMeta(id, head, body);
}

export function loadRunMeta(ws: Workspace, id: RunId): RunMeta {
  const head = readRunHead(ws, id);
  const body = readRunBody(ws, id, head.odd);
  return { project: id.project, name: id.name, run_ref: runRef(id.project, id.name), run: head.run, stages: body.stages, unreadable: [...head.unreadable, ...body.unreadable] };
}

const INTERRUPTED =
  'an import into this run did not finish (interrupted, or still running): its records may be partly missing; run the same `contexta record import` again to complete it';

/** Why a run entry is not a plain directory (a link is not followed), or null. */
function oddEntry(dir: string): string | null {
  try {
    const st = fs.lstatSync(dir);
    if (st.isDirectory()) return null;
    return st.isSymbolicLink() ? 'is a symbolic link (not followed: readers stay inside the workspace)' : 'is not a directory';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : readFailure(err);
  }
}

/** Stage file names of a run; a stages/ that is a link, a file or unlistable is reported, not fatal. */
function stageNames(dir: string, unreadable: Unreadable[], listed: string[] | null): string[] {
  try {
    // Checked even with names listed: readdir follows a symlinked stages/, readers do not.
    if (fs.lstatSync(dir).isSymbolicLink()) {
      unreadable.push({ file: dir, line: null, reason: 'is a symbolic link (not followed: readers stay inside the workspace)' });
      return [];
    }
    return listed ?? listNames(dir, '.json');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    const cause = err instanceof ContextaError ? ((err.details as { cause?: string })?.cause ?? err.message) : readFailure(err);
    unreadable.push({ file: dir, line: null, reason: /ENOTDIR/.test(cause) ? 'is a file, not a directory' : `cannot be listed (${cause})` });
    return [];
  }
}

function readEntity(
  file: string,
  schema: typeof Run | typeof StageExecution,
  unreadable: Unreadable[],
): unknown {
  const read = readJsonFile(file);
  if (!read.ok) {
    unreadable.push({ file, line: null, reason: read.missing ? 'file is missing' : read.reason });
    return null;
  }
  const parsed = schema.safeParse(read.value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid';
    unreadable.push({ file, line: null, reason: `not a valid ${path.basename(file)} (${where})` });
    return null;
  }
  return parsed.data;
}

export function sortStages(stages: StageExecution[]): StageExecution[] {
  return stages.sort(
    (a, b) =>
      (a.order_index ?? Number.MAX_SAFE_INTEGER) - (b.order_index ?? Number.MAX_SAFE_INTEGER) ||
      Date.parse(a.started_at) - Date.parse(b.started_at) ||
      cmp(a.stage_name, b.stage_name),
  );
}

