/**
 * One streaming pass over a run's records.ndjson: counts every record, keeps
 * only the notable ones (what diagnosis needs), and reports each line that
 * cannot be read with its number instead of giving up on the run.
 */
import { RECORD_TYPES, type RecordType } from '../../schema/enums';
import type { CanonicalRecord } from '../../schema/records';
import { classifyFast, runRefNeedle } from './fastpath';
import { readLines, type LineSink } from '../storage/lines';
import { emptyCounts, type RecordSummary, type TypeCounts } from '../model';

const TYPES = new Set<string>(RECORD_TYPES);
const LOUD_LEVELS = new Set(['warning', 'error', 'critical']);

export function isNotable(rec: CanonicalRecord): boolean {
  const env = rec.envelope;
  if (env.record_type === 'degraded') return true;
  if (env.degradation_marker && env.degradation_marker !== 'none') return true;
  return env.record_type === 'event' && LOUD_LEVELS.has((rec.payload as { level?: string }).level ?? '');
}

/** Why `value` is not a readable record of run `runRef`, or null. Writers validate fully; readers check shape. */
export function shapeProblem(value: unknown, runRef: string): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const { envelope, payload } = value as { envelope?: Record<string, unknown>; payload?: unknown };
  if (!envelope || typeof envelope !== 'object') return 'missing "envelope" object';
  if (!payload || typeof payload !== 'object') return 'missing "payload" object';
  if (!TYPES.has(envelope.record_type as string)) return `unknown record_type ${JSON.stringify(envelope.record_type)}`;
  if (typeof envelope.record_ref !== 'string') return 'missing envelope.record_ref';
  if (envelope.run_ref !== runRef) return `belongs to ${JSON.stringify(envelope.run_ref)}, not ${runRef}`;
  return null;
}

export function stageOf(rec: CanonicalRecord): string {
  const ref = rec.envelope.stage_execution_ref;
  return ref ? ref.slice(ref.lastIndexOf('.') + 1) : '';
}

export interface SummaryOptions {
  /** Keep every record (snapshot) instead of only notable ones (diagnose). */
  keepAll?: boolean;
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
  const metric = (stage: string, key: string, value: number) => {
    const values = summary.metrics[stage] ?? (summary.metrics[stage] = {});
    if (Object.prototype.hasOwnProperty.call(values, key)) {
      const repeated = summary.repeated_metrics[stage] ?? (summary.repeated_metrics[stage] = []);
      if (!repeated.includes(key)) repeated.push(key);
    }
    // defineProperty: a metric key "__proto__" must stay an own key.
    Object.defineProperty(values, key, { value, enumerable: true, writable: true, configurable: true });
  };
  const count = (stage: string, type: RecordType) => {
    summary.counts[type]++;
    const bucket: TypeCounts = summary.by_stage[stage] ?? (summary.by_stage[stage] = emptyCounts());
    bucket[type]++;
  };
  const needle = runRefNeedle(runRef);
  const sink: LineSink = {
    line(buf, start, end, lineNo, terminated) {
      if (!options.keepAll && terminated) {
        const fast = classifyFast(buf.toString('latin1', start, end), needle);
        if (fast) {
          if (fast.metric) metric(fast.stage, fast.metric.key, fast.metric.value);
          return count(fast.stage, fast.type);
        }
      }
      if (isBlank(buf, start, end)) return;
      let value: unknown;
      try {
        value = JSON.parse(buf.toString('utf8', start, end));
      } catch (err) {
        const reason = terminated ? `not valid JSON (${(err as Error).message})` : 'torn line: no trailing newline and not valid JSON (a writer was interrupted)';
        summary.unreadable.push({ file, line: lineNo, reason });
        return;
      }
      const problem = shapeProblem(value, runRef);
      if (problem) {
        summary.unreadable.push({ file, line: lineNo, reason: problem });
        return;
      }
      const rec = value as CanonicalRecord;
      count(stageOf(rec), rec.envelope.record_type);
      if (rec.envelope.record_type === 'metric') {
        const p = rec.payload as { metric_key?: unknown; value?: unknown };
        if (typeof p.metric_key === 'string' && typeof p.value === 'number') metric(stageOf(rec), p.metric_key, p.value);
      }
      if (options.keepAll) summary.all.push(rec);
      if (isNotable(rec)) summary.notable.push(rec);
    },
    oversized(lineNo, bytes) {
      summary.unreadable.push({ file, line: lineNo, reason: `line of ${bytes} bytes is too long to be a record` });
    },
  };
  try {
    summary.lines = readLines(file, sink);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') summary.unreadable.push({ file, line: null, reason: `cannot read (${code ?? (err as Error).message})` });
  }
  return summary;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
