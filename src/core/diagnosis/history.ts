/**
 * The digest of one run that cross-run rules learn from: stage statuses and
 * durations, metric values, whether the run had errors, and the warnings it
 * recorded. Derived from the run's metadata and record summary (what the read
 * cache keeps), with no further I/O. Pure.
 */
import type { Run, StageExecution } from '../../schema/entities';
import type { DegradedPayload, EventPayload } from '../../schema/records';
import type { HistoryRun, RecordSummary } from '../model';
import { stageNameOf } from './rules/shared';

export const spanMs = (start?: string | null, end?: string | null): number | null => {
  if (!start || !end) return null;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) ? ms : null;
};

const FAILED = new Set(['failed', 'cancelled']);

/** `stage|code|key` of each warning-level signal a run recorded itself (the same keys recurring_issue compares). */
export function recordedWarnings(records: RecordSummary): string[] {
  const keys = new Set<string>();
  for (const r of records.notable) {
    const stage = stageNameOf(r.envelope.stage_execution_ref) ?? '';
    const type = r.envelope.record_type;
    if (type === 'event' && (r.payload as EventPayload).level === 'warning') {
      keys.add(`${stage}|event_warning|${(r.payload as EventPayload).event_key}`);
    } else if (type === 'degraded' && (r.payload as DegradedPayload).severity !== 'error') {
      keys.add(`${stage}|degraded_record|${(r.payload as DegradedPayload).issue_key}`);
    } else if (type !== 'degraded' && r.envelope.degradation_marker !== 'none') {
      const p = r.payload as Record<string, unknown>;
      keys.add(`${stage}|degradation_marker|${String(p.metric_key ?? p.event_key ?? p.span_name ?? '')}`);
    }
  }
  return [...keys];
}

/** An error-level record: the writer said the run went wrong. */
function recordedError(records: RecordSummary): boolean {
  return records.notable.some((r) =>
    r.envelope.record_type === 'degraded'
      ? (r.payload as DegradedPayload).severity === 'error'
      : r.envelope.record_type === 'event' && ['error', 'critical'].includes((r.payload as EventPayload).level),
  );
}

export interface DigestSource {
  run_ref: string;
  name: string;
  run: Run | null;
  stages: StageExecution[];
}

export function digestRun(meta: DigestSource, records: RecordSummary): HistoryRun {
  const run = meta.run!;
  return {
    run_ref: meta.run_ref,
    name: meta.name,
    status: run.status,
    started_at: run.started_at,
    stage_names: meta.stages.map((s) => s.stage_name),
    duration_ms: spanMs(run.started_at, run.ended_at),
    stages: meta.stages.map((s) => ({ name: s.stage_name, status: s.status, duration_ms: spanMs(s.started_at, s.ended_at) })),
    metrics: records.metrics,
    repeated_metrics: records.repeated_metrics,
    incident: FAILED.has(run.status) || meta.stages.some((s) => FAILED.has(s.status)) || recordedError(records),
    warnings: recordedWarnings(records),
  };
}
