/**
 * degradation_marker: an ordinary record flagged as degraded in its envelope
 * (e.g. a metric computed from partial data). Degraded records are skipped:
 * degraded_record already reports them with their own severity.
 */
import type { CanonicalRecord } from '../../../schema/records';
import type { Rule } from '../../model';
import { makeIssue, stageNameOf } from './shared';
import type { RuleMeta } from './meta';

export const meta: RuleMeta = {
  code: 'degradation_marker',
  kind: 'recorded',
  description: 'an ordinary record whose envelope carries a degradation marker (e.g. a metric computed from partial data)',
  severity: 'warning',
  severity_policy: 'always warning',
  options: [],
};

/** The name a reader recognises the record by, per record type. */
function keyOf(record: CanonicalRecord): string {
  const p = record.payload as Record<string, unknown>;
  const key = p.metric_key ?? p.event_key ?? p.span_name;
  return typeof key === 'string' && key !== '' ? key : record.envelope.record_ref;
}

export const degradationMarker: Rule = (input) =>
  input.run.records.notable
    .filter((r) => r.envelope.record_type !== 'degraded' && r.envelope.degradation_marker !== 'none')
    .map((r) =>
      makeIssue(input, {
        severity: 'warning',
        code: 'degradation_marker',
        summary: `${r.envelope.record_type} record ${keyOf(r)} carries degradation marker ${r.envelope.degradation_marker}`,
        stage: stageNameOf(r.envelope.stage_execution_ref),
        subject_ref: r.envelope.record_ref,
        details: {
          record_type: r.envelope.record_type,
          degradation_marker: r.envelope.degradation_marker,
          completeness_marker: r.envelope.completeness_marker,
        },
        evidence: [r.envelope.record_ref],
      }),
    );
