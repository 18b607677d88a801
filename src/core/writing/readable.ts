/**
 * What readers accept: the shared contract OR the contract contexta 0.1.0 wrote by
 * (`producer:` refs, `_` in keys), kept so old workspaces are still read and
 * diagnosed until `contexta migrate` rewrites them. Apart from validate.ts because
 * the 0.1.0 zod schemas cost start-up time that the write path (`record`) must not pay.
 */
import type { Problem } from '../../schema/fields';
import { CanonicalRecord as LegacyRecord, PAYLOAD_SCHEMAS as LEGACY_PAYLOADS, type CanonicalRecord as LegacyRec } from '../../schema/legacy-records';
import { refValue } from '../../schema/legacy-refs';
import { certainlyValid } from './quick-check';
import { checkRecord, describeIssue, formatPath, type ZodIssueLike } from './validate';

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function zodProblems(issues: ZodIssueLike[], root: unknown, prefix: PropertyKey[] = []): Problem[] {
  return issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]),
    message: describeIssue(issue, valueAt(root, issue.path)),
  }));
}

/** The 0.1.0 contract, judged by its own rules (zod schema src/schema/legacy-records.ts plus its cross-field rules). */
export function legacyRecordProblems(input: unknown): Problem[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return [{ path: '', message: 'must be a JSON object with "envelope" and "payload"' }];
  }
  const parsed = LegacyRecord.safeParse(input);
  if (!parsed.success) return zodProblems(parsed.error.issues as ZodIssueLike[], input);
  const rec = parsed.data as unknown as LegacyRec;
  const payload = LEGACY_PAYLOADS[rec.envelope.record_type].safeParse(rec.payload);
  if (!payload.success) {
    return zodProblems(payload.error.issues as ZodIssueLike[], (input as { payload: unknown }).payload, ['payload']);
  }
  rec.payload = payload.data as LegacyRec['payload'];
  return legacyCrossFieldProblems(rec);
}

function legacyCrossFieldProblems(rec: LegacyRec): Problem[] {
  const env = rec.envelope;
  const problems: Problem[] = [];
  if (Date.parse(env.recorded_at) < Date.parse(env.observed_at)) {
    problems.push({ path: 'envelope.recorded_at', message: 'must not be earlier than envelope.observed_at' });
  }
  const prefix = `${refValue(env.run_ref)}.`;
  if (!refValue(env.record_ref).startsWith(prefix)) {
    problems.push({ path: 'envelope.record_ref', message: `must start with the run's "record:${prefix}"` });
  }
  if (env.stage_execution_ref && !refValue(env.stage_execution_ref).startsWith(prefix)) {
    problems.push({ path: 'envelope.stage_execution_ref', message: `must start with the run's "stage:${prefix}"` });
  }
  if (env.record_type === 'degraded' && env.degradation_marker === 'none') {
    problems.push({ path: 'envelope.degradation_marker', message: 'must not be "none" on a degraded record' });
  }
  if (env.record_type === 'span') {
    const span = rec.payload as { started_at: string; ended_at: string };
    if (Date.parse(span.ended_at) < Date.parse(span.started_at)) {
      problems.push({ path: 'payload.ended_at', message: 'must not be earlier than payload.started_at' });
    }
  }
  return problems;
}

/** True when a line is a valid 0.1.0 record that the shared contract refuses: what `contexta migrate` rewrites. */
export function isLegacyOnly(input: unknown): boolean {
  return checkRecord(input).problems.length > 0 && legacyRecordProblems(input).length === 0;
}

/**
 * Problems that make a stored line unreadable. Readers (diagnose, runs, snapshot)
 * use this and never a milder check. A line is readable when it is valid under the
 * shared contract OR under the 0.1.0 contract (each judged strictly by its own
 * rules), so workspaces written by 0.1.0 keep working until migrated. The problems
 * reported are those of the shared contract.
 */
export function readableProblems(input: unknown): Problem[] {
  if (certainlyValid(input)) return [];
  const current = checkRecord(input).problems;
  if (current.length === 0) return current;
  return legacyRecordProblems(input).length === 0 ? [] : current;
}
