/**
 * `diagnose` sees an OpenLineage backlog: events that no back end has taken for
 * longer than a grace period are a lineage gap (the server shows runs as
 * running, or not at all). A pure rule over the outbox's state, plus the
 * reading it needs.
 */
import { countIssues, gateFails } from '../../diagnosis/diagnose';
import type { Issue } from '../../model';
import type { DiagnoseReport } from '../../reading/reports';
import type { FailOn } from '../../../schema/enums';
import { readJsonFile } from '../../storage/fsio';
import { outboxStates, type OutboxState } from './outbox';
import { RUN_FACET } from './facets';

export const BACKLOG_CODE = 'openlineage_backlog';
export const DEAD_LETTER_CODE = 'openlineage_dead_letter';
/** A live pipeline with a slow back end is not a backlog yet. */
export const BACKLOG_GRACE_MS = 10 * 60_000;

export interface QueueView {
  state: OutboxState;
  /** The contexta run of the oldest waiting event (from its contexta_run facet), when known. */
  run_ref: string | null;
  /** The same for the first refused event. */
  dead_run_ref: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Pure: the issues a set of queues deserves at `nowMs`. */
export function backlogIssues(queues: QueueView[], nowMs: number): Issue[] {
  const issues: Issue[] = [];
  for (const { state, run_ref, dead_run_ref } of queues) {
    const where = state.url ?? `outbox ${state.target}`;
    if (state.pending > 0 && state.oldest_ms !== null && nowMs - state.oldest_ms >= BACKLOG_GRACE_MS) {
      const minutes = Math.floor((nowMs - state.oldest_ms) / 60_000);
      issues.push({
        severity: 'warning',
        code: BACKLOG_CODE,
        summary: `${state.pending} OpenLineage event(s) not delivered to ${where} for ${minutes} min; run \`contexta emit --flush\` once it is reachable`,
        run_ref: run_ref ?? '',
        stage: null,
        subject_ref: null,
        details: {
          url: state.url,
          pending: state.pending,
          oldest_at: iso(state.oldest_ms),
          newest_at: iso(state.newest_ms),
          growing: state.newest_ms !== null && state.newest_ms > state.oldest_ms,
        },
        evidence: state.oldest_file ? [state.oldest_file] : [],
      });
    }
    if (state.dead > 0) {
      issues.push({
        severity: 'warning',
        code: DEAD_LETTER_CODE,
        summary: `${state.dead} OpenLineage event(s) refused by ${where}; kept with the reason under the outbox's dead/ folder`,
        run_ref: dead_run_ref ?? run_ref ?? '',
        stage: null,
        subject_ref: null,
        details: { url: state.url, dead: state.dead },
        evidence: state.dead_file ? [state.dead_file] : [],
      });
    }
  }
  return issues;
}

/** Read the workspace's queues (read only) and name the run each one is stuck on. */
export function readQueues(workspaceRoot: string): QueueView[] {
  return outboxStates(workspaceRoot).map((state) => ({ state, run_ref: runRefIn(state.oldest_file), dead_run_ref: runRefIn(state.dead_file) }));
}

function runRefIn(file: string | null): string | null {
  if (!file) return null;
  const read = readJsonFile(file);
  const facet = read.ok ? (read.value as { run?: { facets?: Record<string, { run_ref?: unknown }> } }).run?.facets?.[RUN_FACET] : undefined;
  return typeof facet?.run_ref === 'string' ? facet.run_ref : null;
}

/**
 * The diagnose hook: the report with the backlog issues that concern the runs
 * diagnosed (any run when `all`), its counts and gate verdict updated.
 */
export function withBacklog(report: DiagnoseReport, workspaceRoot: string, nowMs: number, all: boolean): DiagnoseReport {
  const diagnosed = new Set(report.runs.map((r) => r.run_ref));
  const extra = backlogIssues(readQueues(workspaceRoot), nowMs).filter((i) => all || diagnosed.has(i.run_ref));
  if (!extra.length) return report;
  const issues = [...report.issues, ...extra];
  const runs = report.runs.map((r) => {
    const mine = extra.filter((i) => i.run_ref === r.run_ref);
    return mine.length ? { ...r, counts: countIssues([...report.issues.filter((i) => i.run_ref === r.run_ref), ...mine]) } : r;
  });
  return { ...report, issues, runs, counts: countIssues(issues), failed: gateFails(issues, report.fail_on as FailOn) };
}
