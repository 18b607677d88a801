/**
 * Helpers shared by the diagnosis rules. Kept apart from diagnose.ts so rule
 * files never import the module that imports them (an ESM cycle would leave
 * RULES reading rules still in their temporal dead zone).
 */
import type { IssueSeverity } from '../../../schema/enums';
import type { StageExecution } from '../../../schema/entities';
import type { CanonicalRecord, EventPayload } from '../../../schema/records';
import type { Issue, Rule, RuleInput } from '../../model';

/** `stage:proj.run.train` → `train`; null when there is no stage ref. */
export function stageNameOf(stageExecutionRef: string | null | undefined): string | null {
  if (!stageExecutionRef) return null;
  const name = stageExecutionRef.slice(stageExecutionRef.lastIndexOf('.') + 1);
  return name === '' ? null : name;
}

/** Last path component, for summaries; the full path stays in details. */
export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** Plain code-unit comparison: localeCompare would make order depend on the machine's locale. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const startedMs = (s: StageExecution) => {
  const ms = Date.parse(s.started_at);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
};

/** Pipeline order: explicit order_index first (stages without one go last), then start time, then name. */
export function compareStages(a: StageExecution, b: StageExecution): number {
  const ai = a.order_index ?? Number.POSITIVE_INFINITY;
  const bi = b.order_index ?? Number.POSITIVE_INFINITY;
  if (ai !== bi) return ai < bi ? -1 : 1;
  const at = startedMs(a);
  const bt = startedMs(b);
  if (at !== bt) return at < bt ? -1 : 1;
  return cmp(a.stage_name, b.stage_name);
}

export type IssueFields = Omit<Issue, 'run_ref' | 'stage' | 'subject_ref' | 'details' | 'evidence'> &
  Partial<Pick<Issue, 'stage' | 'subject_ref' | 'details' | 'evidence'>>;

/** Fills the fields every issue must carry, so no rule can forget one. */
export function makeIssue(input: RuleInput, fields: IssueFields): Issue {
  return {
    severity: fields.severity,
    code: fields.code,
    summary: fields.summary,
    run_ref: input.run.run_ref,
    stage: fields.stage ?? null,
    subject_ref: fields.subject_ref ?? null,
    details: fields.details ?? {},
    evidence: fields.evidence ?? [],
  };
}

/** Most specific thing a record is about: its own subject, else its stage, else the run. */
export function subjectOf(input: RuleInput, record: CanonicalRecord): string {
  const subject = (record.payload as { subject_ref?: string | null }).subject_ref;
  return subject ?? record.envelope.stage_execution_ref ?? input.run.run_ref;
}

/** event_error and event_warning differ only in the levels they pick and the severity they give. */
export function eventRule(code: string, levels: readonly EventPayload['level'][], severity: IssueSeverity): Rule {
  return (input) =>
    input.run.records.notable
      .filter((r) => r.envelope.record_type === 'event')
      .filter((r) => levels.includes((r.payload as EventPayload).level))
      .map((r) => {
        const p = r.payload as EventPayload;
        return makeIssue(input, {
          severity,
          code,
          summary: `${p.event_key}: ${p.message}`,
          stage: stageNameOf(r.envelope.stage_execution_ref),
          subject_ref: subjectOf(input, r),
          details: { event_key: p.event_key, level: p.level, attributes: p.attributes ?? {} },
          evidence: [r.envelope.record_ref],
        });
      });
}
