/**
 * A conservative fast path for bulk validation (`record import`): true only when
 * a record certainly satisfies the zod contract in src/schema/records.ts and the
 * cross-field rules. Anything unusual returns false and the caller runs the full
 * zod check, which decides and names the problems. So this can never accept what
 * the contract refuses (test/unit/quick-check.test.ts checks that property); it
 * only spares the common case zod/mini's ~15 µs per record.
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
import { ISO_TIMESTAMP } from '../../schema/records';
import { refProblem, refValue, type RefKind } from '../../schema/refs';

type Obj = Record<string, unknown>;
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

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;
const str = (v: unknown): v is string => typeof v === 'string';
const nonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0;
const optStr = (v: unknown) => absent(v) || typeof v === 'string';
const ref = (v: unknown, kind?: RefKind) => str(v) && refProblem(v, kind) === null;
const optRef = (v: unknown, kind?: RefKind) => absent(v) || ref(v, kind);
const optObj = (v: unknown) => v === undefined || isObj(v);
const optArr = (v: unknown) => v === undefined || Array.isArray(v);
let lastTime = '';
let lastMs = NaN;
/**
 * Milliseconds of an ISO timestamp, NaN when it is not one. Records of a batch often
 * share timestamps, so the last answer is remembered (Date.parse was ~5% of an import).
 */
export function instantOf(v: unknown): number {
  if (v === lastTime) return lastMs;
  if (!str(v) || !ISO_TIMESTAMP.test(v)) return NaN;
  lastTime = v;
  lastMs = Date.parse(v);
  return lastMs;
}
const time = instantOf;

function envelopeOk(e: Obj): boolean {
  const recorded = time(e.recorded_at);
  const observed = time(e.observed_at);
  if (!(recorded >= observed)) return false; // also false when either is NaN
  if (!ref(e.record_ref, 'record') || !ref(e.run_ref, 'run') || !ref(e.producer_ref)) return false;
  if (!optRef(e.stage_execution_ref, 'stage')) return false;
  for (const key of ['batch_execution_ref', 'sample_observation_ref', 'operation_context_ref', 'deployment_execution_ref']) {
    if (!optRef(e[key])) return false;
  }
  const corr = e.correlation_refs;
  if (corr !== undefined && !(isObj(corr) && optStr(corr.trace_id) && optStr(corr.session_id))) return false;
  if (!COMPLETENESS.has(e.completeness_marker) || !DEGRADATION.has(e.degradation_marker)) return false;
  if (e.schema_version !== SCHEMA_VERSION || !optArr(e.extensions)) return false;
  const prefix = `${refValue(e.run_ref as string)}.`;
  if (!refValue(e.record_ref as string).startsWith(prefix)) return false;
  return absent(e.stage_execution_ref) || refValue(e.stage_execution_ref as string).startsWith(prefix);
}

const PAYLOAD_OK = new Map<unknown, (p: Obj, e: Obj) => boolean>(Object.entries({
  event: (p) =>
    nonEmpty(p.event_key) && LEVELS.has(p.level) && str(p.message) && optRef(p.subject_ref) &&
    optObj(p.attributes) && ORIGINS.has(p.origin_marker),
  metric: (p) =>
    nonEmpty(p.metric_key) && typeof p.value === 'number' && Number.isFinite(p.value) && nonEmpty(p.value_type) &&
    optStr(p.unit) && SCOPES.has(p.aggregation_scope) && optRef(p.subject_ref) && optRef(p.slice_ref) &&
    optObj(p.tags) && optStr(p.summary_basis),
  span: (p) => {
    const started = time(p.started_at);
    const ended = time(p.ended_at);
    return (
      nonEmpty(p.span_id) && nonEmpty(p.trace_id) && optStr(p.parent_span_id) && nonEmpty(p.span_name) &&
      ended >= started && SPAN_STATUS.has(p.status) && SPAN_KIND.has(p.span_kind) && optObj(p.attributes) &&
      (p.linked_refs === undefined || (Array.isArray(p.linked_refs) && p.linked_refs.every(str)))
    );
  },
  degraded: (p, e) =>
    e.degradation_marker !== 'none' && nonEmpty(p.issue_key) && CATEGORIES.has(p.category) &&
    SEVERITIES.has(p.severity) && nonEmpty(p.summary) && optRef(p.subject_ref) && ORIGINS.has(p.origin_marker) &&
    optObj(p.attributes),
}));

/** True only when `input` certainly satisfies the whole record contract. */
export function certainlyValid(input: unknown): boolean {
  if (!isObj(input) || !isObj(input.envelope) || !isObj(input.payload)) return false;
  // A Map, not an object: a record_type like "constructor" must not find a function.
  const check = PAYLOAD_OK.get(input.envelope.record_type);
  return check !== undefined && check(input.payload, input.envelope) && envelopeOk(input.envelope);
}
