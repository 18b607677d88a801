/**
 * Project, run and stage entries on disk. Every user-given name is checked as a
 * StableRef component before it becomes a path segment, so nothing can escape
 * the workspace. Entries are created on first use with status `open`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContextaError } from '../errors';
import { createFileExclusive, ensureDirInside, readJsonFile, removeEmptyDirs, withLock, writeFileAtomic } from './fsio';
import type { Workspace } from './workspace';
import { Project, Run, StageExecution } from '../../schema/entities';
import { componentProblem, projectRef, runRef, stageRef } from '../../schema/refs';
import { problemsText, formatPath, describeIssue } from '../writing/validate';
import { entityTextKeepingLegacy, libraryEntityText } from '../writing/entity-text';

export type EntityKind = 'project' | 'run' | 'stage';

export function assertName(kind: EntityKind, name: string): string {
  const problem = componentProblem(name);
  if (problem) {
    throw new ContextaError('usage', `invalid ${kind} name ${JSON.stringify(name)}: it ${problem}`, {
      field: kind,
      value: name,
    });
  }
  return name;
}

// Plain concatenation, not path.join: every segment is a validated name (no separators,
// no dots) and the root is already resolved, and path.join's normalizing showed up as
// the top cost of listing 10,000 runs.
const { sep } = path;
const projectDir = (ws: Workspace, p: string) => `${ws.root}${sep}projects${sep}${assertName('project', p)}`;
const runDir = (ws: Workspace, p: string, r: string) => `${projectDir(ws, p)}${sep}runs${sep}${assertName('run', r)}`;

export const paths = {
  projects: (ws: Workspace) => `${ws.root}${sep}projects`,
  project: projectDir,
  projectFile: (ws: Workspace, p: string) => `${projectDir(ws, p)}${sep}project.json`,
  runs: (ws: Workspace, p: string) => `${projectDir(ws, p)}${sep}runs`,
  run: runDir,
  runFile: (ws: Workspace, p: string, r: string) => `${runDir(ws, p, r)}${sep}run.json`,
  stages: (ws: Workspace, p: string, r: string) => `${runDir(ws, p, r)}${sep}stages`,
  stageFile: (ws: Workspace, p: string, r: string, s: string) =>
    `${runDir(ws, p, r)}${sep}stages${sep}${assertName('stage', s)}.json`,
  records: (ws: Workspace, p: string, r: string) => `${runDir(ws, p, r)}${sep}records.ndjson`,
};

function checked<T>(schema: { safeParse(v: unknown): { success: boolean; data?: T; error?: { issues: unknown[] } } }, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as T;
  const problems = (parsed.error!.issues as Parameters<typeof describeIssue>[0][]).map((i) => ({
    path: formatPath(i.path),
    message: describeIssue(i),
  }));
  throw new ContextaError('invalid_input', `invalid ${what}: ${problemsText(problems)}`, { problems });
}

/**
 * Names as the user gave them (docs/names.md), beside the components the paths are built
 * from. Absent: the component is the name. A project or run keeps its given name as `name`.
 * A stage has no such field: the contract requires `stage_name` to be the component, and the
 * Python library refuses extensions in namespaces it has not registered, so a stage is
 * its component and every spelling of it names the same stage (the command says so).
 */
export interface GivenNames {
  project?: string;
  run?: string;
  stage?: string;
}

export function ensureProject(ws: Workspace, p: string, now: string, given: GivenNames = {}): void {
  const file = paths.projectFile(ws, p);
  if (fs.existsSync(file)) return assertSameName('project', file, p, given.project);
  const created = ensureDirInside(ws.root, path.join(paths.project(ws, p), 'runs'));
  const project: Project = { project_ref: projectRef(p), name: given.project ?? p, created_at: now, tags: {} };
  // Lost a race with another first writer: that one's name must match too.
  let made = false;
  undoOnFailure(created, () => (made = createFileExclusive(file, libraryEntityText('project', project))));
  if (!made) assertSameName('project', file, p, given.project);
}

export function ensureRun(ws: Workspace, p: string, r: string, now: string, given: GivenNames = {}): void {
  const file = paths.runFile(ws, p, r);
  if (fs.existsSync(file)) {
    assertSameName('project', paths.projectFile(ws, p), p, given.project);
    return assertSameName('run', file, r, given.run);
  }
  ensureProject(ws, p, now, given);
  const created = ensureDirInside(ws.root, paths.stages(ws, p, r));
  const run: Run = { run_ref: runRef(p, r), project_ref: projectRef(p), name: given.run ?? r, status: 'open', started_at: now };
  // ENOSPC on run.json must not leave a run directory without its run.json behind.
  let made = false;
  undoOnFailure(created, () => (made = createFileExclusive(file, libraryEntityText('run', run))));
  if (!made) assertSameName('run', file, r, given.run);
}

function undoOnFailure(created: string[], make: () => unknown): void {
  try {
    make();
  } catch (err) {
    removeEmptyDirs(created);
    throw err;
  }
}

export function ensureStage(ws: Workspace, p: string, r: string, s: string, now: string, given: GivenNames = {}): void {
  const file = paths.stageFile(ws, p, r, s);
  if (fs.existsSync(file)) {
    assertSameName('project', paths.projectFile(ws, p), p, given.project);
    return assertSameName('run', paths.runFile(ws, p, r), r, given.run);
  }
  ensureRun(ws, p, r, now, given);
  // ensureRun returns early for an existing run: still refuse a stages/ planted as a symlink.
  ensureDirInside(ws.root, paths.stages(ws, p, r));
  // The lock makes order_index follow creation order even when stages start in parallel.
  withLock(paths.stages(ws, p, r), () => {
    if (fs.existsSync(file)) return;
    const stage: StageExecution = {
      stage_execution_ref: stageRef(p, r, s),
      run_ref: runRef(p, r),
      stage_name: s,
      status: 'open',
      started_at: now,
      order_index: stageFileNames(ws, p, r).length,
    };
    createFileExclusive(file, libraryEntityText('stage', stage));
  });
}

/**
 * Two different names must not land in one entry. The component itself always names
 * the entry (it is what `runs` shows and what a ref holds); any other spelling must be
 * the one the entry was created with. Only then is the file read: the common case of a
 * name that is its own component costs nothing.
 */
function assertSameName(kind: 'project' | 'run', file: string, component: string, given: string | undefined): void {
  if (given === undefined || given === component) return;
  const stored = storedName(kind, file) ?? component;
  if (stored === given) return;
  throw new ContextaError(
    'usage',
    `${kind} name ${JSON.stringify(given)} and the existing ${kind} ${JSON.stringify(stored)} both map to the ref component "${component}"; name that ${kind} ${JSON.stringify(stored)} (or "${component}"), or choose a name that maps elsewhere (see docs/names.md)`,
    { field: kind, value: given, existing: stored, component },
  );
}

function storedName(kind: 'project' | 'run', file: string): string | undefined {
  const read = readJsonFile(file);
  // A missing project.json under an existing run (damaged workspace) has no name to compare with.
  if (!read.ok && read.missing) return undefined;
  if (!read.ok || typeof read.value !== 'object' || read.value === null) {
    throw new ContextaError('workspace', read.ok ? `${file} is not a valid ${kind} file` : read.reason, { file });
  }
  const name = (read.value as Record<string, unknown>).name;
  return typeof name === 'string' ? name : undefined;
}

/** Read-modify-write of run.json under its lock; the result is validated before it replaces the file. */
export function updateRun(ws: Workspace, p: string, r: string, change: (run: Run) => Run): Run {
  const file = paths.runFile(ws, p, r);
  ensureDirInside(ws.root, paths.run(ws, p, r));
  return withLock(file, () => {
    const next = checked<Run>(Run, change(readEntity(file, Run, 'run')), 'run');
    writeFileAtomic(file, entityTextKeepingLegacy('run', next));
    return next;
  });
}

export function updateStage(
  ws: Workspace,
  p: string,
  r: string,
  s: string,
  change: (stage: StageExecution) => StageExecution,
): StageExecution {
  const file = paths.stageFile(ws, p, r, s);
  ensureDirInside(ws.root, paths.stages(ws, p, r));
  return withLock(file, () => {
    const next = checked<StageExecution>(StageExecution, change(readEntity(file, StageExecution, 'stage')), 'stage');
    writeFileAtomic(file, entityTextKeepingLegacy('stage', next));
    return next;
  });
}

function readEntity<T>(file: string, schema: Parameters<typeof checked<T>>[0], what: string): T {
  const read = readJsonFile(file);
  if (!read.ok) throw new ContextaError('workspace', read.reason, { file });
  const parsed = schema.safeParse(read.value);
  if (!parsed.success) throw new ContextaError('workspace', `${file} is not a valid ${what} file`, { file });
  return parsed.data as T;
}

/** Directory entries that are valid names (temp, lock and stray files are ignored). */
export function listNames(dir: string, suffix = ''): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ContextaError('workspace', `cannot list ${dir}: ${(err as Error).message}`, { path: dir });
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (!entry.endsWith(suffix)) continue;
    const name = suffix ? entry.slice(0, -suffix.length) : entry;
    if (componentProblem(name) === null) names.push(name);
  }
  return names.sort();
}

export function stageFileNames(ws: Workspace, p: string, r: string): string[] {
  return listNames(paths.stages(ws, p, r), '.json');
}
