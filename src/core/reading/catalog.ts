/**
 * Read side of the workspace: list runs, resolve a run by ref or short name,
 * load a run's metadata and records. Never writes; a file that cannot be read
 * is reported in `unreadable` and never hides the rest.
 */
import * as path from 'node:path';
import { ContextaError } from '../errors';
import { readJsonFile } from '../storage/fsio';
import type { HistoryRun, Unreadable } from '../model';
import { listNames, paths } from '../storage/store';
import type { Workspace } from '../storage/workspace';
import { Run, StageExecution } from '../../schema/entities';
import { componentProblem, refProblem, refParts, runRef } from '../../schema/refs';

export interface RunId {
  project: string;
  name: string;
}

export function listProjects(ws: Workspace): string[] {
  return listNames(paths.projects(ws));
}

export function listRunIds(ws: Workspace, project?: string): RunId[] {
  const projects = project ? [project] : listProjects(ws);
  return projects.flatMap((p) => listNames(paths.runs(ws, p)).map((name) => ({ project: p, name })));
}

export interface RunMeta extends RunId {
  run_ref: string;
  run: Run | null;
  stages: StageExecution[];
  unreadable: Unreadable[];
}

export function loadRunMeta(ws: Workspace, id: RunId): RunMeta {
  const unreadable: Unreadable[] = [];
  const run = readEntity(paths.runFile(ws, id.project, id.name), Run, unreadable) as Run | null;
  const stages: StageExecution[] = [];
  for (const stage of listNames(paths.stages(ws, id.project, id.name), '.json')) {
    const value = readEntity(paths.stageFile(ws, id.project, id.name, stage), StageExecution, unreadable);
    if (value) stages.push(value as StageExecution);
  }
  return { ...id, run_ref: runRef(id.project, id.name), run, stages: sortStages(stages), unreadable };
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
  let ms = startMsCache.get(m);
  if (ms === undefined) {
    ms = Date.parse(m.run?.started_at ?? '');
    if (Number.isNaN(ms)) ms = Number.NEGATIVE_INFINITY;
    startMsCache.set(m, ms);
  }
  return ms;
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
): { historyOf: (target: RunMeta) => HistoryRun[]; isNewest: (target: RunMeta) => boolean } {
  const byProject = new Map<string, RunMeta[]>();
  for (const m of metas) {
    if (!m.run) continue;
    const list = byProject.get(m.project) ?? [];
    list.push(m);
    byProject.set(m.project, list);
  }
  const position = new Map<string, number>();
  for (const list of byProject.values()) {
    list.sort(byStart);
    list.forEach((m, i) => position.set(m.run_ref, i));
  }
  return {
    historyOf: (target) => {
      const list = byProject.get(target.project) ?? [];
      const at = position.get(target.run_ref) ?? list.length;
      return list.slice(Math.max(0, at - depth), at).reverse().map(digest);
    },
    isNewest: (target) => {
      const list = byProject.get(target.project) ?? [];
      return list.length > 0 && list[list.length - 1].run_ref === target.run_ref;
    },
  };
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
    if (!listNames(paths.runs(ws, p)).includes(name)) {
      throw new ContextaError('workspace', `unknown run ${spec} in ${ws.root}`, { run: spec });
    }
    return { project: p, name };
  }
  const problem = componentProblem(spec);
  if (problem) {
    throw new ContextaError('usage', `invalid run name ${JSON.stringify(spec)}: it ${problem}; name a run as run:<project>.<run> or by its short name`);
  }
  const matches = listRunIds(ws, project).filter((id) => id.name === spec);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    throw new ContextaError('workspace', `unknown run ${JSON.stringify(spec)}${project ? ` in project ${project}` : ''} (see \`contexta runs\`)`, { run: spec });
  }
  const candidates = matches.map((m) => runRef(m.project, m.name));
  throw new ContextaError(
    'usage',
    `run name ${JSON.stringify(spec)} is ambiguous; name one of: ${candidates.join(', ')} (or pass --project)`,
    { candidates },
  );
}
