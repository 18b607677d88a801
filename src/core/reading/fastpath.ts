/**
 * Reading routine record lines without a full parse, provably agreeing with it.
 *
 * A line's *shape* (line-shape.ts) is the canonical compact line with the leaves that
 * vary from line to line cut out. A shape is trusted only after one line carrying it
 * went through the full parse and `readableProblems` (see `learn`), was routine (not
 * notable), and every cut-out leaf was confirmed to be the field the scanner thought it
 * was. A later line with the same shape is that line with some leaves swapped for other
 * tokens of the same JSON kind, each checked by a rule at least as strict as the
 * contract's (leaf-rules.ts: timestamps on a real calendar, refs of this run, numbers
 * that round-trip, strings without escapes, metric/event keys the contract already
 * accepted) plus the cross-field rules (ordered timestamps, refs of one run). So its
 * parse is the same tree with other leaves, and the contract accepts it. Trusted shapes
 * are matched by one compiled sticky pattern each that holds most of those rules
 * (shape-pattern.ts; most recently used first); the full scan runs only on a miss.
 * Anything else is deferred and the caller parses the line in full: unknown fields,
 * nested look-alike keys, odd bytes and new contract rules only cost speed, never
 * correctness. The differential fuzz test (test/reliability/fastpath-fuzz.test.ts)
 * compares this against the full parse plus readableProblems itself.
 */
import type { RecordType } from '../../schema/enums';
import { DOT_TOKEN } from '../../schema/fields';
import { inOrder, MAX_RUN_VALUE, plainNumber } from './leaf-rules';
import {
  ENDED, EVENT_KEY, KIND_NUMBER, METRIC_KEY, OBSERVED, own, RECORD_REF, RECORDED, RUN_REF, scanShape, STAGE_REF, STARTED, VALUE,
} from './line-shape';
import { compileShape, specialize, type Template, type TimePair } from './shape-pattern';

export interface FastClass {
  type: RecordType;
  stage: string;
  /** For metrics: the payload's metric_key and value (baselines need them). */
  metric?: { key: string; value: number };
}

/** What `classifyAt` answers: defer to the full parse, or the record's type. */
export const DEFER = -1;
export const METRIC = 0;
export const EVENT = 1;
export const SPAN = 2;
const TYPES = ['metric', 'event', 'span'] as const;
const TYPE_CODES = { metric: METRIC, event: EVENT, span: SPAN };

/** Trusted templates, shared by every log read in this process; bounded. */
const TEMPLATES = new Map<string, Template>();
/**
 * Compiled shapes whose first line failed their own leaf rules (a `+00:00` timestamp is a
 * leaf like any other): kept so the next line of that shape is checked, not compiled again.
 */
const CANDIDATES = new Map<string, Template>();
const MAX_TEMPLATES = 1024;
const MAX_TEMPLATE_CHARS = 8192;
/** Templates tried first, by direct match (no scan), per log. */
const RECENT = 16;
/** Fast answers of a shape in one log after which it gets a variant for that run (compiling one costs ~1 ms). */
const HOT = 4096;
/**
 * Metric and event keys the contract accepted in a full parse (no grammar is assumed
 * here: the key rules are changing). A line whose key is new is parsed in full once.
 */
const METRIC_KEYS = new Set<string>();
const EVENT_KEYS = new Set<string>();
const MAX_KEYS = 8192;
const ROUTINE_LEVELS = new Set(['debug', 'info']);

/** The ordering rule of a timestamp pair; the second is undefined when its text equals the first's. */
function ordered(m: RegExpExecArray, p: TimePair): boolean {
  const second = m[p.second];
  if (second === undefined) return true;
  return p.laterFirst ? inOrder(m[p.first], second) : inOrder(second, m[p.first]);
}

/** Classifies the routine lines of one run's log; learns templates from lines the caller fully parsed. */
export class FastPath {
  private readonly runValue: string;
  /** False when no line of this run can be answered here (a run ref outside what the leaf rules cover). */
  private readonly enabled: boolean;
  private readonly recent: Template[] = [];
  /** Fast answers of each generic template in `recent` (same order). */
  private readonly hits: number[] = [];
  /**
   * Of the last answer: the stage component ('' for none), the metric key and the metric
   * value's text (a number token that reads back the same: `Number` of it is the value).
   */
  stage = '';
  metricKey = '';
  valueText = '';

  /** `hot`: fast answers of a shape before it gets a variant for this run (tests lower it to exercise both). */
  constructor(runRef: string, private readonly hot = HOT) {
    this.runValue = runRef.slice(runRef.indexOf(':') + 1);
    this.enabled = runRef === `run:${this.runValue}` && this.runValue.length <= MAX_RUN_VALUE;
  }

  /** The class a full parse would give this line, or null (then parse it in full, and maybe `learn`). */
  classify(line: string): FastClass | null {
    return this.classAt(line, 0, line.length);
  }

  /** `classify` for the line text[start, end) of a longer text. */
  classAt(text: string, start: number, end: number): FastClass | null {
    const code = this.classifyAt(text, start, end);
    if (code === DEFER) return null;
    const type = TYPES[code];
    return code === METRIC ? { type, stage: this.stage, metric: { key: this.metricKey, value: Number(this.valueText) } } : { type, stage: this.stage };
  }

  /**
   * `classify` for the line text[start, end) (text: a latin1 view of the bytes, which may
   * hold other lines around it): DEFER, or the record's type code with `stage`,
   * `metricKey` and `valueText` set.
   */
  classifyAt(text: string, start: number, end: number): number {
    if (!this.enabled) return DEFER;
    const recent = this.recent;
    const hits = this.hits;
    for (let k = 0; k < recent.length; k++) {
      let t = recent[k];
      if (!tailAt(text, end, t.tail)) continue;
      const code = this.answer(t, text, start, end);
      if (code === DEFER) continue;
      const h = t.generic === null ? ++hits[k] : 0;
      if (h >= this.hot) t = specialize(t, this.runValue);
      // Move one step to the front: the common shapes stay first.
      if (k > 0) {
        recent[k] = recent[k - 1];
        hits[k] = hits[k - 1];
        k--;
      }
      recent[k] = t;
      hits[k] = h;
      return code;
    }
    const shape = scanShape(text.slice(start, end));
    const t = shape && TEMPLATES.get(shape.key);
    if (!t || recent.some((r) => r === t || r.generic === t)) return DEFER;
    if (recent.length >= RECENT) {
      recent.pop();
      hits.pop();
    }
    recent.unshift(t);
    hits.unshift(0);
    return this.answer(t, text, start, end);
  }

  /** Match `t` on text[start, end) and apply the leaf rules the pattern leaves to JavaScript. */
  private answer(t: Template, text: string, start: number, end: number): number {
    const pattern = t.pattern;
    pattern.lastIndex = start;
    const m = pattern.exec(text);
    if (m === null || pattern.lastIndex !== end) return DEFER;
    if ((t.run !== 0 && m[t.run] !== this.runValue) || !ordered(m, t.times) || (t.span !== null && !ordered(m, t.span))) return DEFER;
    for (const g of t.generalNumbers) if (m[g] !== undefined && plainNumber(m[g]) === null) return DEFER;
    if (t.eventKeyGroup && !EVENT_KEYS.has(m[t.eventKeyGroup])) return DEFER;
    this.stage = t.stage ? m[t.stage] : '';
    if (t.type !== 'metric') return TYPE_CODES[t.type];
    const key = t.metricKeyGroup ? m[t.metricKeyGroup] : t.metricKey;
    if (key === null || (t.metricKeyGroup && !METRIC_KEYS.has(key))) return DEFER;
    let value = m[t.value];
    if (value === undefined) {
      value = m[t.valueGeneral];
      if (plainNumber(value) === null) return DEFER;
    }
    this.metricKey = key;
    this.valueText = value;
    return METRIC;
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
    const sc = scanShape(line);
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
    if (count(STAGE_REF) === 0 && typeof env.stage_execution_ref === 'string') return;
    const segments: string[] = [];
    let at = 0;
    for (const h of sc.holes) {
      segments.push(line.slice(at, h.start));
      at = h.end;
    }
    segments.push(line.slice(at));
    let t = CANDIDATES.get(sc.key);
    if (!t) {
      t = compileShape(segments, sc.holes, type, metricKey);
      if (CANDIDATES.size < MAX_TEMPLATES) CANDIDATES.set(sc.key, t);
    }
    // The line it was learned from must pass its own rules (else the rules are too strict for it: not trusted yet).
    if (this.answer(t, line, 0, line.length) === DEFER) return;
    CANDIDATES.delete(sc.key);
    TEMPLATES.set(sc.key, t);
  }
}

/**
 * text ends at `end` with `tail`: shapes of one log differ near their end (the metric's
 * value_type, the event's last field), so this rules most of them out before a match.
 * Compared from the tail's start: the very last characters (`"}}`) are the same in all.
 */
function tailAt(text: string, end: number, tail: string): boolean {
  const from = end - tail.length;
  if (from < 0) return false;
  for (let i = 0; i < tail.length; i++) if (text.charCodeAt(from + i) !== tail.charCodeAt(i)) return false;
  return true;
}

/** For tests: forget every trusted template. */
export function forgetTemplates(): void {
  TEMPLATES.clear();
  CANDIDATES.clear();
  METRIC_KEYS.clear();
  EVENT_KEYS.clear();
}
