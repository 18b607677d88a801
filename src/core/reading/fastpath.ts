/**
 * Reading a canonical line without JSON.parse. Lines contexta writes are compact
 * JSON with sorted keys, so the few fields a count needs sit behind fixed
 * needles. Only lines that pass the framing checks are classified here; any
 * other line (hand-written, non-canonical, torn) falls back to a full parse,
 * and so does every line that matters to diagnosis (degraded, loud events,
 * degradation markers). The line is viewed as latin1 so that V8's fast
 * one-byte string search does the work (Buffer#indexOf costs ~0.5 µs a call).
 * See docs/performance.md.
 */
import type { RecordType } from '../../schema/enums';

const PREFIX = '{"envelope":{"completeness_marker":"';
const CLEAN_EXTENSIONS = '"extensions":[]';
const MARKER_NONE = '"degradation_marker":"none"';
const RECORD_TYPE = '"record_type":"';
const STAGE_REF = '"stage_execution_ref":"stage:';
const LEVEL = '"level":"';
const PAYLOAD = '},"payload":{';

const TYPES: Record<string, RecordType> = { m: 'metric', e: 'event', s: 'span' };
const TYPE_LENGTH: Record<string, number> = { metric: 6, event: 5, span: 4 };
/** First letters of the quiet event levels: debug, info. */
const QUIET_LEVEL = new Set(['d', 'i']);

export interface FastClass {
  type: RecordType;
  stage: string;
  /** For metrics: the payload's metric_key and value (baselines need them). */
  metric?: { key: string; value: number };
}

const METRIC_KEY = '"metric_key":"';
const VALUE = ',"value":';
const VALUE_TYPE = ',"value_type":"';
/** A plain JSON number, as JSON.stringify writes one. */
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** metric_key and value of a canonical metric payload, or null (then the caller parses the line). */
function metricOf(line: string, payloadAt: number): { key: string; value: number } | null {
  const keyAt = line.indexOf(METRIC_KEY, payloadAt);
  if (keyAt < 0) return null;
  const keyStart = keyAt + METRIC_KEY.length;
  const keyEnd = line.indexOf('"', keyStart);
  const key = line.slice(keyStart, keyEnd);
  // Escapes or non-ASCII in the key: let the full parse decode it.
  if (keyEnd < 0 || key.includes('\\') || /[^\x20-\x7e]/.test(key)) return null;
  const typeAt = line.lastIndexOf(VALUE_TYPE);
  if (typeAt < keyEnd) return null;
  const valueAt = line.lastIndexOf(VALUE, typeAt);
  if (valueAt < keyEnd) return null;
  const text = line.slice(valueAt + VALUE.length, typeAt);
  if (!NUMBER.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? { key, value } : null;
}

export function runRefNeedle(runRef: string): string {
  return `"run_ref":${JSON.stringify(runRef)}`;
}

/**
 * Classify a routine record (metric, span, quiet event, marker none) from its
 * latin1 view, or return null when the line must be parsed in full.
 */
export function classifyFast(line: string, runNeedle: string): FastClass | null {
  const n = line.length;
  if (n < 64 || line.charCodeAt(n - 1) !== 0x7d || line.charCodeAt(n - 2) !== 0x7d) return null;
  if (!line.startsWith(PREFIX)) return null;
  // Envelope keys are sorted, so each needle is searched from where the previous one
  // ended: one pass over the envelope. A needle found past the payload start is not
  // the envelope's own (it may sit in correlation_refs or the payload): parse fully.
  const markerAt = line.indexOf(MARKER_NONE, PREFIX.length);
  if (markerAt < 0) return null;
  const extAt = line.indexOf(CLEAN_EXTENSIONS, markerAt);
  if (extAt < 0) return null;
  const typeAt = line.indexOf(RECORD_TYPE, extAt);
  if (typeAt < 0) return null;
  const typeStart = typeAt + RECORD_TYPE.length;
  const type = TYPES[line[typeStart]];
  if (!type || line.charCodeAt(typeStart + TYPE_LENGTH[type]) !== 0x22) return null;
  const runAt = line.indexOf(runNeedle, typeStart);
  if (runAt < 0) return null;
  const stageAt = line.indexOf(STAGE_REF, runAt);
  const payloadAt = line.indexOf(PAYLOAD, stageAt < 0 ? runAt : stageAt);
  if (payloadAt < 0 || markerAt > payloadAt || extAt > payloadAt || runAt > payloadAt) return null;
  if (type === 'event') {
    // The payload's own level is the last "level" key (attributes sort before it).
    const levelAt = line.lastIndexOf(LEVEL);
    if (levelAt < payloadAt || !QUIET_LEVEL.has(line[levelAt + LEVEL.length])) return null;
  }
  let metric: FastClass['metric'];
  if (type === 'metric') {
    const found = metricOf(line, payloadAt);
    if (!found) return null;
    metric = found;
  }
  const result = (stage: string): FastClass => (metric ? { type, stage, metric } : { type, stage });
  if (stageAt < 0 || stageAt > payloadAt) return result('');
  const valueStart = stageAt + STAGE_REF.length;
  const valueEnd = line.indexOf('"', valueStart);
  const lastDot = line.lastIndexOf('.', valueEnd);
  if (valueEnd < 0 || lastDot < valueStart) return null;
  return result(line.slice(lastDot + 1, valueEnd));
}
