/**
 * Differential fuzzing of the read fast path: generated and mutated record lines,
 * each judged by the fast path and by the full parse plus the contract itself
 * (readableProblems, through summarize's recordProblem). They must agree whenever
 * the fast path answers. Shared by the always-on test, its long form
 * (CONTEXTA_FUZZ_LINES=1000000) and `npm run bench` (section 5).
 */
import { FastPath, forgetTemplates, type FastClass } from '../../src/core/reading/fastpath';
import { isNotable, recordProblem, stageOf } from '../../src/core/reading/summarize';
import type { CanonicalRecord } from '../../src/schema/records';
import { mulberry32 } from '../support/random';

export const RUN = 'run:fuzz-proj.night-1';
const OTHER_RUN = 'run:fuzz-proj.night-2';

export const rng = mulberry32;

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const TIMES = [
  '2025-03-18T02:00:00Z', '2025-03-18T02:00:00Z', '2025-03-18T02:00:01.123456+00:00', '2024-02-29T23:59:59Z', '2025-12-31T10:00:00-05:00',
  '2025-03-18T02:00:01.123456Z', '2025-03-18T02:00:01.5Z', '2025-03-18T02:00:01.500Z', '2025-03-18T02:00:00.000Z', '2000-02-29T12:00:00Z',
  '2025-04-30T23:59:59.999999999Z', '1000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2025-03-18T01:59:59.9Z',
];
/** Refused by the contract, or not the shape the fast path answers for (calendar edges, leap years, digits, case). */
const BAD_TIMES = [
  '2025-02-30T00:00:00Z', '2025-03-18T24:00:00Z', '0000-01-01T00:00:00Z', '2025-03-18T02:00:00', '2025-13-01T00:00:00Z', '2025-03-18T02:00:60Z',
  '2025-03-18T02:00:00+25:00', '2025-3-18T02:00:00Z', '', '1900-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2023-02-29T00:00:00Z',
  '2025-04-31T00:00:00Z', '2025-06-31T00:00:00Z', '2025-11-31T00:00:00Z', '2025-03-18T02:00:00.1234567890Z', '0999-12-31T23:59:59Z',
  '2025-03-18T02:60:00Z', '2025-03-18T02:00:00.Z', '2025-03-00T00:00:00Z', '2025-00-10T00:00:00Z', ' 2025-03-18T02:00:00Z',
  '2025-03-18t02:00:00Z', '2025-03-18T02:00:00z', '2025-03-18 02:00:00Z', '+12025-03-18T02:00:00Z', '2025-03-18T02:00Z',
];
const STAGES = ['ingest', 'train', 'eval-2', 'x'];
const BAD_STAGES = ['Train', '../../etc', 'a..b', '', 'a_b', 'x'.repeat(64), 'a-', '-a', 'a--b', 'a b'];
const NUMBERS = ['0', '1', '-3', '0.5', '12.25', '1e+21', '1.5e-7', '123456789', '0.000001', '-0.000123', '123456789012345', '1234567890123456', '0.1234567890123', '49.876'];
const BAD_NUMBERS = ['1.10', '-0', '1e400', '1e-400', '01', '.5', '1.', '+1', '9007199254740993', 'NaN', '0x10', '1E5', '0.0000001', '1.0', '-0.0', '00.5', '1..2', '1-2', '12345678901234567890'];
const LEVELS = ['debug', 'info', 'info', 'info', 'warning', 'error', 'critical'];
const BAD_LEVELS = ['ERROR', 'fatal', 'Info', 'warn', ''];
const SEVERITIES = ['warning', 'error'];
const BAD_SEVERITIES = ['Error', 'fatal', 'WARNING', 'info'];
/** Both styles: `producer:contexta.cli` (1.0.0 contract) and the dot token `contexta.cli`. */
const PRODUCERS = ['producer:contexta.cli', 'producer:contexta.cli', 'producer:contexta.python', 'contexta.cli', 'etl.scheduler'];
const VERSIONS = ['1.0.0', '1.0.0', '1.0.0', '0.1.0', '2.0.0'];
const MARKERS = ['none', 'none', 'none', 'none', 'none', 'partial_failure'];

function envelope(f: R, r: R, type: string, i: number): Record<string, unknown> {
  const t = pick(r, TIMES);
  const env: Record<string, unknown> = {
    completeness_marker: pick(f, ['complete', 'complete', 'partial']),
    correlation_refs: f() < 0.9 ? {} : { trace_id: 'abc', degradation_marker: 'none', record_type: 'metric' },
    degradation_marker: type === 'degraded' ? pick(f, ['capture_gap', 'partial_failure']) : pick(f, MARKERS),
    extensions: [],
    observed_at: t,
    producer_ref: pick(f, PRODUCERS),
    record_ref: `record:fuzz-proj.night-1.r${i}-${Math.floor(r() * 1e6).toString(36)}`,
    record_type: type,
    recorded_at: r() < 0.8 ? t : pick(r, TIMES),
    run_ref: RUN,
    schema_version: pick(f, VERSIONS),
    stage_execution_ref: `stage:fuzz-proj.night-1.${pick(r, STAGES)}`,
  };
  if (f() < 0.2) delete env.extensions;
  if (f() < 0.2) delete env.correlation_refs;
  if (f() < 0.15) delete env.stage_execution_ref;
  if (f() < 0.05) env.stage_execution_ref = null;
  if (f() < 0.1) env.fmt = { record_type: 'metric', level: 'info', degradation_marker: 'none' };
  if (f() < 0.05) env.extensions = [{ record_type: 'metric', severity: 'warning' }];
  return env;
}

function payload(f: R, r: R, type: string, i: number): Record<string, unknown> {
  switch (type) {
    case 'metric': {
      const p: Record<string, unknown> = {
        aggregation_scope: pick(f, ['step', 'run', 'stage']),
        metric_key: pick(f, ['rows.out', 'loss', 'null-rate', 'rows_out', 'Acc']),
        tags: f() < 0.5 ? {} : { shard: i % 16, region: pick(r, ['eu', 'us']) },
        value: Number(pick(r, NUMBERS)),
        value_type: pick(f, ['float', 'integer']),
      };
      if (f() < 0.3) p.unit = 'rows';
      return p;
    }
    case 'event': {
      const p: Record<string, unknown> = {
        attributes: f() < 0.4 ? {} : { batch: i, note: pick(r, ['ok', 'a "quoted" word', 'é']) },
        event_key: 'stage.done',
        level: pick(f, LEVELS),
        message: pick(r, ['batch done', `batch ${i} done`, 'tab\there', '']),
        origin_marker: 'explicit_capture',
      };
      if (f() < 0.1) p.source = { level: 'info' };
      return p;
    }
    case 'span':
      return {
        attributes: {},
        ended_at: '2025-03-18T02:00:05Z',
        linked_refs: [],
        span_id: `s${i}`,
        span_kind: 'operation',
        span_name: 'load',
        started_at: '2025-03-18T02:00:01Z',
        status: pick(f, ['ok', 'error']),
        trace_id: 't1',
      };
    default:
      return {
        attributes: { rows: 0 },
        category: 'capture',
        issue_key: 'stage.empty',
        origin_marker: 'explicit_capture',
        severity: pick(f, SEVERITIES),
        summary: 'empty batch',
      };
  }
}

function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${sortedJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** A canonical line, the way contexta and the Python library write them. */
export function validLine(r: R, i: number): string {
  // The structure comes from one of a few dozen families (real logs have few shapes), the leaves vary.
  const f = rng(Math.floor(r() * 60) + 1000);
  const type = pick(f, ['metric', 'metric', 'metric', 'event', 'event', 'span', 'degraded']);
  return sortedJson({ envelope: envelope(f, r, type, i), payload: payload(f, r, type, i) });
}

/**
 * A valid line that is also routine (what the fast path answers for), so that its
 * mutations test what the fast path must then refuse: a few families are refused or
 * notable as a whole, and mutating those proves little.
 */
function routineLine(r: R, i: number): string {
  let line = validLine(r, i);
  for (let tries = 0; tries < 10; tries++) {
    const full = fullVerdict(Buffer.from(line));
    if (full.readable && !full.notable) break;
    line = validLine(r, i);
  }
  return line;
}

/** Replace the value of `"key":` (first or last occurrence) by `value` text. */
function setToken(line: string, key: string, value: string, last = false): string {
  const needle = `"${key}":`;
  const at = last ? line.lastIndexOf(needle) : line.indexOf(needle);
  if (at < 0) return line;
  const start = at + needle.length;
  let end = start;
  if (line[start] === '"') {
    end = line.indexOf('"', start + 1) + 1;
    while (line[end - 2] === '\\') end = line.indexOf('"', end) + 1;
  } else {
    while (end < line.length && !',}]'.includes(line[end])) end++;
  }
  return line.slice(0, start) + value + line.slice(end);
}

const q = (s: string) => JSON.stringify(s);

/** One mutation of a line: leaves swapped for bad ones, keys renamed, bytes flipped, cut or glued. */
export function mutate(r: R, line: string, other: string): Buffer | string {
  switch (Math.floor(r() * 24)) {
    case 0: return setToken(line, pick(r, ['observed_at', 'recorded_at', 'started_at', 'ended_at']), q(pick(r, BAD_TIMES)));
    case 1: return setToken(line, 'recorded_at', q('2000-01-01T00:00:00Z'));
    case 2: return setToken(line, 'value', pick(r, BAD_NUMBERS));
    case 3: return setToken(line, 'level', q(pick(r, BAD_LEVELS)));
    case 4: return setToken(line, 'severity', q(pick(r, BAD_SEVERITIES)));
    case 5: return setToken(line, 'stage_execution_ref', pick(r, ['7', 'null', q(`stage:fuzz-proj.night-1.${pick(r, BAD_STAGES)}`), q('stage:fuzz-proj.night-2.train'),
      q(`stage:fuzz-proj.night-1.${'s'.repeat(63)}`), q('stage:fuzz-proj.night-1x.train'), q('stage:fuzz-projnight-1.train'), q('stage:fuzz-proj.night-1.train.x')]));
    case 6: return setToken(line, 'run_ref', q(pick(r, [OTHER_RUN, 'run:Fuzz.x', 'run:fuzz-proj.night-1.x'])));
    case 7: return setToken(line, 'record_ref', q(pick(r, [
      'record:fuzz-proj.night-2.a', 'record:fuzz-proj.night-1.A', 'record:fuzz-proj.night-1.', `record:fuzz-proj.night-1.${'a'.repeat(64)}`, 'x',
      `record:fuzz-proj.night-1.${'a'.repeat(63)}`, 'record:fuzz-proj.night-1.a-', 'record:fuzz-proj.night-1.-a', 'record:fuzz-proj.night-1.a--b',
      'record:fuzz-proj.night-1.a.b', 'record:fuzz-proj.night-1x.a', 'record:fuzz-proj.night-1-2.a', 'record:fuzz-projnight-1.a', 'record:fuzz-proj.night-1.a-1',
    ])));
    case 8: return setToken(line, pick(r, ['record_type', 'degradation_marker', 'completeness_marker', 'schema_version']), q(pick(r, ['metric', 'event', 'none', 'Metric', 'complete', '9.9.9', 'degraded'])));
    case 9: return line.replace(`"${pick(r, ['extensions', 'correlation_refs', 'metric_key', 'level', 'message', 'value', 'tags', 'producer_ref', 'severity'])}":`, '"zz_unknown":');
    case 10: {
      const b = Buffer.from(line);
      b[Math.floor(r() * b.length)] = pick(r, [0x00, 0xff, 0xc3, 0x22, 0x5c, 0x7d, 0x2c, 0x0a, 0x80, 0x01]);
      return b;
    }
    case 11: {
      const b = Buffer.from(line);
      b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
      return b;
    }
    case 12: return line.slice(0, Math.floor(r() * line.length));
    case 13: return line.slice(0, Math.floor(r() * line.length)) + other;
    case 14: return line + other;
    case 15: return line.replace('"payload":{', `"payload":{"${pick(r, ['aaa', 'level', 'zzz'])}":${pick(r, ['{"level":"info"}', '"info"', '{"degradation_marker":"none"}', '[{"value":1}]'])},`);
    case 16: return line.replace('"envelope":{', `"envelope":{"${pick(r, ['completeness_marker', 'aaa', 'record_type'])}":${pick(r, ['"complete"', '"metric"', '{"record_type":"metric"}'])},`);
    case 17: return setToken(line, pick(r, ['batch', 'shard', 'region', 'note']), pick(r, [...BAD_NUMBERS, '"x\\"y"', '"\\u0000"', 'true', '{"a":1}', '"é"']));
    case 18: return setToken(line, 'message', pick(r, ['"a\\"b"', '"\\u2028"', '"\\ud800"', '"é"', '"x\\u0000"', '7']));
    case 19: return line.replace(/"(\w+)":/, (m) => `${m.slice(0, -1)}:${pick(r, ['null', '1', '"x"'])},${m}`);
    case 20: return `${line.slice(0, -1)} }`;
    // Both timestamps of a pair set to one value: equal texts are judged by the shape's pattern alone.
    case 22: {
      const t = q(pick(r, r() < 0.5 ? BAD_TIMES : TIMES));
      return setToken(setToken(line, 'observed_at', t), 'recorded_at', t);
    }
    case 23: {
      const t = q(pick(r, r() < 0.5 ? BAD_TIMES : TIMES));
      return setToken(setToken(line, 'started_at', t), 'ended_at', t);
    }
    default: return setToken(line, pick(r, ['observed_at', 'recorded_at']), q(pick(r, TIMES)));
  }
}

type Verdict = { readable: false } | { readable: true; notable: boolean; cls: FastClass };

/** What the full parse and the contract conclude about one line. */
export function fullVerdict(bytes: Buffer): Verdict {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { readable: false };
  }
  if (recordProblem(value, RUN) !== null) return { readable: false };
  const rec = value as CanonicalRecord;
  const cls: FastClass = { type: rec.envelope.record_type, stage: stageOf(rec) };
  if (rec.envelope.record_type === 'metric') {
    const p = rec.payload as { metric_key: string; value: number };
    cls.metric = { key: p.metric_key, value: p.value };
  }
  return { readable: true, notable: isNotable(rec), cls };
}

export interface FuzzResult {
  lines: number;
  fastAnswers: number;
  disagreements: string[];
}

/**
 * Generate `count` lines (40 % as written, the rest mutations of them),
 * learning templates the way summarize does, and check every fast answer.
 */
export function fuzzFastPath(count: number, seed = 12): FuzzResult {
  const r = rng(seed);
  // A shape gets its variant for this run after 64 fast answers: both kinds of pattern answer here.
  const fp = new FastPath(RUN, 64);
  const result: FuzzResult = { lines: 0, fastAnswers: 0, disagreements: [] };
  let previous = validLine(r, 0);
  let neighbour: Buffer = Buffer.from(previous);
  forgetTemplates();
  for (let i = 0; result.lines < count; i++) {
    // Start learning afresh now and then, so first sightings (misses) keep being exercised too.
    if (i % 50_000 === 0) forgetTemplates();
    const base = r() < 0.5 ? validLine(r, i) : routineLine(r, i);
    const made = r() < 0.4 ? base : mutate(r, base, previous);
    previous = base;
    const bytes = typeof made === 'string' ? Buffer.from(made) : made;
    // summarize splits on newlines: a mutation that made one is two lines there.
    if (bytes.includes(0x0a)) continue;
    result.lines++;
    const latin1 = bytes.toString('latin1');
    // As summarize reads it: inside a latin1 view of a whole read pass, between other lines.
    const around = neighbour.toString('latin1');
    const fast = fp.classAt(`${around}\n${latin1}\n${around}`, around.length + 1, around.length + 1 + latin1.length);
    neighbour = bytes;
    const full = fullVerdict(bytes);
    if (fast) {
      result.fastAnswers++;
      const agree = full.readable && !full.notable && JSON.stringify(full.cls) === JSON.stringify(fast);
      if (!agree && result.disagreements.length < 20) {
        result.disagreements.push(`fast ${JSON.stringify(fast)} vs full ${JSON.stringify(full)}: ${latin1.slice(0, 600)}`);
      }
    } else if (full.readable && !full.notable) {
      fp.learn(bytes.toString('utf8'), JSON.parse(bytes.toString('utf8')));
    }
  }
  return result;
}
