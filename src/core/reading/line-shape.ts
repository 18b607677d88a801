/**
 * The shape of a canonical record line: one pass over the compact form
 * (`{"envelope":{…},"payload":{…}}`, keys strictly sorted, printable ASCII only) that
 * cuts out the leaves varying from line to line — refs, timestamps, the metric value,
 * the message, the flat scalar values of `attributes`/`tags` — and names each by the
 * field it sits in. What is left, with a placeholder per leaf, is the line's shape key.
 * Anything not in that form (unknown escapes in keys, unsorted or duplicate keys, odd
 * bytes) has no shape: its line always takes the full parse.
 */
import { plainNumber } from './leaf-rules';

/** Which field a cut-out leaf is (the rules differ); OTHER leaves only need to be well-formed tokens. */
export const OTHER = 0;
export const RECORD_REF = 1;
export const RUN_REF = 2;
export const STAGE_REF = 3;
export const OBSERVED = 4;
export const RECORDED = 5;
export const VALUE = 6;
export const STARTED = 7;
export const ENDED = 8;
export const METRIC_KEY = 9;
export const EVENT_KEY = 10;
const ENV_FIELDS: Record<string, number> = { record_ref: RECORD_REF, run_ref: RUN_REF, stage_execution_ref: STAGE_REF, observed_at: OBSERVED, recorded_at: RECORDED };
const PAYLOAD_FIELDS: Record<string, number> = { message: OTHER, started_at: STARTED, ended_at: ENDED, metric_key: METRIC_KEY, event_key: EVENT_KEY };
const FLAT_DICTS = new Set(['attributes', 'tags']);
export const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

export const KIND_STRING = 0;
export const KIND_NUMBER = 1;
/** A string the contract requires non-blank once stripped (an event's message, a tag value). */
export const KIND_TEXT = 2;

/** One cut-out leaf of a scanned line: the token at [start, end), and where it sits in the record. */
export interface Hole {
  start: number;
  end: number;
  kind: number;
  field: number;
  path: string[];
}

export interface Shape {
  key: string;
  holes: Hole[];
}

const HEAD = '{"envelope":{';
const MID = ',"payload":{';
/** Placeholders: 0x01 never appears in a line the scanner accepts (printable ASCII only). */
const PLACEHOLDER = ['\x01S', '\x01N', '\x01T'];
const NOT_PRINTABLE = /[^\x20-\x7e]/;

/** Index just past the string token that opens at `i`, or -1. */
function skipString(s: string, i: number): number {
  let j = s.indexOf('"', i + 1);
  while (j !== -1) {
    let k = j - 1;
    while (s.charCodeAt(k) === 0x5c) k--;
    if ((j - k) % 2 === 1) return j + 1; // an even number of backslashes before the quote
    j = s.indexOf('"', j + 1);
  }
  return -1;
}

/** Index just past the value that starts at `i` (structure only; the shape check covers the rest), or -1. */
function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 0x22) return skipString(s, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === 0x22) {
        j = skipString(s, j) - 1;
        if (j < 0) return -1;
      } else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < s.length) {
    const d = s.charCodeAt(j);
    if (d === 0x2c || d === 0x7d || d === 0x5d) break;
    j++;
  }
  return j > i ? j : -1;
}

/** A string token without escapes (its text is its value), as [start, end) of the content, or -1. */
function plainStringEnd(s: string, i: number): number {
  if (s.charCodeAt(i) !== 0x22) return -1;
  const end = s.indexOf('"', i + 1);
  if (end < 0) return -1;
  const back = s.indexOf('\\', i + 1);
  return back !== -1 && back < end ? -1 : end;
}

// Scanner state: module-level rather than closures, so the scan allocates little per call.
let src = '';
let found: Hole[] = [];

const isNumberStart = (c: number) => c === 0x2d || (c >= 0x30 && c <= 0x39);
const ENVELOPE = 0;
const PAYLOAD = 1;
const DICT = 2;

/** Members of the object whose '{' is at i; returns the index past its '}', or -1. */
function object(i: number, where: 0 | 1 | 2, dict: string): number {
  const s = src;
  i++;
  if (s.charCodeAt(i) === 0x7d) return i + 1;
  let previous: string | null = null;
  for (;;) {
    if (s.charCodeAt(i) !== 0x22) return -1;
    const keyEnd = plainStringEnd(s, i);
    if (keyEnd < 0) return -1;
    const key = s.slice(i + 1, keyEnd);
    if (previous !== null && key <= previous) return -1; // canonical: strictly sorted, no duplicates
    previous = key;
    i = keyEnd + 1;
    if (s.charCodeAt(i) !== 0x3a) return -1;
    i++;
    const c = s.charCodeAt(i);
    let end: number;
    if (where === DICT) {
      if (c === 0x22) {
        // A string with escapes stays in the shape as it is (then it must match exactly).
        end = plainStringEnd(s, i);
        if (end < 0) end = skipValue(s, i);
        else found.push({ start: i, end: ++end, kind: dict === 'tags' ? KIND_TEXT : KIND_STRING, field: OTHER, path: ['payload', dict, key] });
      } else if (isNumberStart(c)) {
        end = skipValue(s, i);
        if (end < 0 || plainNumber(s.slice(i, end)) === null) return -1;
        found.push({ start: i, end, kind: KIND_NUMBER, field: OTHER, path: ['payload', dict, key] });
      } else end = skipValue(s, i);
    } else if (where === PAYLOAD && c === 0x7b && FLAT_DICTS.has(key)) {
      end = object(i, DICT, key);
    } else if (c === 0x22 && own(where === ENVELOPE ? ENV_FIELDS : PAYLOAD_FIELDS, key) && plainStringEnd(s, i) > 0) {
      end = plainStringEnd(s, i) + 1;
      const field = (where === ENVELOPE ? ENV_FIELDS : PAYLOAD_FIELDS)[key];
      const kind = where === PAYLOAD && key === 'message' ? KIND_TEXT : KIND_STRING;
      found.push({ start: i, end, kind, field, path: [where === ENVELOPE ? 'envelope' : 'payload', key] });
    } else if (where === PAYLOAD && key === 'value' && isNumberStart(c)) {
      end = skipValue(s, i);
      if (end < 0 || plainNumber(s.slice(i, end)) === null) return -1;
      found.push({ start: i, end, kind: KIND_NUMBER, field: VALUE, path: ['payload', key] });
    } else {
      end = skipValue(s, i);
    }
    if (end < 0) return -1;
    i = end;
    const next = s.charCodeAt(i);
    if (next === 0x7d) return i + 1;
    if (next !== 0x2c) return -1;
    i++;
  }
}

/** Scan one line in full: its shape key and holes, or null when it is not in the canonical compact form. */
export function scanShape(s: string): Shape | null {
  if (!s.startsWith(HEAD) || s.charCodeAt(s.length - 1) !== 0x7d || NOT_PRINTABLE.test(s)) return null;
  src = s;
  const holes: Hole[] = (found = []);
  let i = object(HEAD.length - 1, ENVELOPE, '');
  if (i >= 0 && s.startsWith(MID, i)) i = object(i + MID.length - 1, PAYLOAD, '');
  else i = -1;
  src = '';
  if (i < 0 || i !== s.length - 1) return null;
  let key = '';
  let at = 0;
  for (const h of holes) {
    key += s.slice(at, h.start) + PLACEHOLDER[h.kind];
    at = h.end;
  }
  return { key: key + s.slice(at), holes };
}
