/**
 * A conservative fast path for bulk work (`record import`, readers): true only when
 * a record certainly satisfies the shared contract (src/schema/records.ts) AND is
 * already in the form the library stores (nothing to strip, default or normalize),
 * so it can be serialized as it is. Anything unusual returns false and the caller
 * runs the full contract, which decides and names the problems. So this can never
 * accept what the contract refuses (test/unit/quick-check.test.ts checks that
 * property, and that serializing the input equals serializing the normalized record).
 */
import {
  AGGREGATION_SCOPES,
  COMPLETENESS_MARKERS,
  DEGRADATION_MARKERS,
  DEGRADED_CATEGORIES,
  DEGRADED_SEVERITIES,
  EVENT_LEVELS,
  ORIGIN_MARKERS,
  SCHEMA_VERSION,
  SPAN_KINDS,
  SPAN_STATUSES,
} from '../../schema/enums';
import { DOT_OR_SNAKE_TOKEN, DOT_TOKEN, isObj, SNAKE_TOKEN, type Obj } from '../../schema/fields';
import { refProblem, type RefKind } from '../../schema/refs';
import { isPySpace } from '../../schema/text';

const set = (values: readonly string[]) => new Set<unknown>(values);
const COMPLETENESS = set(COMPLETENESS_MARKERS);
const DEGRADATION = set(DEGRADATION_MARKERS);
const LEVELS = set(EVENT_LEVELS);
const ORIGINS = set(ORIGIN_MARKERS);
const SCOPES = set(AGGREGATION_SCOPES);
const SPAN_STATUS = set(SPAN_STATUSES);
const SPAN_KIND = set(SPAN_KINDS);
const CATEGORIES = set(DEGRADED_CATEGORIES);
const SEVERITIES = set(DEGRADED_SEVERITIES);
const ENVELOPE_KEYS = set(['record_ref', 'record_type', 'recorded_at', 'observed_at', 'producer_ref', 'run_ref',
  'stage_execution_ref', 'correlation_refs', 'completeness_marker', 'degradation_marker', 'schema_version', 'extensions',
  'deployment_execution_ref', 'batch_execution_ref', 'sample_observation_ref', 'operation_context_ref']);
const PAYLOAD_KEYS: Record<string, Set<unknown>> = {
  event: set(['event_key', 'level', 'message', 'subject_ref', 'attributes', 'origin_marker']),
  metric: set(['metric_key', 'value', 'value_type', 'unit', 'aggregation_scope', 'subject_ref', 'slice_ref', 'tags', 'summary_basis']),
  span: set(['span_id', 'trace_id', 'parent_span_id', 'span_name', 'started_at', 'ended_at', 'status', 'span_kind', 'attributes', 'linked_refs']),
  degraded: set(['issue_key', 'category', 'severity', 'summary', 'subject_ref', 'origin_marker', 'attributes']),
};

const absent = (v: unknown) => v === undefined || v === null;
/** A non-blank string the library's strip() leaves as it is. */
const text = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && !isPySpace(v.charCodeAt(0)) && !isPySpace(v.charCodeAt(v.length - 1));
const optText = (v: unknown) => absent(v) || text(v);
const ref = (v: unknown, kind?: RefKind) => typeof v === 'string' && refProblem(v, kind) === null;
const optRef = (v: unknown, kind?: RefKind) => absent(v) || ref(v, kind);
const onlyKeys = (o: Obj, allowed: Set<unknown>) => {
  for (const k in o) if (!allowed.has(k)) return false;
  return true;
};
const stableKeys = (o: unknown): o is Obj => {
  if (!isObj(o)) return false;
  for (const k in o) if (!text(k)) return false;
  return true;
};
const stringMap = (o: unknown) => {
  if (!stableKeys(o)) return false;
  for (const k in o) if (!text(o[k])) return false;
  return true;
};

/** Already normalized: YYYY-MM-DDTHH:MM:SS[.ffffff]Z with day ≤ 28 (so always a real date) and a non-zero fraction. */
const STORED_TIME = /^(?!0000)\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.(?!000000)\d{6})?Z$/;
let lastTime = '';
let lastMs = NaN;
/** Milliseconds of a stored-form timestamp, NaN otherwise (the last answer is remembered: batches share timestamps). */
export function instantOf(v: unknown): number {
  if (v === lastTime) return lastMs;
  if (typeof v !== 'string' || !STORED_TIME.test(v)) return NaN;
  lastTime = v;
  lastMs = Date.parse(v);
  return lastMs;
}
/** Later or equal both as instants and as text (the library compares the text). */
const notBefore = (later: unknown, earlier: unknown) =>
  instantOf(later) >= instantOf(earlier) && (later as string) >= (earlier as string);

function valueOf(r: string): string {
  return r.slice(r.indexOf(':') + 1);
}

/**
 * The last run ref, stage ref and producer that passed, and the run's value prefix:
 * a batch repeats them on every line, and their checks were a tenth of an import.
 */
// Start as a value no JSON input can equal (an empty string would pass "" unchecked).
const NOTHING: unique symbol = Symbol('nothing');
let knownRun: string | typeof NOTHING = NOTHING;
let knownRunPrefix = '';
let knownStage: string | typeof NOTHING = NOTHING;
let knownProducer: string | typeof NOTHING = NOTHING;
const runOk = (v: unknown): v is string => {
  if (v === knownRun) return true;
  if (!ref(v, 'run')) return false;
  knownRun = v as string;
  knownRunPrefix = `${valueOf(v as string)}.`;
  return true;
};
const stageOk = (v: unknown) => v === knownStage || (ref(v, 'stage') && ((knownStage = v as string), true));
const producerOk = (v: unknown) => v === knownProducer || (typeof v === 'string' && DOT_TOKEN.test(v) && ((knownProducer = v), true));

function envelopeOk(e: Obj): boolean {
  if (!onlyKeys(e, ENVELOPE_KEYS)) return false;
  if (!absent(e.deployment_execution_ref) || !absent(e.batch_execution_ref) || !absent(e.sample_observation_ref) || !absent(e.operation_context_ref)) return false;
  if (!notBefore(e.recorded_at, e.observed_at)) return false;
  if (!ref(e.record_ref, 'record') || !runOk(e.run_ref) || !(absent(e.stage_execution_ref) || stageOk(e.stage_execution_ref))) return false;
  if (!producerOk(e.producer_ref)) return false;
  if (!isObj(e.correlation_refs) || Object.keys(e.correlation_refs).length !== 0) return false;
  if (!Array.isArray(e.extensions) || e.extensions.length !== 0) return false;
  if (!COMPLETENESS.has(e.completeness_marker) || !DEGRADATION.has(e.degradation_marker) || e.schema_version !== SCHEMA_VERSION) return false;
  const prefix = e.run_ref === knownRun ? knownRunPrefix : `${valueOf(e.run_ref)}.`;
  // Valid record and stage refs start with "record:" and "stage:": their values start after that.
  if (!(e.record_ref as string).startsWith(prefix, 'record:'.length)) return false;
  return absent(e.stage_execution_ref) || (e.stage_execution_ref as string).startsWith(prefix, 'stage:'.length);
}

const PAYLOAD_OK = new Map<unknown, (p: Obj, e: Obj) => boolean>(Object.entries({
  event: (p, e) =>
    e.completeness_marker !== 'absent' && typeof p.event_key === 'string' && DOT_TOKEN.test(p.event_key) &&
    LEVELS.has(p.level) && text(p.message) && optRef(p.subject_ref) && stableKeys(p.attributes) && ORIGINS.has(p.origin_marker),
  metric: (p, e) =>
    e.completeness_marker !== 'absent' && typeof p.metric_key === 'string' && DOT_TOKEN.test(p.metric_key) &&
    typeof p.value === 'number' && Number.isFinite(p.value) && typeof p.value_type === 'string' && SNAKE_TOKEN.test(p.value_type) &&
    optText(p.unit) && SCOPES.has(p.aggregation_scope) && optRef(p.subject_ref) && absent(p.slice_ref) &&
    stringMap(p.tags) && absent(p.summary_basis),
  span: (p, e) =>
    e.completeness_marker !== 'absent' && text(p.span_id) && text(p.trace_id) && text(p.parent_span_id) && text(p.span_name) &&
    notBefore(p.ended_at, p.started_at) && SPAN_STATUS.has(p.status) && SPAN_KIND.has(p.span_kind) && stableKeys(p.attributes) &&
    Array.isArray(p.linked_refs) && p.linked_refs.every((r) => ref(r)),
  degraded: (p, e) =>
    e.degradation_marker !== 'none' && typeof p.issue_key === 'string' && DOT_OR_SNAKE_TOKEN.test(p.issue_key) &&
    CATEGORIES.has(p.category) && SEVERITIES.has(p.severity) && text(p.summary) && optRef(p.subject_ref) &&
    ORIGINS.has(p.origin_marker) && stableKeys(p.attributes),
}));

/** True only when `input` certainly satisfies the whole record contract and is already in the stored form. */
export function certainlyValid(input: unknown): boolean {
  if (!isObj(input) || !isObj(input.envelope) || !isObj(input.payload)) return false;
  for (const k in input) if (k !== 'envelope' && k !== 'payload') return false;
  const type = input.envelope.record_type;
  // A Map, not an object: a record_type like "constructor" must not find a function.
  const check = PAYLOAD_OK.get(type);
  return check !== undefined && onlyKeys(input.payload, PAYLOAD_KEYS[type as string]) &&
    check(input.payload, input.envelope) && envelopeOk(input.envelope);
}
