/**
 * Reading routine record lines without a full parse, provably agreeing with it.
 *
 * A single pass scans the canonical compact form (`{"envelope":{…},"payload":{…}}`,
 * keys strictly sorted, printable ASCII only) and cuts out the leaves that vary from
 * line to line: refs, timestamps, the metric value, the message, and the flat scalar
 * values of `attributes`/`tags`. What is left, with a placeholder per cut-out leaf,
 * is the line's *template*. A template is trusted only after one line carrying it went
 * through the full parse and `readableProblems` (see `learn`), was routine (not
 * notable), and every cut-out leaf was confirmed to be the field the scanner thought it
 * was. A later line with the same template is that line with some leaves swapped for
 * other tokens of the same JSON kind, each checked here by a rule at least as strict
 * as the contract's (timestamps on a real calendar, refs of this run, numbers that
 * round-trip, strings without escapes, metric/event keys the contract already accepted)
 * plus the cross-field rules. So its parse is the same tree with other leaves, and the
 * contract accepts it. Trusted templates are matched by one compiled sticky pattern each
 * (most recently used first); the full scan runs only on a miss. Anything else returns null
 * and the caller parses the line in full: unknown fields, nested look-alike keys, odd
 * bytes and new contract rules only cost speed, never correctness. The differential
 * fuzz test (test/reliability/fastpath-fuzz.test.ts) compares this against the full
 * parse plus readableProblems itself.
 */
import type { RecordType } from '../../schema/enums';
import { DOT_TOKEN } from '../../schema/fields';
import { normalizeTimestamp } from '../../schema/timestamps';

export interface FastClass {
  type: RecordType;
  stage: string;
  /** For metrics: the payload's metric_key and value (baselines need them). */
  metric?: { key: string; value: number };
}

/** Which field a cut-out leaf is (the rules differ); OTHER leaves only need to be well-formed tokens. */
const OTHER = 0;
const RECORD_REF = 1;
const RUN_REF = 2;
const STAGE_REF = 3;
const OBSERVED = 4;
const RECORDED = 5;
const VALUE = 6;
const STARTED = 7;
const ENDED = 8;
const METRIC_KEY = 9;
const EVENT_KEY = 10;
const FIELD_COUNT = 11;
const ENV_FIELDS: Record<string, number> = { record_ref: RECORD_REF, run_ref: RUN_REF, stage_execution_ref: STAGE_REF, observed_at: OBSERVED, recorded_at: RECORDED };
const PAYLOAD_FIELDS: Record<string, number> = { message: OTHER, started_at: STARTED, ended_at: ENDED, metric_key: METRIC_KEY, event_key: EVENT_KEY };
const FLAT_DICTS = new Set(['attributes', 'tags']);
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

const KIND_STRING = 0;
const KIND_NUMBER = 1;
/** A string the contract requires non-blank once stripped (an event's message, a tag value). */
const KIND_TEXT = 2;

/** One cut-out leaf of a scanned line: the token at [start, end), and where it sits in the record. */
interface Hole {
  start: number;
  end: number;
  kind: number;
  field: number;
  path: string[];
}

/** A trusted line shape: constant text around the holes, and what every line of it is. */
interface Template {
  segments: string[];
  kinds: number[];
  fields: number[];
  type: 'metric' | 'event' | 'span';
  /** The metric key when it is part of the template (it had escapes); else it is a hole. */
  metricKey: string | null;
  hasStage: boolean;
  hasMetricKey: boolean;
  hasEventKey: boolean;
  hasSpanTimes: boolean;
  pattern: RegExp;
}

/** Trusted templates, shared by every log read in this process; bounded. */
const TEMPLATES = new Map<string, Template>();
const MAX_TEMPLATES = 1024;
const MAX_TEMPLATE_CHARS = 8192;
/** Templates tried first, by direct match (no scan), per log. */
const RECENT = 16;

const HEAD = '{"envelope":{';
const MID = ',"payload":{';
/** Placeholders: 0x01 never appears in a line the scanner accepts (printable ASCII only). */
const PLACEHOLDER = ['\x01S', '\x01N', '\x01T'];
const NOT_PRINTABLE = /[^\x20-\x7e]/;
const COMPONENT = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** At most 15 digits: exactly representable, so it reads back the same. */
const SAFE_INTEGER = /^(?:0|-?[1-9]\d{0,14})$/;
const SHORT_DECIMAL = /^-?(?:[1-9]\d*\.\d*[1-9]|0\.0{0,5}[1-9](?:\d*[1-9])?)$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** UTC only: the shared contract refuses offsets (`+00:00` included), so a line with one takes the full parse. */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

let lastGoodTimestamp = '';
/** A timestamp any sane reading of the contract accepts: a real calendar day and time, in UTC (`Z`). */
export function plainTimestamp(s: string): boolean {
  if (s === lastGoodTimestamp) return true;
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (+m[4] > 23 || +m[5] > 59 || +m[6] > 59) return false;
  if (Number.isNaN(Date.parse(s))) return false;
  lastGoodTimestamp = s;
  return true;
}

/**
 * A timestamp both contracts readers use accept (0.1.0's strict ISO form and the shared
 * contract's reading of it), with its normalized text and instant: the shared contract
 * orders two timestamps as instants and as normalized text (see records.ts `ordered`).
 */
let lastContractText = '';
let lastContractTime: { value: string; ms: number } | null = null;
function contractTime(s: string): { value: string; ms: number } | null {
  if (s === lastContractText) return lastContractTime;
  const r = plainTimestamp(s) ? normalizeTimestamp(s) : null;
  lastContractText = s;
  lastContractTime = r && r.ok ? { value: r.value, ms: r.ms } : null;
  return lastContractTime;
}

function inOrder(later: string, earlier: string): boolean {
  const l = contractTime(later);
  const e = l && contractTime(earlier);
  return l !== null && e !== null && l.ms >= e.ms && l.value >= e.value;
}

/** A number token that reads back to the same text (no precision lost, no overflow, no -0). */
let lastNumberText = '';
let lastNumber = 0;
export function plainNumber(text: string): number | null {
  if (text === lastNumberText) return lastNumber;
  // Fast cases that read back the same by construction: at most 15 digits, no
  // exponent, no trailing fraction zero, not below 1e-6 (JavaScript would print 1e-7).
  if (text.length <= 16 && (SAFE_INTEGER.test(text) || SHORT_DECIMAL.test(text)) && text.length - (text.charCodeAt(0) === 0x2d ? 1 : 0) <= 15) {
    lastNumberText = text;
    return (lastNumber = Number(text));
  }
  if (!NUMBER.test(text)) return null;
  const n = Number(text);
  if (!Number.isFinite(n) || String(n) !== text) return null;
  lastNumberText = text;
  return (lastNumber = n);
}

/** A ref component by the StableRef grammar (at most 63 characters). */
const component = (s: string) => s.length <= 63 && COMPONENT.test(s);

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

/** Index just past the value that starts at `i` (structure only; the template check covers the rest), or -1. */
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
        // A string with escapes stays in the template as it is (then it must match exactly).
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
const ENVELOPE = 0;
const PAYLOAD = 1;
const DICT = 2;

interface Scan {
  key: string;
  holes: Hole[];
}

/** Scan one line in full: its template key and holes, or null when it is not in the canonical compact form. */
function scan(s: string): Scan | null {
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

/** `seg` occurs in `line` at `pos` (slice + === is several times faster than startsWith in V8). */
const textAt = (line: string, pos: number, seg: string) => line.slice(pos, pos + seg.length) === seg;

const NUMBER_HOLE = '(-?[0-9][0-9.eE+-]*)';
const STRING_HOLE = '"([ !#-\\[\\]-~]*)"'; // printable ASCII without quote or backslash
/** The same with at least one non-space character: not blank once stripped (space is the only Python whitespace it allows). */
const TEXT_HOLE = '"( *[!#-\\[\\]-~][ !#-\\[\\]-~]*)"';
const HOLE_PATTERN = [STRING_HOLE, NUMBER_HOLE, TEXT_HOLE];
/** The text of a string leaf has a non-space character. */
const notBlank = (text: string) => text.trim() !== '';
const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&');

/** One anchored pattern per template: V8 compiles it to native code, one exec per line. */
function patternOf(segments: string[], kinds: number[]): RegExp {
  // Sticky, so it matches a line where it starts inside a whole read buffer; it must end at the line's end.
  let re = escapeRe(segments[0]);
  kinds.forEach((kind, j) => (re += HOLE_PATTERN[kind] + escapeRe(segments[j + 1])));
  return new RegExp(`${re}(?![^\\n])`, 'y');
}

/** Fill `vals` if text[start, end) is `t` with other leaves; each leaf a well-formed token of its kind. */
function matches(text: string, start: number, end: number, t: Template, vals: string[]): boolean {
  // The end first: it tells most templates of one log apart (type, unit, value_type).
  const last = t.segments[t.segments.length - 1];
  if (end - start < last.length || text.slice(end - last.length, end) !== last) return false;
  const pattern = t.pattern;
  pattern.lastIndex = start;
  const m = pattern.exec(text);
  if (m === null || start + m[0].length !== end) return false;
  const { kinds, fields } = t;
  for (let j = 0; j < kinds.length; j++) {
    const text = m[j + 1];
    if (kinds[j] === KIND_NUMBER && plainNumber(text) === null) return false;
    vals[fields[j]] = text;
  }
  return true;
}

let lastGoodStage = '';
/**
 * Metric and event keys the contract accepted in a full parse (no grammar is assumed
 * here: the key rules are changing). A line whose key is new is parsed in full once.
 */
const METRIC_KEYS = new Set<string>();
const EVENT_KEYS = new Set<string>();
const MAX_KEYS = 8192;
/** The per-line rules for the cut-out leaves, and the cross-field rules between them. */
function leavesHold(t: Template, vals: string[], runRef: string, runPrefix: string): boolean {
  if (vals[RUN_REF] !== runRef) return false;
  const rr = vals[RECORD_REF];
  const recordPrefix = `record:${runPrefix}`;
  if (rr.length > 255 || !textAt(rr, 0, recordPrefix) || !component(rr.slice(recordPrefix.length))) return false;
  if (t.hasStage) {
    const st = vals[STAGE_REF];
    if (st !== lastGoodStage) {
      if (st.length > 255 || !textAt(st, 0, `stage:${runPrefix}`) || !component(st.slice(runPrefix.length + 6))) return false;
      lastGoodStage = st;
    }
  }
  if (!inOrder(vals[RECORDED], vals[OBSERVED])) return false;
  if ((t.hasMetricKey && !METRIC_KEYS.has(vals[METRIC_KEY])) || (t.hasEventKey && !EVENT_KEYS.has(vals[EVENT_KEY]))) return false;
  if (t.hasSpanTimes) {
    if (!inOrder(vals[ENDED], vals[STARTED])) return false;
  }
  return true;
}

const ROUTINE_LEVELS = new Set(['debug', 'info']);

/** Classifies the routine lines of one run's log; learns templates from lines the caller fully parsed. */
export class FastPath {
  private readonly runPrefix: string;
  private readonly recent: Template[] = [];
  private readonly vals: string[] = new Array<string>(FIELD_COUNT).fill('');

  constructor(private readonly runRef: string) {
    this.runPrefix = `${runRef.slice(runRef.indexOf(':') + 1)}.`;
  }

  /** The class a full parse would give this line, or null (then parse it in full, and maybe `learn`). */
  classify(line: string): FastClass | null {
    return this.classifyAt(line, 0, line.length);
  }

  /** `classify` for the line text[start, end) (text: a latin1 view of the bytes). */
  classifyAt(text: string, start: number, end: number): FastClass | null {
    const vals = this.vals;
    const recent = this.recent;
    for (let k = 0; k < recent.length; k++) {
      const t = recent[k];
      if (!matches(text, start, end, t, vals)) continue;
      if (k > 0) {
        recent[k] = recent[k - 1]; // move one step to the front: the common shapes stay first
        recent[k - 1] = t;
      }
      return this.answer(t, vals);
    }
    const line = text.slice(start, end);
    const sc = scan(line);
    const t = sc && TEMPLATES.get(sc.key);
    if (!sc || !t) return null;
    if (this.recent.length >= RECENT) this.recent.pop();
    this.recent.unshift(t);
    for (let j = 0; j < sc.holes.length; j++) {
      const h = sc.holes[j];
      const leaf = h.kind === KIND_NUMBER ? line.slice(h.start, h.end) : line.slice(h.start + 1, h.end - 1);
      if (h.kind === KIND_TEXT && !notBlank(leaf)) return null;
      vals[t.fields[j]] = leaf;
    }
    return this.answer(t, vals);
  }

  private answer(t: Template, vals: string[]): FastClass | null {
    if (!leavesHold(t, vals, this.runRef, this.runPrefix)) return null;
    const stage = t.hasStage ? vals[STAGE_REF].slice(this.runPrefix.length + 6) : '';
    if (t.type !== 'metric') return { type: t.type, stage };
    const value = plainNumber(vals[VALUE]);
    const key = t.hasMetricKey ? vals[METRIC_KEY] : t.metricKey;
    if (value === null || key === null) return null;
    return { type: 'metric', stage, metric: { key, value } };
  }

  /**
   * `line` (printable ASCII, so its latin1 and UTF-8 readings agree) was parsed to
   * `value`, which readableProblems accepted and which belongs to this run. Trust its
   * template if the line is routine and every cut-out leaf is the field it seemed.
   */
  learn(line: string, value: unknown): void {
    const rec = value as { envelope: Record<string, unknown>; payload: Record<string, unknown> };
    const env = rec.envelope;
    const type = env.record_type;
    if (type !== 'metric' && type !== 'event' && type !== 'span') return;
    if (env.degradation_marker !== 'none') return;
    if (type === 'event' && !ROUTINE_LEVELS.has(rec.payload.level as string)) return;
    const keys = type === 'metric' ? METRIC_KEYS : type === 'event' ? EVENT_KEYS : null;
    const recKey = type === 'metric' ? rec.payload.metric_key : rec.payload.event_key;
    // Only keys both contracts accept (0.1.0 took `rows_out`; the shared contract does not): a
    // key learned from an old line must not let a new-style line with that key through.
    if (keys && typeof recKey === 'string' && DOT_TOKEN.test(recKey) && keys.size < MAX_KEYS) keys.add(recKey);
    if (TEMPLATES.size >= MAX_TEMPLATES || line.length > MAX_TEMPLATE_CHARS) return;
    const sc = scan(line);
    if (!sc || TEMPLATES.has(sc.key)) return;
    const fields = sc.holes.map((h) => h.field);
    const count = (f: number) => fields.filter((x) => x === f).length;
    if (count(RECORD_REF) !== 1 || count(RUN_REF) !== 1 || count(OBSERVED) !== 1 || count(RECORDED) !== 1) return;
    if (count(STAGE_REF) > 1 || count(VALUE) > 1 || count(STARTED) !== count(ENDED) || count(STARTED) > 1) return;
    if (type === 'metric' && count(VALUE) !== 1) return;
    if (count(METRIC_KEY) > 1 || count(EVENT_KEY) > 1) return;
    if (type === 'span' && count(STARTED) !== 1) return;
    // Every hole must be the field the scanner took it for.
    for (const h of sc.holes) {
      let cur: unknown = rec;
      for (const key of h.path) cur = cur !== null && typeof cur === 'object' && own(cur, key) ? (cur as Record<string, unknown>)[key] : undefined;
      const text = line.slice(h.start, h.end);
      if (h.kind === KIND_NUMBER ? cur !== plainNumber(text) : cur !== text.slice(1, -1)) return;
    }
    let metricKey: string | null = null;
    if (type === 'metric') {
      if (typeof rec.payload.metric_key !== 'string' || typeof rec.payload.value !== 'number') return;
      metricKey = rec.payload.metric_key;
    }
    const hasStage = count(STAGE_REF) === 1;
    if (!hasStage && typeof env.stage_execution_ref === 'string') return;
    const segments: string[] = [];
    let at = 0;
    for (const h of sc.holes) {
      segments.push(line.slice(at, h.start));
      at = h.end;
    }
    segments.push(line.slice(at));
    const kinds = sc.holes.map((h) => h.kind);
    const t: Template = {
      segments, kinds, fields, type, metricKey, hasStage, pattern: patternOf(segments, kinds),
      hasMetricKey: count(METRIC_KEY) === 1, hasEventKey: count(EVENT_KEY) === 1, hasSpanTimes: count(STARTED) === 1,
    };
    const vals = new Array<string>(FIELD_COUNT).fill('');
    if (!matches(line, 0, line.length, t, vals) || !leavesHold(t, vals, this.runRef, this.runPrefix)) return;
    TEMPLATES.set(sc.key, t);
  }
}

/** For tests: forget every trusted template. */
export function forgetTemplates(): void {
  TEMPLATES.clear();
  METRIC_KEYS.clear();
  EVENT_KEYS.clear();
}
