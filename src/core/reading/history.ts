/**
 * A project's runs, oldest first, with each run's metric values, stage durations
 * and diagnosis issues: what `trend` and `report` draw. Every run of the project
 * is diagnosed (not only the ones shown), because whether an earlier run had an
 * error decides whether it may teach the baseline.
 */
import { ContextaError } from '../errors';
import { byStart, listProjects, listRunIds, type RunMeta } from './catalog';
import { diskReader, type RunReader } from './facts-cache';
import type { Issue, RecordSummary } from '../model';
import { buildDiagnoseReport, durationMs } from './reports-build';
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

export function loadProjectHistory(ws: Workspace, project: string, reader: RunReader = diskReader(ws)): ProjectHistory {
  const memo = memoReader(reader);
  const ids = listRunIds(ws, project);
  const diagnosis = buildDiagnoseReport(ws, ids, 'never', memo);
  const issuesOf = new Map<string, Issue[]>();
  for (const issue of diagnosis.issues) {
    const list = issuesOf.get(issue.run_ref) ?? [];
    list.push(issue);
    issuesOf.set(issue.run_ref, list);
  }
  const metas = ids.map((id) => memo.meta(id)).filter((m) => m.run).sort(byStart);
  const samples = metas.map((meta): RunSample => {
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
      issues: issuesOf.get(meta.run_ref) ?? [],
    };
  });
  memo.save();
  const readable = new Set(metas.map((m) => m.run_ref));
  const unreadable_issues = diagnosis.issues.filter((i) => !readable.has(i.run_ref));
  return { project, samples, metas, stage_order: stageOrder(metas), unreadable_issues };
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
