/**
 * A trusted line shape compiled to one sticky regular expression that also holds the
 * leaf rules (leaf-rules.ts): the constant text between the leaves, and per leaf the
 * grammar its field must follow. Refs are tied together inside the pattern: the first
 * ref captures the run value (`project.run`) and the others must repeat it (a
 * back-reference), so one string comparison with the run being read checks all three.
 * The second of two timestamps that must be ordered is first tried as a repeat of the
 * first (then they are equal, so ordered); only when they differ is its text captured
 * for the ordering check in JavaScript. Plain string leaves are not captured at all.
 * A pattern is independent of the run, so each is compiled once per process; a shape
 * that is hot in one log gets a variant with that run's value written in (`specialize`:
 * no capture, no comparison, ~10 % less CPU per line, for one more compilation of ~1 ms).
 */
import {
  COMPONENT_RE, escapeRe, FAST_NUMBER_RE, GENERAL_NUMBER_RE, RUN_VALUE_RE, STRING_CAPTURE_RE, STRING_RE, TEXT_RE, TIMESTAMP_RE,
} from './leaf-rules';
import {
  ENDED, EVENT_KEY, KIND_NUMBER, KIND_TEXT, METRIC_KEY, OBSERVED, OTHER, RECORD_REF, RECORDED, RUN_REF, STAGE_REF, STARTED, VALUE,
  type Hole,
} from './line-shape';

/**
 * Two timestamps that must be in order: `first` is always captured; `second` is captured
 * only when its text differs from the first's (else undefined); `laterFirst` when the
 * first in the line is the one that must not be earlier.
 */
export interface TimePair {
  first: number;
  second: number;
  laterFirst: boolean;
}

/** A compiled shape. Group numbers are 0 when the shape has no such leaf. */
export interface Template {
  /** What it was compiled from (a variant for one run is compiled from the same). */
  segments: string[];
  holes: Hole[];
  /** For a variant for one run: the shape it specializes; null for the shape itself. */
  generic: Template | null;
  type: 'metric' | 'event' | 'span';
  /** The metric key when it is part of the shape (it had escapes); else it is captured. */
  metricKey: string | null;
  pattern: RegExp;
  /** The last characters of the shape, compared before the pattern runs: they tell most shapes of a log apart. */
  tail: string;
  /** The run value the refs share (0 in a variant for one run: the value is in the pattern). */
  run: number;
  /** The stage component, when the record has a stage. */
  stage: number;
  times: TimePair;
  span: TimePair | null;
  metricKeyGroup: number;
  eventKeyGroup: number;
  /** The metric value when it has plainNumber's fast form, and when not (then checked in JavaScript). */
  value: number;
  valueGeneral: number;
  /** Other number leaves not in the fast form (checked in JavaScript). */
  generalNumbers: number[];
}

const TAIL = 8;

/**
 * Compile `segments` (constant text, one more than holes) and `holes` into a template.
 * The caller has checked the holes: exactly one record, run, observed and recorded
 * leaf, at most one of the others, started and ended together. With `runValue`, the
 * refs must hold exactly that run value (written into the pattern) instead of capturing it.
 */
export function compileShape(segments: string[], holes: Hole[], type: Template['type'], metricKey: string | null, runValue: string | null = null): Template {
  let groups = 0;
  let runGroup = 0;
  let stage = 0;
  let value = 0;
  let valueGeneral = 0;
  let metricKeyGroup = 0;
  let eventKeyGroup = 0;
  const generalNumbers: number[] = [];
  const pairs = new Map<string, TimePair>();
  /** The run value: captured at the first ref, repeated by the others. */
  const ref = (): string => {
    if (runValue !== null) return escapeRe(runValue);
    if (runGroup) return `\\${runGroup}`;
    runGroup = ++groups;
    return `(${RUN_VALUE_RE})`;
  };
  /** One of two ordered timestamps: later is the field that must not be earlier. */
  const time = (pair: string, later: boolean): string => {
    const seen = pairs.get(pair);
    if (!seen) {
      pairs.set(pair, { first: ++groups, second: 0, laterFirst: later });
      return `"(${TIMESTAMP_RE})"`;
    }
    seen.second = ++groups;
    return `"(?:\\${seen.first}|(${TIMESTAMP_RE}))"`;
  };
  let re = escapeRe(segments[0]);
  holes.forEach((h, j) => {
    let part: string;
    switch (h.field) {
      case RECORD_REF:
        part = `"record:${ref()}\\.${COMPONENT_RE}"`;
        break;
      case RUN_REF:
        part = `"run:${ref()}"`;
        break;
      case STAGE_REF:
        part = `"stage:${ref()}\\.(${COMPONENT_RE})"`;
        stage = ++groups;
        break;
      case OBSERVED:
      case RECORDED:
        part = time('record', h.field === RECORDED);
        break;
      case STARTED:
      case ENDED:
        part = time('span', h.field === ENDED);
        break;
      case VALUE:
        part = `(?:(${FAST_NUMBER_RE})|(${GENERAL_NUMBER_RE}))`;
        value = ++groups;
        valueGeneral = ++groups;
        break;
      case METRIC_KEY:
        part = STRING_CAPTURE_RE;
        metricKeyGroup = ++groups;
        break;
      case EVENT_KEY:
        part = STRING_CAPTURE_RE;
        eventKeyGroup = ++groups;
        break;
      default:
        if (h.field !== OTHER) throw new Error(`no leaf rule for field ${h.field}`);
        if (h.kind === KIND_NUMBER) {
          part = `(?:${FAST_NUMBER_RE}|(${GENERAL_NUMBER_RE}))`;
          generalNumbers.push(++groups);
        } else part = h.kind === KIND_TEXT ? TEXT_RE : STRING_RE;
    }
    re += part + escapeRe(segments[j + 1]);
  });
  const last = segments[segments.length - 1];
  return {
    segments,
    holes,
    generic: null,
    type,
    metricKey,
    // Sticky: it runs where a line starts inside a whole read buffer; the caller checks it ends at the line's end.
    pattern: new RegExp(re, 'y'),
    tail: last.slice(-TAIL),
    run: runGroup,
    stage,
    times: pairs.get('record') as TimePair,
    span: pairs.get('span') ?? null,
    metricKeyGroup,
    eventKeyGroup,
    value,
    valueGeneral,
    generalNumbers,
  };
}

/** The variant of generic shape `t` for the run whose value is `runValue`. */
export function specialize(t: Template, runValue: string): Template {
  const variant = compileShape(t.segments, t.holes, t.type, t.metricKey, runValue);
  variant.generic = t;
  return variant;
}
