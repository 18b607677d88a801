/** degraded_record: the writer itself said something went wrong; its severity and summary are authoritative. */
import type { DegradedPayload } from '../../../schema/records';
import type { Rule } from '../../model';
import { makeIssue, stageNameOf, subjectOf } from './shared';
import type { RuleMeta } from './meta';

export const meta: RuleMeta = {
  code: 'degraded_record',
  kind: 'recorded',
  description: 'a degraded record: the writer itself said something went wrong',
  severity: 'error',
  severity_policy: "the record's own severity (warning or error)",
  options: [],
};

export const degradedRecord: Rule = (input) =>
  input.run.records.notable
    .filter((r) => r.envelope.record_type === 'degraded')
    .map((r) => {
      const p = r.payload as DegradedPayload;
      return makeIssue(input, {
        // The contract allows only warning|error; anything else would have failed validation upstream.
        severity: p.severity === 'error' ? 'error' : 'warning',
        code: 'degraded_record',
        summary: p.summary,
        stage: stageNameOf(r.envelope.stage_execution_ref),
        subject_ref: subjectOf(input, r),
        details: {
          issue_key: p.issue_key,
          category: p.category,
          completeness_marker: r.envelope.completeness_marker,
          degradation_marker: r.envelope.degradation_marker,
          origin_marker: p.origin_marker,
          attributes: p.attributes ?? {},
        },
        evidence: [r.envelope.record_ref],
      });
    });
