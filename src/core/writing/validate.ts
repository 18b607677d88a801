/**
 * Validation of whole records: the zod contract plus the cross-field rules
 * (time order, shared run prefix, degraded marker). Returns problems instead
 * of throwing so `record import` can name the line and field of each.
 */
import { CanonicalRecord, PAYLOAD_SCHEMAS, type CanonicalRecord as Rec } from '../../schema/records';
import { refValue } from '../../schema/refs';

export interface Problem {
  path: string;
  message: string;
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  values?: unknown[];
  expected?: string;
  received?: string;
  keys?: string[];
}

export function formatPath(path: PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/** A zod issue in words a shell user can act on: what is wrong and what is allowed. */
export function describeIssue(issue: ZodIssueLike, input?: unknown): string {
  switch (issue.code) {
    case 'invalid_value':
      return `must be one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      if (issue.received === 'undefined' || (input === undefined && issue.expected !== 'undefined')) {
        return `is required (${issue.expected})`;
      }
      if (issue.expected === 'number') return 'must be a finite number';
      return `must be ${article(issue.expected ?? 'value')}`;
    default:
      return issue.message;
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

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

/** Parse and check one record. `record` is set only when there are no problems. */
export function checkRecord(input: unknown): { record?: Rec; problems: Problem[] } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { problems: [{ path: '', message: 'must be a JSON object with "envelope" and "payload"' }] };
  }
  const parsed = CanonicalRecord.safeParse(input);
  if (!parsed.success) return { problems: zodProblems(parsed.error.issues as ZodIssueLike[], input) };
  const rec = parsed.data as unknown as Rec;
  const env = rec.envelope;
  const payloadSchema = PAYLOAD_SCHEMAS[env.record_type];
  const payload = payloadSchema.safeParse(rec.payload);
  if (!payload.success) {
    const raw = (input as { payload: unknown }).payload;
    return { problems: zodProblems(payload.error.issues as ZodIssueLike[], raw, ['payload']) };
  }
  rec.payload = payload.data as Rec['payload'];
  const problems = crossFieldProblems(rec);
  return problems.length ? { problems } : { record: rec, problems };
}

export function crossFieldProblems(rec: Rec): Problem[] {
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
    problems.push({
      path: 'envelope.stage_execution_ref',
      message: `must start with the run's "stage:${prefix}"`,
    });
  }
  if (env.record_type === 'degraded' && env.degradation_marker === 'none') {
    problems.push({
      path: 'envelope.degradation_marker',
      message: 'must not be "none" on a degraded record (one of partial_failure, capture_gap, import_loss, compatibility_upgrade)',
    });
  }
  if (env.record_type === 'span') {
    const span = rec.payload as { started_at: string; ended_at: string };
    if (Date.parse(span.ended_at) < Date.parse(span.started_at)) {
      problems.push({ path: 'payload.ended_at', message: 'must not be earlier than payload.started_at' });
    }
  }
  return problems;
}

export function problemsText(problems: Problem[]): string {
  return problems.map((p) => (p.path ? `${p.path} ${p.message}` : p.message)).join('; ');
}

/**
 * Problems that make a stored line unreadable. Readers (diagnose, runs, snapshot)
 * use this and never a milder check: a line the contract refuses is reported as
 * unreadable, not mapped to a softer meaning. Lines an earlier contexta version
 * wrote are judged by that version's rules until migrated.
 */
export function readableProblems(input: unknown): Problem[] {
  return checkRecord(input).problems;
}
