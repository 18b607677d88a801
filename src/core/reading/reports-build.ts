/**
 * Builds the `diagnose` and `snapshot` documents from the workspace. Metadata is loaded
 * first (cheap) so filters and limits apply before any record log is scanned.
 */
import { countIssues, gateFails } from '../diagnosis/diagnose';
import { byStart, startMs, listRunIds, loadRunMeta, type RunId, type RunMeta } from './catalog';
import { emptyCounts, type Issue } from '../model';
import { diskReader } from './run-reader';
import type { DiagnoseReport, SnapshotReport } from './reports';
import { paths } from '../storage/store';
import { summarizeRecords } from './summarize';
import type { Workspace } from '../storage/workspace';
import type { FailOn } from '../../schema/enums';
import { diagnoser, durationMs, factsFrom, type DiagnoseSettings } from './diagnoser';

export function buildSnapshotReport(ws: Workspace, id: RunId): SnapshotReport {
  const meta = loadRunMeta(ws, id);
  const { all, ...records } = summarizeRecords(paths.records(ws, id.project, id.name), meta.run_ref, { keepAll: true });
  const facts = { ...factsFrom(meta, records), all };
  const run = meta.run ?? { run_ref: meta.run_ref, project_ref: `project:${id.project}`, name: id.name, status: 'open' as const, started_at: '' };
  return {
    run: { ...run, project: id.project, duration_ms: durationMs(run.started_at, run.ended_at) },
    stages: meta.stages.map((s) => ({
      stage_execution_ref: s.stage_execution_ref,
      stage_name: s.stage_name,
      status: s.status,
      started_at: s.started_at,
      ended_at: s.ended_at ?? null,
      duration_ms: durationMs(s.started_at, s.ended_at),
      order_index: s.order_index ?? null,
      record_counts: facts.records.by_stage[s.stage_name] ?? emptyCounts(),
    })),
    record_counts: facts.records.counts,
    records: facts.all,
    unreadable: [...meta.unreadable, ...facts.records.unreadable],
  };
}

/** Which of the named runs to diagnose: all, the newest of each project, the N newest of each, or those started since. */
export interface RunSelection {
  latest?: boolean;
  last?: number;
  since?: number;
}

function selectRuns(targets: RunMeta[], sel: RunSelection): RunMeta[] {
  let chosen = targets;
  if (sel.since !== undefined) chosen = chosen.filter((m) => startMs(m) >= sel.since!);
  if (sel.latest) return newestOfEach(chosen);
  const perProject = sel.last;
  if (perProject !== undefined) {
    const byProject = new Map<string, RunMeta[]>();
    for (const m of chosen) {
      const list = byProject.get(m.project);
      if (list) list.push(m);
      else byProject.set(m.project, [m]);
    }
    const keep = new Set([...byProject.values()].flatMap((list) => list.sort(byStart).slice(-perProject)));
    chosen = chosen.filter((m) => keep.has(m));
  }
  return chosen;
}

/** The newest run of each project (one pass: `--latest` over 10,000 runs sorts nothing). */
function newestOfEach(metas: RunMeta[]): RunMeta[] {
  const newest = new Map<string, RunMeta>();
  for (const m of metas) {
    const seen = newest.get(m.project);
    if (!seen || byStart(m, seen) > 0) newest.set(m.project, m);
  }
  return [...newest.values()];
}

export function buildDiagnoseReport(
  ws: Workspace,
  ids: RunId[],
  failOn: FailOn,
  reader = diskReader(ws),
  settings: DiagnoseSettings & { select?: RunSelection; everyRun?: boolean } = {},
): DiagnoseReport {
  const projects = [...new Set(ids.map((id) => id.project))];
  // `everyRun`: the caller listed every run of these projects (their histories); not listed twice.
  const metas = settings.everyRun ? ids.map((id) => reader.meta(id)) : projects.flatMap((p) => listRunIds(ws, p).map((id) => reader.meta(id)));
  const { diagnose } = diagnoser(ws, reader, metas, settings);
  const named = () => {
    // A map, not a search per run: `diagnose --all` over 10,000 runs was quadratic (12.8 s).
    const byId = new Map(metas.map((m) => [`${m.project}/${m.name}`, m]));
    return ids.map((id) => byId.get(`${id.project}/${id.name}`) ?? reader.meta(id));
  };
  const targets = selectRuns(settings.everyRun ? metas : named(), settings.select ?? {}).sort(byStart);
  const issues: Issue[] = [];
  const runs = targets.map((meta) => {
    const result = diagnose(meta);
    // One push per issue: push(...list) overflows the stack at ~125k issues.
    for (const issue of result.issues) issues.push(issue);
    return { run_ref: meta.run_ref, counts: countIssues(result.issues), stages: meta.stages.map((s) => s.stage_name) };
  });
  return { issues, counts: countIssues(issues), runs, fail_on: failOn, failed: gateFails(issues, failOn) };
}
