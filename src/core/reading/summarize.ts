/**
 * One streaming pass over a run's records.ndjson: counts every record, keeps
 * only the notable ones (what diagnosis needs), and reports each line that
 * cannot be read with its number (and a reason, never its content) instead of
 * giving up on the run.
 *
 * A line counts only if the contract accepts it: the full parse is JSON.parse
 * plus `readableProblems` (the contract itself, never a milder shape check), and
 * the fast path (fastpath.ts) answers only when it provably agrees with that.
 * A fragment a killed writer left behind, with another writer's record glued
 * after it, is split at the record's start: the record is read, the fragment
 * reported.
 */
import type { CanonicalRecord } from '../../schema/records';
import { readableProblems } from '../writing/readable';
import { DEFER, EVENT, FastPath, METRIC } from './fastpath';
import { EVENT_INDEX, METRIC_INDEX, SPAN_INDEX, Tally } from './tally';
import { readLines, type LineSink } from '../storage/lines';
import { jsonFailure, readFailure } from '../storage/fsio';
import { emptyCounts, type RecordSummary } from '../model';

const LOUD_LEVELS = new Set(['warning', 'error', 'critical']);
/** Where a stored record starts: every line contexta writes begins with it. */
const RECORD_START = '{"envelope":';
/** How many glued starts one broken line is searched for (bounded work on a hostile line). */
const MAX_RESYNC = 64;
/**
 * Read size for scans: small enough that each pass's latin1 view is an ordinary young
 * string (over ~128 KiB V8 puts a string in large-object space, freed only by a full GC:
 * 1 MiB passes peaked at 127 MB RSS on the 500k bench log) and the bytes are still in the
 * CPU cache when copied (reading plus views: ~130 ms of CPU against ~190–260 ms in 1 MiB
 * passes). Measured with the CLI on that log: 12–96 KiB passes all peak at ~78 MB RSS
 * (V8 grows its young generation), 4–8 KiB ones at ~70 MB but cost ~5 % more CPU.
 */
const SCAN_BUFFER_BYTES = 32 << 10;

export function isNotable(rec: CanonicalRecord): boolean {
  const env = rec.envelope;
  if (env.record_type === 'degraded') return true;
  if (env.degradation_marker && env.degradation_marker !== 'none') return true;
  return env.record_type === 'event' && LOUD_LEVELS.has((rec.payload as { level?: string }).level ?? '');
}

/**
 * Why `value` is not a readable record of run `runRef`, or null: the contract's verdict,
 * then the run. Names the fields only: the line's values may be anything (even secrets).
 */
export function recordProblem(value: unknown, runRef: string): string | null {
  const problems = readableProblems(value);
  if (problems.length) {
    const fields = [...new Set(problems.map((p) => p.path || '(the line)'))];
    const shown = fields.slice(0, 5).join(', ') + (fields.length > 5 ? ', …' : '');
    return `refused by the record contract (${shown}); \`contexta record import\` of the line names each problem`;
  }
  if ((value as CanonicalRecord).envelope.run_ref !== runRef) return `belongs to another run, not ${runRef}`;
  return null;
}

export function stageOf(rec: CanonicalRecord): string {
  const ref = rec.envelope.stage_execution_ref;
  return typeof ref === 'string' ? ref.slice(ref.lastIndexOf('.') + 1) : '';
}

export interface SummaryOptions {
  /** Keep every record (snapshot) instead of only notable ones (diagnose). */
  keepAll?: boolean;
}

type Parsed = { ok: true; value: unknown } | { ok: false; reason: string };

function parse(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, reason: jsonFailure(err) };
  }
}

export function summarizeRecords(
  file: string,
  runRef: string,
  options: SummaryOptions = {},
): RecordSummary & { all: CanonicalRecord[] } {
  const summary: RecordSummary & { all: CanonicalRecord[] } = {
    lines: 0,
    counts: emptyCounts(),
    by_stage: {},
    notable: [],
    metrics: {},
    repeated_metrics: {},
    unreadable: [],
    all: [],
  };
  const tally = new Tally();
  const unreadable = (line: number, reason: string) => summary.unreadable.push({ file, line, reason });
  const fast = new FastPath(runRef);
  const decoder = new TextDecoder('utf-8', { fatal: true });

  /** Count a record the contract accepted. */
  const take = (rec: CanonicalRecord) => {
    const stage = stageOf(rec);
    tally.count(stage, rec.envelope.record_type);
    if (rec.envelope.record_type === 'metric') {
      const p = rec.payload as { metric_key: string; value: number };
      tally.metric(stage, p.metric_key, p.value);
    }
    if (options.keepAll) summary.all.push(rec);
    if (isNotable(rec)) summary.notable.push(rec);
  };

  /** A line JSON.parse refused: a killed writer's fragment may have another writer's record glued after it. */
  const resync = (text: string, lineNo: number, reason: string, terminated: boolean) => {
    let at = text.indexOf(RECORD_START, 1);
    for (let tries = 0; at !== -1 && tries < MAX_RESYNC; tries++) {
      const rest = parse(text.slice(at));
      if (rest.ok && recordProblem(rest.value, runRef) === null) {
        unreadable(lineNo, `torn fragment of ${Buffer.byteLength(text.slice(0, at))} bytes (a writer was interrupted); the record glued after it was read`);
        take(rest.value as CanonicalRecord);
        return;
      }
      at = text.indexOf(RECORD_START, at + 1);
    }
    unreadable(lineNo, terminated ? reason : `torn line: no trailing newline and ${reason} (a writer was interrupted)`);
  };

  /** A latin1 view of the current read pass (one byte, one char: V8's one-byte string and regex paths do the work). */
  let view = '';
  const sink: LineSink = {
    block(buf, end) {
      tally.settle(); // the values still held as slices of the old view
      view = buf.toString('latin1', 0, end);
    },
    line(buf, start, end, lineNo, terminated) {
      if (terminated) {
        const code = fast.classifyAt(view, start, end);
        // A fast answer means the contract accepts the line (printable ASCII: latin1 is its UTF-8 text).
        if (code !== DEFER && options.keepAll) return take(JSON.parse(view.slice(start, end)) as CanonicalRecord);
        if (code === METRIC) {
          tally.countIndex(fast.stage, METRIC_INDEX);
          return tally.metricText(fast.stage, fast.metricKey, fast.valueText);
        }
        if (code !== DEFER) return tally.countIndex(fast.stage, code === EVENT ? EVENT_INDEX : SPAN_INDEX);
      }
      if (isBlank(buf, start, end)) return;
      let text: string;
      try {
        text = decoder.decode(buf.subarray(start, end));
      } catch {
        return unreadable(lineNo, 'not valid UTF-8');
      }
      const parsed = parse(text);
      if (!parsed.ok) return resync(text, lineNo, parsed.reason, terminated);
      const problem = recordProblem(parsed.value, runRef);
      if (problem) return unreadable(lineNo, problem);
      const rec = parsed.value as CanonicalRecord;
      take(rec);
      if (terminated && !isNotable(rec)) fast.learn(text, rec);
    },
    oversized(lineNo, bytes) {
      unreadable(lineNo, `line of ${bytes} bytes is too long to be a record`);
    },
  };
  try {
    summary.lines = readLines(file, sink, undefined, SCAN_BUFFER_BYTES);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A symlinked log, dangling or not, fails with ELOOP (O_NOFOLLOW): reported, never read as empty.
    if (code !== 'ENOENT') summary.unreadable.push({ file, line: null, reason: readFailure(err) });
  }
  tally.settle();
  tally.fill(summary);
  return summary;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
