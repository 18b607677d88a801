/**
 * `contexta snapshot <run>` as text: the run, its stages in order, then what each stage
 * recorded. Degraded records get their own section because they are the facts a zero exit
 * code hides. Same SnapshotReport as `snapshot --json`.
 */
import type { ChalkInstance } from 'chalk';
import type { SnapshotReport } from '../core/reading/reports';
import type { CanonicalRecord, DegradedPayload, EventPayload, MetricPayload, SpanPayload } from '../schema/records';
import {
  durationBetween,
  formatAttrs,
  formatDuration,
  formatTime,
  heading,
  makeChalk,
  NONE,
  paintSeverity,
  paintStatus,
  plural,
  renderTable,
  safe,
  unreadableLine,
  type RenderOptions,
  type TableSpec,
} from './style';
import { clipLine } from './fit';

/** Stage name of a record: the last dot component of its stage ref (`stage:p.r.validate` → `validate`). */
export function recordStage(record: CanonicalRecord): string {
  const ref = record.envelope.stage_execution_ref;
  if (!ref) return NONE;
  const value = ref.slice(ref.indexOf(':') + 1);
  return safe(value.slice(value.lastIndexOf('.') + 1)) || NONE;
}

const ofType = <P>(records: CanonicalRecord[], type: string) =>
  records.filter((r) => r.envelope.record_type === type).map((r) => ({ stage: recordStage(r), p: r.payload as unknown as P, r }));

const count = (c: ChalkInstance, n: number, paint?: (s: string) => string) =>
  n === 0 ? c.dim('0') : paint ? paint(String(n)) : String(n);

function section(c: ChalkInstance, title: string, body: string | null): string {
  return `${heading(c, title)}\n${body ?? c.dim('(none)')}`;
}

function header(c: ChalkInstance, report: SnapshotReport): string {
  const { run, record_counts: rc } = report;
  const fields: [string, string][] = [
    ['project', safe(run.project)],
    ['status', paintStatus(c, run.status)],
    ['started', formatTime(run.started_at)],
    ['ended', formatTime(run.ended_at)],
    ['duration', formatDuration(run.duration_ms)],
  ];
  if (run.description) fields.push(['description', safe(run.description)]);
  const total = rc.event + rc.metric + rc.span + rc.degraded;
  fields.push([
    'records',
    `${total} (${plural(rc.event, 'event')}, ${plural(rc.metric, 'metric')}, ${plural(rc.span, 'span')}, ${rc.degraded} degraded)`,
  ]);
  const width = Math.max(...fields.map(([k]) => k.length));
  return [c.bold(safe(run.run_ref)), ...fields.map(([k, v]) => `  ${c.dim(k.padEnd(width))}  ${v}`)].join('\n');
}

function levelPaint(c: ChalkInstance, level: string): string {
  return level === 'debug' ? c.dim(level) : paintSeverity(c, level, safe(level));
}

type Fit = Pick<TableSpec, 'priority' | 'minWidths'>;

export function renderSnapshot(report: SnapshotReport, opts: RenderOptions): string {
  const c = makeChalk(opts.color);
  const table = (head: string[], rows: string[][], maxWidths?: (number | null)[], fit: Fit = {}) =>
    rows.length ? renderTable(c, opts.color, { head, rows, maxWidths, width: opts.width, ...fit }) : null;
  const parts: string[] = [header(c, report).split('\n').map((line) => clipLine(line, opts.width)).join('\n')];

  const stageRows = report.stages.map((s, i) => [
    // Position in run order, 1-based: order_index may be 0-based or sparse (Python writes either).
    String(i + 1),
    safe(s.stage_name),
    paintStatus(c, s.status),
    formatDuration(s.duration_ms),
    count(c, s.record_counts.event),
    count(c, s.record_counts.metric),
    count(c, s.record_counts.span),
    count(c, s.record_counts.degraded, c.red.bold),
  ]);
  parts.push(
    section(c, 'Stages', table(['#', 'STAGE', 'STATUS', 'DURATION', 'EVENTS', 'METRICS', 'SPANS', 'DEGRADED'], stageRows, undefined, {
      priority: [1, null, null, 4, 3, 3, 2, null],
      minWidths: [null, 10, null, null, null, null, null, null],
    })),
  );

  const metrics = ofType<MetricPayload>(report.records, 'metric').map(({ stage, p }) => [
    stage,
    safe(p.metric_key),
    safe(p.value),
    p.unit ? safe(p.unit) : NONE,
    safe(p.aggregation_scope),
  ]);
  parts.push(section(c, 'Metrics', table(['STAGE', 'KEY', 'VALUE', 'UNIT', 'SCOPE'], metrics, undefined, {
    priority: [null, null, null, 2, 1],
    minWidths: [8, 14, 8, null, null],
  })));

  // Long free text wraps only in the boxed (terminal) table; plain output keeps one row per line.
  const events = ofType<EventPayload>(report.records, 'event').map(({ stage, p }) => [
    stage,
    levelPaint(c, p.level),
    safe(p.event_key),
    safe(p.message),
  ]);
  parts.push(section(c, 'Events', table(['STAGE', 'LEVEL', 'KEY', 'MESSAGE'], events, [null, null, null, 60], {
    minWidths: [8, null, 12, 20],
  })));

  const degraded = ofType<DegradedPayload>(report.records, 'degraded').map(({ stage, p, r }) => [
    stage,
    paintSeverity(c, p.severity),
    safe(p.issue_key),
    safe(p.category),
    safe(r.envelope.degradation_marker),
    safe(p.summary),
    formatAttrs(p.attributes, opts.color ? '\n' : ' ') || NONE,
  ]);
  parts.push(
    section(
      c,
      'Degraded records',
      table(
        ['STAGE', 'SEVERITY', 'ISSUE KEY', 'CATEGORY', 'MARKER', 'SUMMARY', 'ATTRIBUTES'],
        degraded,
        [null, null, null, null, null, 48, null],
        { priority: [null, null, null, 2, 3, null, 1], minWidths: [8, null, 14, null, null, 20, 16] },
      ),
    ),
  );

  // Spans are detail; the section appears only when a run recorded some.
  const spans = ofType<SpanPayload>(report.records, 'span').map(({ stage, p }) => [
    stage,
    safe(p.span_name),
    paintStatus(c, p.status),
    formatDuration(durationBetween(p.started_at, p.ended_at)),
  ]);
  if (spans.length) parts.push(section(c, 'Spans', table(['STAGE', 'NAME', 'STATUS', 'DURATION'], spans, undefined, { minWidths: [8, 12, null, null] })));

  if (report.unreadable.length) parts.push(report.unreadable.map((u) => clipLine(unreadableLine(c, u), opts.width)).join('\n'));
  return parts.join('\n\n');
}
