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
 * round-trip, strings without escapes) plus the cross-field rules. So its parse is the
 * same tree with other leaves, and the contract accepts it. Anything else returns null
 * and the caller parses the line in full: unknown fields, nested look-alike keys, odd
 * bytes and new contract rules only cost speed, never correctness. The differential
 * fuzz test (test/reliability/fastpath-fuzz.test.ts) compares this against the full
 * parse plus readableProblems itself.
 */
import type { RecordType } from '../../schema/enums';

export interface FastClass {
  type: RecordType;
  stage: string;
  /** For metrics: the payload's metric_key and value (baselines need them). */
  metric?: { key: string; value: number };
}

interface TemplateInfo {
  type: 'metric' | 'event' | 'span';
  metricKey: string | null;
}

/** Trusted templates, shared by every log read in this process; bounded. */
const TEMPLATES = new Map<string, TemplateInfo>();
const MAX_TEMPLATES = 1024;
const MAX_TEMPLATE_CHARS = 8192;

const HEAD = '{"envelope":{';
const MID = ',"payload":{';
/** Placeholders: 0x01 never appears in a line the scanner accepts (printable ASCII only). */
const HOLE_STRING = '\x01S';
const HOLE_NUMBER = '\x01N';
const NOT_PRINTABLE = /[^\x20-\x7e]/;
const COMPONENT = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

const ENV_STRINGS = new Set(['record_ref', 'run_ref', 'stage_execution_ref', 'observed_at', 'recorded_at']);
const PAYLOAD_STRINGS = new Set(['message', 'started_at', 'ended_at']);
const FLAT_DICTS = new Set(['attributes', 'tags']);

/** One cut-out leaf, kept only while learning (to confirm it against the full parse). */
interface Hole {
  path: string[];
  text: string;
  kind: 'S' | 'N';
}

/** What one scan found; fields are the raw token texts (strings without their quotes). */
interface Scan {
  template: string;
  recordRef: string | null;
  runRef: string | null;
  stageRef: string | null;
  observedAt: string | null;
  recordedAt: string | null;
  value: string | null;
  startedAt: string | null;
  endedAt: string | null;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

let lastGoodTimestamp = '';
/** A timestamp any sane reading of the contract accepts: a real calendar day and time, a real offset. */
export function plainTimestamp(s: string): boolean {
  if (s === lastGoodTimestamp) return true;
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (+m[4] > 23 || +m[5] > 59 || +m[6] > 59) return false;
  if (m[7] !== undefined && (+m[7] > 14 || +m[8] > 59)) return false;
  if (Number.isNaN(Date.parse(s))) return false;
  lastGoodTimestamp = s;
  return true;
}

/** A number token that reads back to the same text (no precision lost, no overflow, no -0). */
export function plainNumber(text: string): number | null {
  if (!NUMBER.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) && String(n) === text ? n : null;
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

/**
 * Scan one line. Returns null when it is not in the canonical compact form this
 * reader understands. `holes` collects every cut-out leaf when given (learning only).
 */
function scan(s: string, holes: Hole[] | null): Scan | null {
  if (!s.startsWith(HEAD) || s.charCodeAt(s.length - 1) !== 0x7d || NOT_PRINTABLE.test(s)) return null;
  const out: Scan = {
    template: '', recordRef: null, runRef: null, stageRef: null, observedAt: null,
    recordedAt: null, value: null, startedAt: null, endedAt: null,
  };
  let template = '';
  let copied = 0; // s[copied, i) is still to be copied into the template
  const hole = (start: number, end: number, kind: 'S' | 'N', path: string[] | null) => {
    template += s.slice(copied, start) + (kind === 'S' ? HOLE_STRING : HOLE_NUMBER);
    copied = end;
    if (holes && path) holes.push({ path, text: s.slice(kind === 'S' ? start + 1 : start, kind === 'S' ? end - 1 : end), kind });
  };
  /** Members of the object whose '{' is at i; returns the index past its '}', or -1. */
  const object = (i: number, where: 'envelope' | 'payload' | 'dict', dictPath: string[]): number => {
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
      if (where === 'dict') {
        if (c === 0x22) {
          // A string with escapes stays in the template as it is (then it must match exactly).
          end = plainStringEnd(s, i);
          if (end < 0) end = skipValue(s, i);
          else hole(i, ++end, 'S', [...dictPath, key]);
        } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          end = skipValue(s, i);
          if (end < 0 || plainNumber(s.slice(i, end)) === null) return -1;
          hole(i, end, 'N', [...dictPath, key]);
        } else end = skipValue(s, i);
      } else if (where === 'payload' && FLAT_DICTS.has(key) && c === 0x7b) {
        end = object(i, 'dict', ['payload', key]);
      } else if (c === 0x22 && (where === 'envelope' ? ENV_STRINGS.has(key) : PAYLOAD_STRINGS.has(key)) && plainStringEnd(s, i) > 0) {
        const close = plainStringEnd(s, i);
        end = close + 1;
        const text = s.slice(i + 1, close);
        hole(i, end, 'S', [where, key]);
        if (where === 'envelope') {
          if (key === 'record_ref') out.recordRef = text;
          else if (key === 'run_ref') out.runRef = text;
          else if (key === 'stage_execution_ref') out.stageRef = text;
          else if (key === 'observed_at') out.observedAt = text;
          else out.recordedAt = text;
        } else if (key === 'started_at') out.startedAt = text;
        else if (key === 'ended_at') out.endedAt = text;
      } else if (where === 'payload' && key === 'value' && (c === 0x2d || (c >= 0x30 && c <= 0x39))) {
        end = skipValue(s, i);
        if (end < 0 || plainNumber(s.slice(i, end)) === null) return -1;
        out.value = s.slice(i, end);
        hole(i, end, 'N', ['payload', key]);
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
  };
  let i = object(HEAD.length - 1, 'envelope', []);
  if (i < 0 || !s.startsWith(MID, i)) return null;
  i = object(i + MID.length - 1, 'payload', []);
  if (i < 0 || i !== s.length - 1) return null;
  out.template = template + s.slice(copied);
  return out;
}

/** The per-line rules for the cut-out leaves, and the cross-field rules between them. */
function leavesHold(sc: Scan, runRef: string, runPrefix: string): boolean {
  if (sc.runRef !== runRef || sc.recordRef === null || sc.observedAt === null || sc.recordedAt === null) return false;
  const rr = sc.recordRef;
  if (rr.length > 255 || !rr.startsWith(`record:${runPrefix}`) || !component(rr.slice(runPrefix.length + 7))) return false;
  if (sc.stageRef !== null) {
    const st = sc.stageRef;
    if (st.length > 255 || !st.startsWith(`stage:${runPrefix}`) || !component(st.slice(runPrefix.length + 6))) return false;
  }
  if (!plainTimestamp(sc.observedAt) || !plainTimestamp(sc.recordedAt)) return false;
  if (sc.observedAt !== sc.recordedAt && Date.parse(sc.recordedAt) < Date.parse(sc.observedAt)) return false;
  if (sc.startedAt !== null || sc.endedAt !== null) {
    if (sc.startedAt === null || sc.endedAt === null || !plainTimestamp(sc.startedAt) || !plainTimestamp(sc.endedAt)) return false;
    if (Date.parse(sc.endedAt) < Date.parse(sc.startedAt)) return false;
  }
  return true;
}

const ROUTINE_LEVELS = new Set(['debug', 'info']);

/** Classifies the routine lines of one run's log; learns templates from lines the caller fully parsed. */
export class FastPath {
  private readonly runPrefix: string;

  constructor(private readonly runRef: string) {
    this.runPrefix = `${runRef.slice(runRef.indexOf(':') + 1)}.`;
  }

  /** The class a full parse would give this line, or null (then parse it in full, and maybe `learn`). */
  classify(line: string): FastClass | null {
    const sc = scan(line, null);
    if (!sc) return null;
    const info = TEMPLATES.get(sc.template);
    if (!info || !leavesHold(sc, this.runRef, this.runPrefix)) return null;
    const stage = sc.stageRef === null ? '' : sc.stageRef.slice(this.runPrefix.length + 6);
    if (info.type !== 'metric') return { type: info.type, stage };
    const value = sc.value === null ? null : plainNumber(sc.value);
    if (value === null || info.metricKey === null) return null;
    return { type: 'metric', stage, metric: { key: info.metricKey, value } };
  }

  /**
   * `line` (printable ASCII, so its latin1 and UTF-8 readings agree) was parsed to
   * `value`, which readableProblems accepted and which belongs to this run. Trust its
   * template if the line is routine and every cut-out leaf is the field it seemed.
   */
  learn(line: string, value: unknown): void {
    if (TEMPLATES.size >= MAX_TEMPLATES || line.length > MAX_TEMPLATE_CHARS) return;
    const holes: Hole[] = [];
    const sc = scan(line, holes);
    if (!sc || TEMPLATES.has(sc.template) || !leavesHold(sc, this.runRef, this.runPrefix)) return;
    const rec = value as { envelope: Record<string, unknown>; payload: Record<string, unknown> };
    const env = rec.envelope;
    const type = env.record_type;
    if (type !== 'metric' && type !== 'event' && type !== 'span') return;
    if (env.degradation_marker !== 'none') return;
    if (type === 'event' && !ROUTINE_LEVELS.has(rec.payload.level as string)) return;
    for (const h of holes) {
      let cur: unknown = rec;
      for (const key of h.path) {
        cur = cur !== null && typeof cur === 'object' && Object.prototype.hasOwnProperty.call(cur, key) ? (cur as Record<string, unknown>)[key] : undefined;
      }
      if (h.kind === 'S' ? cur !== h.text : cur !== plainNumber(h.text)) return;
    }
    let metricKey: string | null = null;
    if (type === 'metric') {
      if (typeof rec.payload.metric_key !== 'string' || typeof rec.payload.value !== 'number' || sc.value === null) return;
      metricKey = rec.payload.metric_key;
    }
    if (env.stage_execution_ref != null && typeof env.stage_execution_ref !== 'string') return;
    if ((env.stage_execution_ref ?? null) !== sc.stageRef) return;
    TEMPLATES.set(sc.template, { type, metricKey });
  }
}

/** For tests: forget every trusted template. */
export function forgetTemplates(): void {
  TEMPLATES.clear();
}
