/**
 * Builds the read commands' documents from the workspace. Metadata is loaded
 * first (cheap) so filters and limits apply before any record log is scanned.
 */
import { countIssues, diagnoseRun, gateFails } from '../diagnosis/diagnose';
import { byStart, historyIndex, startMs, listRunIds, loadRunMeta, type RunId, type RunMeta } from './catalog';
import { emptyCounts, type TypeCounts, type HistoryRun, type Issue, type RecordSummary, type RuleInput, type RunFacts, type Unreadable } from '../model';
import type { ChecksFile } from '../diagnosis/checks';
import { digestRun } from '../diagnosis/history';
import { loadResets } from '../diagnosis/resets-file';
import { diskReader, type RunReader } from './run-reader';
import { parsed, rowLooksRight } from './cache/cache-shape';
import { memoKeys } from './cache/memo-key';
import { checksFor } from '../diagnosis/checks';
import type { DiagnoseReport, RunsListing, RunsReport, RunsRow, SnapshotReport } from './reports';
import { paths } from '../storage/store';
import { attemptOf } from '../storage/attempts';
import { summarizeRecords } from './summarize';
import type { Workspace } from '../storage/workspace';
import type { FailOn, Status } from '../../schema/enums';

export const durationMs = (start?: string | null, end?: string | null): number | null =>
  start && end ? Date.parse(end) - Date.parse(start) : null;

const factsFrom = (meta: RunMeta, records: RecordSummary): RunFacts => ({
  project: meta.project,
  name: meta.name,
  run_ref: meta.run_ref,
  run: meta.run,
  stages: meta.stages,
  records,
  unreadable: meta.unreadable,
});

/** What a diagnosis needs besides the runs: the clock, the declared checks. */
export interface DiagnoseSettings {
  now?: number;
  checks?: ChecksFile | null;
}

/**
 * Diagnose runs among `metas` (every run of their projects): each run's record summary is
 * read once and digested once, however many histories it appears in. With the read
 * cache, a diagnosis is remembered under a key naming all its inputs (memo-key.ts) and
 * recalled instead of recomputed; one that read the clock is never remembered.
 */
function diagnoser(ws: Workspace, reader: RunReader, metas: RunMeta[], settings: DiagnoseSettings) {
  const summaries = new Map<RunMeta, RecordSummary>();
  const recordsOf = (m: RunMeta) => {
    let r = summaries.get(m);
    if (!r) summaries.set(m, (r = reader.records(m)));
    return r;
  };
  const digests = new Map<RunMeta, HistoryRun>();
  const digest = (m: RunMeta) => {
    let d = digests.get(m);
    if (!d) digests.set(m, (d = digestRun(m, recordsOf(m))));
    return d;
  };
  const { historyOf, historyMetas, isNewest } = historyIndex(metas, digest);
  const resets = new Map<string, ReturnType<typeof loadResets>>();
  const resetsOf = (project: string) => {
    let r = resets.get(project);
    if (!r) resets.set(project, (r = loadResets(ws, project)));
    return r;
  };
  const keys = memoKeys(settings.checks, resetsOf);
  const keysOf = new Map<RunMeta, string | null>();
  const keyOf = (meta: RunMeta) => {
    let key = keysOf.get(meta);
    if (key === undefined) keysOf.set(meta, (key = reader.memo ? keys.keyFor(reader.memo, meta, historyMetas(meta), isNewest(meta)) : null));
    return key;
  };
  const diagnose = (meta: RunMeta): DiagnosedRun => {
    let facts: RunFacts | null = null;
    const factsOf = () => (facts ??= factsFrom(meta, recordsOf(meta)));
    let input: RuleInput | null = null;
    let clockRead = false;
    const inputOf = (): RuleInput =>
      (input ??= {
        run: factsOf(),
        history: historyOf(meta),
        get now() {
          clockRead = true;
          return settings.now;
        },
        newest: isNewest(meta),
        checks: checksFor(settings.checks, meta.project),
        resets: resetsOf(meta.project),
      });
    const key = keyOf(meta);
    let issues = key !== null ? reader.memo!.recall(meta, key) : undefined;
    if (!issues) {
      issues = diagnoseRun(inputOf());
      if (key !== null && !clockRead) reader.memo!.remember(meta, key, issues);
    }
    return {
      meta,
      keyed: clockRead ? null : key,
      get facts() {
        return factsOf();
      },
      get input() {
        return inputOf();
      },
      issues,
      digest: () => digest(meta),
    };
  };
  // A remembered diagnosis needs only the counts of the summary (the cache keeps them apart).
  const countsOf = (meta: RunMeta) => summaries.get(meta)?.counts ?? (reader.counts ? reader.counts(meta) : recordsOf(meta).counts);
  /**
   * The run's `runs` row, as text (`asText`: what `runs --json` copies out) or as an
   * object. Remembered as text with its diagnosis, so a warm `runs` reads no stage file
   * and builds no row; a remembered row a text view parses is checked first.
   */
  function rowOf(meta: RunMeta, rowJson: RowJson, asText: true): string;
  function rowOf(meta: RunMeta, rowJson: RowJson, asText: false): RunsRow;
  function rowOf(meta: RunMeta, rowJson: RowJson, asText: boolean): string | RunsRow {
    const key = keyOf(meta);
    const recalled = key !== null ? reader.memo!.recallRow(meta, key) : undefined;
    if (recalled !== undefined) {
      if (asText) return recalled;
      const row = parsed(recalled);
      if (rowLooksRight(row, meta)) return row as RunsRow;
    }
    const { issues, keyed } = diagnose(meta);
    const row = runsRow(meta, countsOf(meta), issues);
    const text = asText || keyed !== null ? rowJson(row) : '';
    if (keyed !== null) reader.memo!.rememberRow(meta, keyed, text);
    return asText ? text : row;
  }
  return { diagnose, rowOf };
}

/** One run as diagnosis saw it: the input its rules got (so a chart can ask for the same baselines) and the issues. */
export interface DiagnosedRun {
  meta: RunMeta;
  /** Built on first use, as is input. */
  readonly facts: RunFacts;
  /** Built on first use: a remembered diagnosis needs no history digests. */
  readonly input: RuleInput;
  issues: Issue[];
  /** The key these issues are remembered under (null: no cache, or the diagnosis read the clock). */
  keyed: string | null;
  /** The run as later runs' histories see it (only for runs whose run.json is readable). */
  digest: () => HistoryRun;
}

/** Every run of `project`, diagnosed with `settings` exactly as `diagnose` would (unreadable runs included). */
export function diagnoseProject(ws: Workspace, project: string, reader = diskReader(ws), settings: DiagnoseSettings = {}): DiagnosedRun[] {
  const metas = listRunIds(ws, project).map((id) => reader.meta(id));
  const { diagnose } = diagnoser(ws, reader, metas, settings);
  return [...metas].sort(byStart).map(diagnose);
}

export interface RunsFilter {
  project?: string;
  status?: Status;
  since?: string;
  until?: string;
  limit?: number;
  /** Every attempt of every run, not only the latest (docs/attempts.md). */
  allAttempts?: boolean;
}

/** How `runs --json` writes a row (render/runs-json.ts): the text the read cache remembers for it. */
export type RowJson = (row: RunsRow) => string;

/** `runs` with its rows as objects, for the text and NDJSON views. */
export function buildRunsReport(ws: Workspace, filter: RunsFilter, rowJson: RowJson, reader = diskReader(ws), settings: DiagnoseSettings = {}): RunsReport {
  const { metas, selected, ...rest } = selectForRuns(ws, filter, reader);
  const { rowOf } = diagnoser(ws, reader, metas, settings);
  return { workspace: ws.root, runs: selected.map((meta) => rowOf(meta, rowJson, false)), ...rest };
}

/** `runs` with its rows as `rowJson` text, for `runs --json`: a warm call copies remembered rows out. */
export function buildRunsListing(ws: Workspace, filter: RunsFilter, rowJson: RowJson, reader = diskReader(ws), settings: DiagnoseSettings = {}): RunsListing {
  const { metas, selected, ...rest } = selectForRuns(ws, filter, reader);
  const { rowOf } = diagnoser(ws, reader, metas, settings);
  return { workspace: ws.root, rows: selected.map((meta) => rowOf(meta, rowJson, true)), ...rest };
}

/** A cached head with a start instant had a readable run.json: checking needs no parse (see RunMeta.startMs). */
const readable = (m: RunMeta) => m.startMs !== undefined || m.run !== null;

/** The runs the filters keep, newest first and cut to --limit; every run listed (histories need them) and the unreadable ones. */
function selectForRuns(ws: Workspace, filter: RunsFilter, reader: RunReader) {
  const listing: Unreadable[] = [];
  const metas = listRunIds(ws, filter.project, filter.allAttempts, listing).map((id) => reader.meta(id));
  const unreadable: Unreadable[] = [...listing, ...metas.filter((m) => !readable(m)).flatMap((m) => m.unreadable)];
  const since = filter.since ? Date.parse(filter.since) : -Infinity;
  const until = filter.until ? Date.parse(filter.until) : Infinity;
  let selected = metas
    .filter((m) => readable(m) && (!filter.status || m.run!.status === filter.status))
    .filter((m) => startMs(m) >= since && startMs(m) <= until)
    .sort(byStart)
    .reverse();
  const matched = selected.length;
  if (filter.limit !== undefined) selected = selected.slice(0, filter.limit);
  return { metas, selected, matched, unreadable };
}

function runsRow(meta: RunMeta, counts: TypeCounts, issues: Issue[]): RunsRow {
  const run = meta.run!;
  return {
    run_ref: meta.run_ref,
    project: meta.project,
    name: meta.name,
    attempt: attemptOf(meta.name).attempt,
    status: run.status,
    started_at: run.started_at,
    ended_at: run.ended_at ?? null,
    duration_ms: durationMs(run.started_at, run.ended_at),
    stages: meta.stages.map((s) => ({
      name: s.stage_name,
      status: s.status,
      issue_counts: countIssues(issues.filter((i) => i.stage === s.stage_name)),
    })),
    issue_counts: countIssues(issues),
    record_count: counts.event + counts.metric + counts.span + counts.degraded,
  };
}

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
