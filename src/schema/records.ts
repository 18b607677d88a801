/**
 * The record contract shared with the Python library (contract/models/records.py):
 * `normalizeRecord` accepts exactly what the library's segment deserializer accepts
 * (unknown fields refused, defaults applied, strings stripped, timestamps normalized)
 * and returns the record as the library's `to_payload` would store it. A direct port
 * rather than zod: the library's rules are normalizations as much as checks, and a
 * plain function keeps `record import` above 100,000 records/s.
 * Stricter than the library only where it has a known defect (docs/contract.md).
 */
import {
  AGGREGATION_SCOPES,
  COMPLETENESS_MARKERS,
  DEGRADATION_MARKERS,
  DEGRADED_CATEGORIES,
  DEGRADED_SEVERITIES,
  EVENT_LEVELS,
  ORIGIN_MARKERS,
  RECORD_TYPES,
  SCHEMA_VERSION,
  SPAN_KINDS,
  SPAN_STATUSES,
} from './enums';
import { DOT_OR_SNAKE_TOKEN, DOT_TOKEN, Fields, isMarkedFloat, isObj, markFloat, SNAKE_TOKEN, type Obj, type Problem } from './fields';
import { CORE_KINDS, refParts } from './refs';

export { ISO_TIMESTAMP } from './timestamps';
export type { Problem } from './fields';

/** Written where the library's serializer would drop a null the library's reader requires (span parent_span_id). */
export const KEEP_NULL: unique symbol = Symbol('keepNull');

export interface Envelope {
  record_ref: string;
  record_type: (typeof RECORD_TYPES)[number];
  recorded_at: string;
  observed_at: string;
  producer_ref: string;
  run_ref: string;
  deployment_execution_ref?: string;
  stage_execution_ref?: string | null;
  batch_execution_ref?: string;
  sample_observation_ref?: string;
  operation_context_ref?: string;
  correlation_refs: { trace_id?: string; session_id?: string };
  completeness_marker: string;
  degradation_marker: string;
  schema_version: string;
  extensions: unknown[];
}
export interface EventPayload { event_key: string; level: string; message: string; subject_ref?: string; attributes: Obj; origin_marker: string }
export interface MetricPayload {
  metric_key: string; value: number; value_type: string; unit?: string | null; aggregation_scope: string;
  subject_ref?: string; slice_ref?: string; tags: Obj; summary_basis?: string;
}
export interface SpanPayload {
  span_id: string; trace_id: string; parent_span_id?: string | null; span_name: string; started_at: string; ended_at: string;
  status: string; span_kind: string; attributes: Obj; linked_refs: string[];
}
export interface DegradedPayload { issue_key: string; category: string; severity: string; summary: string; subject_ref?: string; origin_marker: string; attributes: Obj }
export type Payload = EventPayload | MetricPayload | SpanPayload | DegradedPayload;
export type CanonicalRecord = { envelope: Envelope; payload: Payload & Record<string, unknown> };

const set = (...names: string[]) => new Set(names);
const RECORD_FIELDS = set('envelope', 'payload');
const ENVELOPE_FIELDS = set('record_ref', 'record_type', 'recorded_at', 'observed_at', 'producer_ref', 'run_ref',
  'deployment_execution_ref', 'stage_execution_ref', 'batch_execution_ref', 'sample_observation_ref',
  'operation_context_ref', 'correlation_refs', 'completeness_marker', 'degradation_marker', 'schema_version', 'extensions');
const CORRELATION_FIELDS = set('trace_id', 'session_id');
const PAYLOAD_FIELDS: Record<string, Set<string>> = {
  event: set('event_key', 'level', 'message', 'subject_ref', 'attributes', 'origin_marker'),
  metric: set('metric_key', 'value', 'value_type', 'unit', 'aggregation_scope', 'subject_ref', 'slice_ref', 'tags', 'summary_basis'),
  span: set('span_id', 'trace_id', 'parent_span_id', 'span_name', 'started_at', 'ended_at', 'status', 'span_kind', 'attributes', 'linked_refs'),
  degraded: set('issue_key', 'category', 'severity', 'summary', 'subject_ref', 'origin_marker', 'attributes'),
};
const MODEL = { event: 'StructuredEventPayload', metric: 'MetricPayload', span: 'TraceSpanPayload', degraded: 'DegradedPayload' };
export const KEY_RULE = 'dot-separated tokens of a-z, 0-9 and -, each starting with a letter (pattern ^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*$)';
export const ISSUE_KEY_RULE = 'dot-separated tokens of a-z, 0-9 and _, each starting with a letter (pattern ^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$)';
export const SNAKE_RULE = 'a lowercase token of a-z, 0-9 and _ starting with a letter (pattern ^[a-z][a-z0-9_]*$)';

/** The first `n` components of a ref's value ('' when it has fewer). */
function prefixOf(ref: string | undefined, n: number): string {
  if (!ref) return '';
  const start = ref.indexOf(':') + 1;
  let end = start - 1;
  for (let i = 0; i < n; i++) {
    end = ref.indexOf('.', end + 1);
    if (end === -1) return i === n - 1 ? ref.slice(start) : '';
  }
  return ref.slice(start, end);
}
const startsWithParts = (ref: string, owner: string) => `${refParts(ref).join('.')}.`.startsWith(`${owner}.`);

/** Both orders must hold: the instant (contexta) and the library's text comparison (its defect, see docs). */
function ordered(f: Fields, later: { value: string; ms: number }, earlier: { value: string; ms: number }, field: string, other: string) {
  if (later.ms < earlier.ms) f.fail(field, `must not be earlier than ${other}`);
  else if (later.value < earlier.value) {
    f.fail(field, `must not sort before ${other} as text (${later.value} < ${earlier.value}): the Python library compares the two as strings; write both with the same fraction digits`);
  }
}

function normalizeEnvelope(raw: Obj, f: Fields): Envelope | undefined {
  f.known(raw, ENVELOPE_FIELDS, 'RecordEnvelope');
  for (const field of ['record_ref', 'record_type', 'recorded_at', 'observed_at', 'producer_ref', 'run_ref']) f.required(raw, field);
  const record_ref = f.ref(raw.record_ref, 'record_ref', 'record');
  const run_ref = f.ref(raw.run_ref, 'run_ref', 'run');
  const deployment = f.optRef(raw.deployment_execution_ref, 'deployment_execution_ref', 'deployment');
  const stage = f.optRef(raw.stage_execution_ref, 'stage_execution_ref', 'stage');
  const batch = f.optRef(raw.batch_execution_ref, 'batch_execution_ref', 'batch');
  const sample = f.optRef(raw.sample_observation_ref, 'sample_observation_ref', 'sample');
  const op = f.optRef(raw.operation_context_ref, 'operation_context_ref', 'op');
  const record_type = f.marker(raw.record_type, 'record_type', RECORD_TYPES);
  const recorded = f.timestamp(raw.recorded_at, 'recorded_at');
  const observed = f.timestamp(raw.observed_at, 'observed_at');
  const producer_ref = f.token(raw.producer_ref, 'producer_ref', DOT_TOKEN,
    'a lowercase dot token such as contexta.cli (pattern ^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*$, no ":")');
  const completeness = f.marker(raw.completeness_marker ?? (raw.completeness_marker === undefined ? 'complete' : null), 'completeness_marker', COMPLETENESS_MARKERS);
  const degradation = f.marker(raw.degradation_marker ?? (raw.degradation_marker === undefined ? 'none' : null), 'degradation_marker', DEGRADATION_MARKERS);
  const version = f.text(raw.schema_version === undefined ? SCHEMA_VERSION : raw.schema_version, 'schema_version');
  if (version !== undefined && version !== SCHEMA_VERSION) f.fail('schema_version', `must equal "${SCHEMA_VERSION}"`);
  if (record_ref && run_ref && prefixOf(record_ref, 2) !== prefixOf(run_ref, 2)) {
    f.fail('record_ref', `must share the run prefix of run_ref (record:${prefixOf(run_ref, 2)}.<id>)`);
  }
  if (recorded && observed) ordered(f, recorded, observed, 'recorded_at', 'observed_at');
  if (stage && run_ref && prefixOf(stage, 2) !== prefixOf(run_ref, 2)) {
    f.fail('stage_execution_ref', `must share the run prefix of run_ref (stage:${prefixOf(run_ref, 2)}.<stage>)`);
  }
  for (const [ref, field] of [[batch, 'batch_execution_ref'], [sample, 'sample_observation_ref'], [op, 'operation_context_ref']] as const) {
    if (ref && raw.stage_execution_ref == null) f.fail(field, 'requires stage_execution_ref');
  }
  if (batch && stage && prefixOf(batch, 3) !== prefixOf(stage, 3)) f.fail('batch_execution_ref', `must start with the stage's components (batch:${prefixOf(stage, 3)}.<batch>)`);
  const owner = batch ?? stage;
  if (owner && stage) {
    const ownerValue = refParts(owner).join('.');
    if (sample && !startsWithParts(sample, ownerValue)) f.fail('sample_observation_ref', `must start with the components of ${owner}`);
    if (op && !startsWithParts(op, ownerValue)) f.fail('operation_context_ref', `must start with the components of ${owner}`);
  }
  let correlation: Envelope['correlation_refs'] | undefined = {};
  if (raw.correlation_refs !== undefined) {
    const c = raw.correlation_refs;
    if (!isObj(c)) correlation = f.fail('correlation_refs', 'must be an object {trace_id, session_id}');
    else {
      const cf = new Fields(`${f.prefix}.correlation_refs`);
      cf.known(c, CORRELATION_FIELDS, 'CorrelationRefs');
      const trace_id = cf.optText(c.trace_id, 'trace_id');
      const session_id = cf.optText(c.session_id, 'session_id');
      f.problems.push(...cf.problems);
      correlation = { ...(session_id ? { session_id } : {}), ...(trace_id ? { trace_id } : {}) };
    }
  }
  const extensions = f.extensions(raw.extensions, 'extensions');
  if (f.problems.length) return undefined;
  // Keys in sorted order, as stored: the serializer can then hand the object to JSON.stringify.
  const env = {
    ...(batch ? { batch_execution_ref: batch } : {}),
    completeness_marker: completeness!,
    correlation_refs: correlation!,
    degradation_marker: degradation!,
    ...(deployment ? { deployment_execution_ref: deployment } : {}),
    extensions: extensions!,
    observed_at: observed!.value,
    ...(op ? { operation_context_ref: op } : {}),
    producer_ref: producer_ref!,
    record_ref: record_ref!,
    record_type: record_type as Envelope['record_type'],
    recorded_at: recorded!.value,
    run_ref: run_ref!,
    ...(sample ? { sample_observation_ref: sample } : {}),
    schema_version: version!,
    ...(stage ? { stage_execution_ref: stage } : {}),
  } as Envelope;
  return env;
}

const withDefault = (v: unknown, d: string) => (v === undefined ? d : v);

function normalizePayload(type: string, raw: Obj, f: Fields): Obj | undefined {
  f.known(raw, PAYLOAD_FIELDS[type], MODEL[type as keyof typeof MODEL]);
  const out: Obj = {};
  const put = (key: string, value: unknown) => { if (value !== undefined) out[key] = value; };
  if (type === 'event') {
    for (const k of ['event_key', 'level', 'message']) f.required(raw, k);
    put('event_key', f.token(raw.event_key, 'event_key', DOT_TOKEN, KEY_RULE));
    put('level', f.marker(raw.level, 'level', EVENT_LEVELS));
    put('message', f.text(raw.message, 'message'));
    put('subject_ref', f.optRef(raw.subject_ref, 'subject_ref', undefined));
    put('attributes', f.jsonMap(raw.attributes, 'attributes'));
    put('origin_marker', f.marker(withDefault(raw.origin_marker, 'explicit_capture'), 'origin_marker', ORIGIN_MARKERS));
  } else if (type === 'metric') {
    for (const k of ['metric_key', 'value', 'value_type']) f.required(raw, k);
    put('metric_key', f.token(raw.metric_key, 'metric_key', DOT_TOKEN, KEY_RULE));
    const v = raw.value;
    if (typeof v !== 'number' || !Number.isFinite(v)) f.fail('value', 'must be a finite number');
    else {
      out.value = v;
      if (isMarkedFloat(raw, 'value')) markFloat(out, 'value');
    }
    put('value_type', f.token(raw.value_type, 'value_type', SNAKE_TOKEN, SNAKE_RULE));
    put('unit', f.optText(raw.unit, 'unit'));
    put('aggregation_scope', f.marker(withDefault(raw.aggregation_scope, 'step'), 'aggregation_scope', AGGREGATION_SCOPES));
    put('subject_ref', f.optRef(raw.subject_ref, 'subject_ref', undefined));
    if (raw.slice_ref != null) put('slice_ref', f.token(raw.slice_ref, 'slice_ref', DOT_OR_SNAKE_TOKEN, ISSUE_KEY_RULE));
    put('tags', f.stringMap(raw.tags, 'tags'));
    if (raw.summary_basis != null) put('summary_basis', f.token(raw.summary_basis, 'summary_basis', SNAKE_TOKEN, SNAKE_RULE));
  } else if (type === 'span') {
    for (const k of ['span_id', 'trace_id', 'span_name', 'started_at', 'ended_at', 'status', 'span_kind']) f.required(raw, k);
    const started = f.timestamp(raw.started_at, 'started_at');
    const ended = f.timestamp(raw.ended_at, 'ended_at');
    if (started && ended) ordered(f, ended, started, 'ended_at', 'started_at');
    put('span_id', f.text(raw.span_id, 'span_id'));
    put('trace_id', f.text(raw.trace_id, 'trace_id'));
    out.parent_span_id = f.optText(raw.parent_span_id, 'parent_span_id') ?? KEEP_NULL;
    put('span_name', f.text(raw.span_name, 'span_name'));
    put('started_at', started?.value);
    put('ended_at', ended?.value);
    put('status', f.marker(raw.status, 'status', SPAN_STATUSES));
    put('span_kind', f.marker(raw.span_kind, 'span_kind', SPAN_KINDS));
    put('attributes', f.jsonMap(raw.attributes, 'attributes'));
    const links = raw.linked_refs ?? [];
    if (!Array.isArray(links)) f.fail('linked_refs', 'must be a list of StableRefs');
    else out.linked_refs = links.map((ref, i) => f.ref(ref, `linked_refs[${i}]`, undefined));
  } else {
    for (const k of ['issue_key', 'category', 'severity', 'summary']) f.required(raw, k);
    put('issue_key', f.token(raw.issue_key, 'issue_key', DOT_OR_SNAKE_TOKEN, ISSUE_KEY_RULE));
    put('category', f.marker(raw.category, 'category', DEGRADED_CATEGORIES));
    put('severity', f.marker(raw.severity, 'severity', DEGRADED_SEVERITIES));
    put('summary', f.text(raw.summary, 'summary'));
    put('subject_ref', f.optRef(raw.subject_ref, 'subject_ref', undefined));
    put('origin_marker', f.marker(withDefault(raw.origin_marker, 'explicit_capture'), 'origin_marker', ORIGIN_MARKERS));
    put('attributes', f.jsonMap(raw.attributes, 'attributes'));
  }
  if (f.problems.length) return undefined;
  const sorted: Obj = {};
  for (const key of Object.keys(out).sort()) sorted[key] = out[key];
  if (isMarkedFloat(out, 'value')) markFloat(sorted, 'value');
  return sorted;
}

/** The record as the library stores it, or the problems that make the library refuse it. */
export function normalizeRecord(input: unknown): { record?: CanonicalRecord; problems: Problem[] } {
  if (!isObj(input)) return { problems: [{ path: '', message: 'must be a JSON object with "envelope" and "payload"' }] };
  const top = new Fields('');
  top.known(input, RECORD_FIELDS, 'a record ({envelope, payload})');
  if (!isObj(input.envelope)) top.fail('envelope', 'must be an object');
  if (!isObj(input.payload)) top.fail('payload', 'must be an object');
  if (top.problems.length) return { problems: top.problems };
  const env = input.envelope as Obj;
  // The library picks the payload model by the raw record_type (not stripped) before anything else.
  const type = typeof env.record_type === 'string' ? env.record_type : '';
  const ef = new Fields('envelope');
  const envelope = normalizeEnvelope(env, ef);
  if (!Object.hasOwn(PAYLOAD_FIELDS, type)) {
    return { problems: [{ path: 'envelope.record_type', message: `must be one of ${RECORD_TYPES.join(', ')}` }, ...ef.problems.filter((p) => p.path !== 'envelope.record_type')] };
  }
  const pf = new Fields('payload');
  const payload = normalizePayload(type, input.payload as Obj, pf);
  const problems = [...ef.problems, ...pf.problems];
  if (envelope) {
    if (type !== 'degraded' && envelope.completeness_marker === 'absent') {
      problems.push({ path: 'envelope.completeness_marker', message: `must not be "absent" on ${type} records` });
    }
    if (type === 'degraded' && envelope.degradation_marker === 'none') {
      problems.push({ path: 'envelope.degradation_marker', message: 'must not be "none" on a degraded record (one of partial_failure, capture_gap, import_loss, compatibility_upgrade)' });
    }
  }
  if (problems.length || !envelope || !payload) return { problems };
  return { record: { envelope, payload: payload as CanonicalRecord['payload'] }, problems };
}

export const ANY_REF_KINDS = CORE_KINDS;
