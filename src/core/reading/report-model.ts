/**
 * What `contexta report` shows, as plain data: per project, the selected runs
 * (newest first) with each stage's status and issue counts, every series (stage
 * durations and metrics) over those runs with the baselines diagnosis uses, and
 * the issues. src/core/exporters/html turns it into one HTML file.
 */
import { countIssues } from '../diagnosis/diagnose';
import type { Baseline, BaselinePolicy } from '../diagnosis/baseline';
import type { DiagnoseSettings } from './diagnoser';
import type { Issue, SeverityCounts } from '../model';
import type { RunReader } from './run-reader';
import { listProjects } from './catalog';
import { loadProjectHistory, pickProject } from './history';
import { buildSeries, currentBaseline, seriesKeys, seriesLabel, type SeriesKey, type TrendPoint } from './series';
import type { Workspace } from '../storage/workspace';
import type { Status } from '../../schema/enums';

export interface ReportStageCell {
  name: string;
  /** null: the run has no such stage. */
  status: Status | null;
  counts: SeverityCounts;
}

export interface ReportRun {
  run_ref: string;
  name: string;
  status: Status;
  started_at: string;
  stages: ReportStageCell[];
  /** Issues not tied to a stage (run status, unreadable files…). */
  run_counts: SeverityCounts;
  counts: SeverityCounts;
}

export interface ReportSeries {
  key: SeriesKey;
  label: string;
  unit: string | null;
  /** Oldest first, over the selected runs; baselines learned from all history. */
  points: TrendPoint[];
  /** What the next run will be judged against (null while learning). */
  baseline: Baseline | null;
  /** The policy diagnosis judges this series under. */
  policy: BaselinePolicy;
  /** False when contexta.yml turns anomaly detection off for this series. */
  anomaly_enabled: boolean;
}

export interface ReportProject {
  project: string;
  stages: string[];
  /** Newest first. */
  runs: ReportRun[];
  total_runs: number;
  series: ReportSeries[];
  /** Issues of the selected runs, newest run first. */
  issues: Issue[];
  /** Issues of runs whose run.json cannot be read: listed apart, whatever --last says. */
  unreadable_issues: Issue[];
  counts: SeverityCounts;
}

export interface ReportModel {
  workspace: string;
  generated_at: string;
  projects: ReportProject[];
  counts: SeverityCounts;
}

export interface ReportRequest {
  project?: string;
  /** Newest N runs per project (undefined: all). */
  last?: number;
  generated_at: string;
}

export function buildReportModel(ws: Workspace, req: ReportRequest, reader?: RunReader, settings: DiagnoseSettings = {}): ReportModel {
  const projects = req.project ? [pickProject(ws, req.project)] : listProjects(ws);
  const sections = projects.map((p) => projectSection(ws, p, req.last, reader, settings));
  const all = sections.flatMap((s) => [...s.issues, ...s.unreadable_issues]);
  return { workspace: ws.root, generated_at: req.generated_at, projects: sections, counts: countIssues(all) };
}

function projectSection(ws: Workspace, project: string, last: number | undefined, reader: RunReader | undefined, settings: DiagnoseSettings): ReportProject {
  const history = loadProjectHistory(ws, project, reader, settings);
  const samples = history.samples;
  const selected = last === undefined ? samples : samples.slice(-last);
  const shown = new Set(selected.map((s) => s.run_ref));
  const stageSet = new Set(history.stage_order);
  for (const s of selected) for (const i of s.issues) if (i.stage && !stageSet.has(i.stage)) stageSet.add(i.stage);
  const stages = [...stageSet];
  const statusOf = new Map(history.metas.map((m) => [m.run_ref, new Map(m.stages.map((st) => [st.stage_name, st.status]))]));

  const runs = [...selected].reverse().map((s): ReportRun => {
    const statuses = statusOf.get(s.run_ref) ?? new Map();
    return {
      run_ref: s.run_ref,
      name: s.name,
      status: s.status,
      started_at: s.started_at,
      stages: stages.map((name) => ({ name, status: statuses.get(name) ?? null, counts: countIssues(s.issues.filter((i) => i.stage === name)) })),
      run_counts: countIssues(s.issues.filter((i) => i.stage === null)),
      counts: countIssues(s.issues),
    };
  });

  const series = seriesKeys(selected, stages).map((key): ReportSeries => {
    const next = currentBaseline(history.next, key);
    return {
      key,
      label: seriesLabel(key),
      unit: key.kind === 'duration' ? 'ms' : null,
      points: buildSeries(samples, key).filter((p) => shown.has(p.run_ref)),
      baseline: next.baseline,
      policy: next.policy,
      anomaly_enabled: next.enabled,
    };
  });

  const issues = [...selected].reverse().flatMap((s) => s.issues);
  const unreadable = history.unreadable_issues;
  return { project, stages, runs, total_runs: samples.length, series, issues, unreadable_issues: unreadable, counts: countIssues([...issues, ...unreadable]) };
}
