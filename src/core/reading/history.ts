/**
 * A project's runs, oldest first, with each run's metric values, stage durations
 * and diagnosis issues: what `trend` and `report` draw. Every run of the project
 * is diagnosed (not only the ones shown), exactly as `diagnose` does it (same
 * contexta.yml, resets and history), and each sample keeps the input its rules got,
 * so a chart asks diagnosis for the very baseline the gate applied.
 */
import { ContextaError } from '../errors';
import { HISTORY_DEPTH, listProjects, type RunMeta } from './catalog';
import { diskReader, type RunReader } from './run-reader';
import type { Issue, RecordSummary } from '../model';
import { diagnoseProject, durationMs, type DiagnoseSettings } from './diagnoser';
import type { BaselineInput } from '../diagnosis/series';
import type { RunSample } from './series';
import type { Workspace } from '../storage/workspace';

export interface ProjectHistory {
  project: string;
  /** Oldest first; runs whose run.json cannot be read are left out (diagnose reports them). */
  samples: RunSample[];
  metas: RunMeta[];
  /** Stage names in pipeline order, as the runs use them (the newest run's order first). */
  stage_order: string[];
  /** Issues of runs whose run.json cannot be read (no sample, but never hidden). */
  unreadable_issues: Issue[];
  /** What the next run's baselines will learn from (its history, contexta.yml, resets). */
  next: BaselineInput;
}

/** Reads each run's files once, however many times diagnosis and the series ask. */
function memoReader(inner: RunReader): RunReader {
  const metas = new Map<string, RunMeta>();
  const records = new WeakMap<RunMeta, RecordSummary>();
  return {
    meta(id) {
      const key = `${id.project}/${id.name}`;
      let m = metas.get(key);
      if (!m) metas.set(key, (m = inner.meta(id)));
      return m;
    },
    records(meta) {
      let r = records.get(meta);
      if (!r) records.set(meta, (r = inner.records(meta)));
      return r;
    },
    save: () => inner.save(),
  };
}

export function loadProjectHistory(
  ws: Workspace,
  project: string,
  reader: RunReader = diskReader(ws),
  settings: DiagnoseSettings = {},
): ProjectHistory {
  const memo = memoReader(reader);
  const diagnosed = diagnoseProject(ws, project, memo, settings);
  const readable = diagnosed.filter((d) => d.meta.run);
  const samples = readable.map(({ meta, input, issues }): RunSample => {
    const durations: Record<string, number | null> = {};
    for (const s of meta.stages) {
      const ms = durationMs(s.started_at, s.ended_at);
      durations[s.stage_name] = ms !== null && Number.isFinite(ms) ? ms : null;
    }
    return {
      run_ref: meta.run_ref,
      name: meta.name,
      status: meta.run!.status,
      started_at: meta.run!.started_at,
      metrics: memo.records(meta).metrics,
      durations,
      issues,
      input,
    };
  });
  // The run after the newest faces the newest HISTORY_DEPTH runs, as historyIndex would give it.
  const next: BaselineInput = {
    history: readable.slice(-HISTORY_DEPTH).reverse().map((d) => d.digest()),
    checks: readable[0]?.input.checks ?? null,
    resets: readable[0]?.input.resets ?? [],
  };
  memo.save();
  const metas = readable.map((d) => d.meta);
  const unreadable_issues = diagnosed.filter((d) => !d.meta.run).flatMap((d) => d.issues);
  return { project, samples, metas, stage_order: stageOrder(metas), unreadable_issues, next };
}

/** Stages in the order the newest runs use them; stages only older runs had come after. */
function stageOrder(metas: RunMeta[]): string[] {
  const order = new Set<string>();
  for (let i = metas.length - 1; i >= 0; i--) for (const s of metas[i].stages) order.add(s.stage_name);
  return [...order];
}

/** `--project`, else the workspace's only project; several projects and none named is a usage error. */
export function pickProject(ws: Workspace, project: string | undefined): string {
  const projects = listProjects(ws);
  if (project) {
    if (!projects.includes(project)) {
      throw new ContextaError('workspace', `unknown project ${JSON.stringify(project)} in ${ws.root}${projects.length ? ` (projects: ${projects.join(', ')})` : ''}`, { project });
    }
    return project;
  }
  if (projects.length === 1) return projects[0];
  if (!projects.length) throw new ContextaError('workspace', `no projects in ${ws.root}; record a run first`);
  throw new ContextaError('usage', `the workspace has several projects; name one with --project (one of: ${projects.join(', ')})`, { projects });
}
