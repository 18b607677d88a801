/**
 * `runs`: every run, newest first, with its stages' health and issue counts. Each row is
 * remembered by the read cache as the text `runs --json` writes, with its diagnosis.
 */
import { countIssues } from '../diagnosis/diagnose';
import { byStart, hasReadableRun, startMs, listRunIds, type RunMeta } from './catalog';
import type { Issue, TypeCounts, Unreadable } from '../model';
import { diskReader, type RunReader } from './run-reader';
import { parsed, rowLooksRight } from './cache/cache-shape';
import type { RunsListing, RunsReport, RunsRow } from './reports';
import { attemptOf } from '../storage/attempts';
import type { Workspace } from '../storage/workspace';
import type { Status } from '../../schema/enums';
import { diagnoser, durationMs, type DiagnoseSettings } from './diagnoser';

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
  const rows = rowMaker(ws, reader, metas, settings, rowJson);
  return { workspace: ws.root, runs: selected.map((meta) => rows.asObject(meta)), ...rest };
}

/** `runs` with its rows as `rowJson` text, for `runs --json`: a warm call copies remembered rows out. */
export function buildRunsListing(ws: Workspace, filter: RunsFilter, rowJson: RowJson, reader = diskReader(ws), settings: DiagnoseSettings = {}): RunsListing {
  const { metas, selected, ...rest } = selectForRuns(ws, filter, reader);
  const rows = rowMaker(ws, reader, metas, settings, rowJson);
  return { workspace: ws.root, rows: selected.map((meta) => rows.asText(meta)), ...rest };
}

/**
 * Each run's row, as text (what `runs --json` copies out) or as an object. Remembered as
 * text under its diagnosis's key, so a warm `runs` reads no stage file and builds no row;
 * a remembered row that a text view parses is checked first.
 */
function rowMaker(ws: Workspace, reader: RunReader, metas: RunMeta[], settings: DiagnoseSettings, rowJson: RowJson) {
  const { diagnose, keyOf, countsOf } = diagnoser(ws, reader, metas, settings);
  const recalled = (meta: RunMeta) => {
    const key = keyOf(meta);
    return key !== null ? reader.memo!.recallRow(meta, key) : undefined;
  };
  /** Made from the run's diagnosis, and remembered when the diagnosis may be. */
  const made = (meta: RunMeta, asText: boolean) => {
    const { issues, keyed } = diagnose(meta);
    const row = runsRow(meta, countsOf(meta), issues);
    const text = asText || keyed !== null ? rowJson(row) : '';
    if (keyed !== null) reader.memo!.rememberRow(meta, keyed, text);
    return { row, text };
  };
  return {
    asText: (meta: RunMeta): string => recalled(meta) ?? made(meta, true).text,
    asObject: (meta: RunMeta): RunsRow => {
      const text = recalled(meta);
      const row = text === undefined ? undefined : parsed(text);
      return rowLooksRight(row, meta) ? (row as RunsRow) : made(meta, false).row;
    },
  };
}

/** The runs the filters keep, newest first and cut to --limit; every run listed (histories need them) and the unreadable ones. */
function selectForRuns(ws: Workspace, filter: RunsFilter, reader: RunReader) {
  const listing: Unreadable[] = [];
  const metas = listRunIds(ws, filter.project, filter.allAttempts, listing).map((id) => reader.meta(id));
  const unreadable: Unreadable[] = [...listing, ...metas.filter((m) => !hasReadableRun(m)).flatMap((m) => m.unreadable)];
  const since = filter.since ? Date.parse(filter.since) : -Infinity;
  const until = filter.until ? Date.parse(filter.until) : Infinity;
  let selected = metas
    .filter((m) => hasReadableRun(m) && (!filter.status || m.run!.status === filter.status))
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

