/**
 * Read side of the workspace: list runs, resolve a run by ref or short name,
 * load a run's metadata and records. Never writes; a file that cannot be read
 * is reported in `unreadable` and never hides the rest.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContextaError } from '../errors';
import { readFailure, readJsonFile } from '../storage/fsio';
import type { HistoryRun, Unreadable } from '../model';
import { listNames, paths } from '../storage/store';
import type { Workspace } from '../storage/workspace';
import { componentProblem, refProblem, refParts, runRef } from '../../schema/refs';
import { deriveName } from '../../schema/names';
import { attemptOf, latestOnly } from '../storage/attempts';
import { closestNames } from './suggest';

export interface RunId {
  project: string;
  name: string;
  /** Whether the run entry was a directory when the runs were listed (the read cache's head stamp uses it). */
  isDir?: boolean;
}

/**
 * The entries named like entries in `dir`, with whether each is a directory (from the
 * listing: no stat). One bad entry never hides the rest: a symbolic link (readers stay
 * inside the workspace), a file where a directory belongs, or a directory that cannot be
 * listed is reported in `unreadable` and skipped, unless `keepOdd`.
 */
function listEntries(dir: string, unreadable: Unreadable[], keepOdd: boolean): { name: string; isDir: boolean }[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') unreadable.push({ file: dir, line: null, reason: code === 'ENOTDIR' ? 'is a file, not a directory' : readFailure(err) });
    return [];
  }
  const kept: { name: string; isDir: boolean }[] = [];
  for (const entry of entries) {
    if (componentProblem(entry.name) !== null) continue; // temp, lock and stray names are not entries
    const isDir = entry.isDirectory();
    // Runs keep their odd entries: loadRunMeta reports them, so diagnose flags them as an error.
    if (isDir || keepOdd) kept.push({ name: entry.name, isDir });
    else {
      const what = entry.isSymbolicLink() ? 'is a symbolic link (not followed: readers stay inside the workspace)' : 'is not a directory';
      unreadable.push({ file: path.join(dir, entry.name), line: null, reason: what });
    }
  }
  return kept.sort((a, b) => cmp(a.name, b.name));
}

export function listProjects(ws: Workspace, unreadable: Unreadable[] = []): string[] {
  return listEntries(paths.projects(ws), unreadable, false).map((e) => e.name);
}

/**
 * Runs of one project or all; each run's latest attempt only, unless `allAttempts`
 * (docs/attempts.md). Entries that cannot be listed go to `unreadable`.
 */
export function listRunIds(ws: Workspace, project?: string, allAttempts = false, unreadable: Unreadable[] = []): RunId[] {
  const projects = project ? [project] : listProjects(ws, unreadable);
  return projects.flatMap((p) => {
    const entries = listEntries(paths.runs(ws, p), unreadable, true);
    const names = entries.map((e) => e.name);
    // latestOnly keeps the order and gives the same list back when there is no re-run.
    const latest = allAttempts ? names : latestOnly(names);
    const kept = latest === names ? null : new Set(latest);
    return entries.filter((e) => kept === null || kept.has(e.name)).map((e) => ({ project: p, name: e.name, isDir: e.isDir }));
  });
}

export { loadRunMeta, lazyRunMeta, readRunBody, readRunHead, sortStages, type RunBody, type RunHead, type RunMeta } from './run-meta';
import type { RunMeta } from './run-meta';

/**
 * How many earlier runs cross-run rules see: the baseline window (14) with room for
 * runs it skips (open, failed, with errors); bounded so `runs` stays linear.
 */
export const HISTORY_DEPTH = 21;

/** Plain code-unit order for refs and names: localeCompare is ~10x slower. */
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/**
 * Start instant in ms (unreadable runs first). Timestamps may carry any zone offset and
 * precision (`03:00:00+02:00` is before `02:00:00Z`), so they are compared as instants,
 * not strings; parsed once per run.
 */
const startMsCache = new WeakMap<RunMeta, number>();
export function startMs(m: RunMeta): number {
  if (m.startMs !== undefined) return m.startMs;
  let ms = startMsCache.get(m);
  if (ms === undefined) startMsCache.set(m, (ms = startInstant(m.run)));
  return ms;
}
/** Whether the run's run.json is readable: a cached start instant says so without parsing it (RunMeta.startMs). */
export const hasReadableRun = (m: RunMeta): boolean => m.startMs !== undefined || m.run !== null;

/** A run's started_at as an instant (-Infinity when there is none). */
export function startInstant(run: { started_at?: string } | null): number {
  const ms = Date.parse(run?.started_at ?? '');
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}
export const byStart = (a: RunMeta, b: RunMeta) => {
  const ta = startMs(a);
  const tb = startMs(b);
  return ta < tb ? -1 : ta > tb ? 1 : cmp(a.run_ref, b.run_ref);
};

/**
 * For every run, the runs of its project that precede it (by started_at, then ref),
 * most recent first, at most `depth` of them, each as `digest` makes it (the caller
 * memoizes: a run is digested once however many histories it is in). One sort per
 * project, then a constant amount of work per run: `runs` stays linear.
 */
export function historyIndex(
  metas: RunMeta[],
  digest: (m: RunMeta) => HistoryRun,
  depth = HISTORY_DEPTH,
): {
  historyOf: (target: RunMeta) => HistoryRun[];
  historyMetas: (target: RunMeta) => RunMeta[];
  isNewest: (target: RunMeta) => boolean;
} {
  const byProject = new Map<string, RunMeta[]>();
  for (const m of metas) {
    if (!hasReadableRun(m)) continue;
    const list = byProject.get(m.project) ?? [];
    list.push(m);
    byProject.set(m.project, list);
  }
  const position = new Map<string, number>();
  for (const list of byProject.values()) {
    list.sort(byStart);
    list.forEach((m, i) => position.set(m.run_ref, i));
  }
  const historyMetas = (target: RunMeta) => {
    const list = byProject.get(target.project) ?? [];
    const at = position.get(target.run_ref) ?? list.length;
    return list.slice(Math.max(0, at - depth), at).reverse();
  };
  return {
    historyOf: (target) => historyMetas(target).map(digest),
    historyMetas,
    isNewest: (target) => {
      const list = byProject.get(target.project) ?? [];
      return list.length > 0 && list[list.length - 1].run_ref === target.run_ref;
    },
  };
}

/** The `name` in run.json: the run's name as it was recorded, which may be free text. */
function recordedName(ws: Workspace, id: RunId): string | undefined {
  const read = readJsonFile(paths.runFile(ws, id.project, id.name));
  const name = read.ok && read.value !== null && typeof read.value === 'object' ? (read.value as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** Resolve `run:<project>.<run>` or a short run name (unambiguous, or narrowed by `project`). */
export function resolveRun(ws: Workspace, spec: string, project?: string): RunId {
  if (spec.startsWith('run:')) {
    const problem = refProblem(spec, 'run');
    if (problem) throw new ContextaError('usage', `invalid run ref ${JSON.stringify(spec)}: it ${problem}`);
    const [p, name] = refParts(spec);
    if (project && project !== p) {
      throw new ContextaError('usage', `run ref ${spec} is not in project ${project}`);
    }
    const names = listNames(paths.runs(ws, p));
    if (!names.includes(name)) {
      const suggestions = closestNames(name, names).map((n) => runRef(p, n));
      const hint = suggestions.length ? `; did you mean ${suggestions.join(', ')}?` : '';
      throw new ContextaError('workspace', `unknown run ${spec} in ${ws.root}${hint}`, { run: spec, suggestions });
    }
    return { project: p, name };
  }
  // A run is found by its component or by the name it was recorded under (docs/names.md).
  const derived = deriveName(spec);
  if ('problem' in derived) {
    throw new ContextaError('usage', `invalid run name ${JSON.stringify(spec)}: it ${derived.problem}; name a run as run:<project>.<run> or by its short name`);
  }
  const known = listRunIds(ws, project);
  // A short name is the run people named: its latest attempt.
  let matches = known.filter((id) => id.name === derived.component || attemptOf(id.name).base === derived.component);
  if (derived.given !== derived.component) matches = matches.filter((id) => recordedName(ws, id) === derived.given);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    const suggestions = closestNames(spec, known.map((id) => attemptOf(id.name).base));
    const hint = suggestions.length ? `; did you mean ${suggestions.join(', ')}?` : ' (see `contexta runs`)';
    throw new ContextaError('workspace', `unknown run ${JSON.stringify(spec)}${project ? ` in project ${project}` : ''}${hint}`, { run: spec, suggestions });
  }
  const candidates = matches.map((m) => runRef(m.project, m.name));
  throw new ContextaError(
    'usage',
    `run name ${JSON.stringify(spec)} is ambiguous; name one of: ${candidates.join(', ')} (or pass --project)`,
    { candidates },
  );
}
