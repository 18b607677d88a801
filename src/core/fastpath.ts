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
import type { RecordType } from '../schema/enums';

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
  if (stageAt < 0 || stageAt > payloadAt) return { type, stage: '' };
  const valueStart = stageAt + STAGE_REF.length;
  const valueEnd = line.indexOf('"', valueStart);
  const lastDot = line.lastIndexOf('.', valueEnd);
  if (valueEnd < 0 || lastDot < valueStart) return null;
  return { type, stage: line.slice(lastDot + 1, valueEnd) };
}
