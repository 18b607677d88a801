/**
 * `contexta compare` as text: one table (a row per stage × metric, the stage's two statuses
 * on its first row), then the issues only one run has, what only one run recorded, and the
 * gate's verdict per watched metric. Same CompareReport as `compare --json`.
 */
import type { ChalkInstance } from 'chalk';
import type { Issue } from '../core/model';
import type { CompareReport, CompareRunSide, GateCheck, MetricDiff, StageDiff } from '../core/reading/compare';
import { formatTime, heading, makeChalk, NONE, paintSeverity, paintStatus, renderTable, safe, type RenderOptions } from './style';

const RUN_LEVEL = '(run)';

/** Up to 6 significant digits, no float noise; `—` when absent. */
export function formatValue(value: number | null): string {
  if (value === null) return NONE;
  return String(Number(value.toPrecision(6)));
}

/** `+1.5`, `-0.79`, `0`. */
export function formatDiff(value: number | null): string {
  if (value === null) return NONE;
  const text = formatValue(value);
  return value > 0 ? `+${text}` : text;
}

/** `+12.5%`, `-86.8%`, `0.0%`; `—` when undefined (from 0, or a missing side). */
export function formatRelative(value: number | null): string {
  if (value === null) return NONE;
  const pct = (value * 100).toFixed(1);
  return value > 0 ? `+${pct}%` : pct === '-0.0' ? '0.0%' : `${pct}%`;
}

const stageLabel = (stage: string | null) => safe(stage ?? RUN_LEVEL);

function sideLine(c: ChalkInstance, label: string, side: CompareRunSide): string {
  return `  ${label}  ${c.bold(safe(side.run_ref))}  ${paintStatus(c, side.status)}  ${formatTime(side.started_at)}`;
}

function metricCell(c: ChalkInstance, m: MetricDiff): string {
  return m.present_in === 'both' ? safe(m.key) : `${safe(m.key)} ${c.dim(`(only ${m.present_in})`)}`;
}

function stageRows(c: ChalkInstance, s: StageDiff): string[][] {
  const status = (v: string | null, present: boolean) => (present ? paintStatus(c, v) : c.dim('absent'));
  const first = [
    s.present_in === 'both' ? stageLabel(s.stage) : `${stageLabel(s.stage)} ${c.dim(`(only ${s.present_in})`)}`,
    s.stage === null ? NONE : status(s.status_a, s.present_in !== 'b'),
    s.stage === null ? NONE : status(s.status_b, s.present_in !== 'a'),
  ];
  if (!s.metrics.length) return [[...first, c.dim('(no metrics)'), NONE, NONE, NONE, NONE]];
  return s.metrics.map((m, i) => [
    ...(i === 0 ? first : ['', '', '']),
    metricCell(c, m),
    formatValue(m.a),
    formatValue(m.b),
    formatDiff(m.diff),
    formatRelative(m.relative),
  ]);
}

function issueLines(c: ChalkInstance, title: string, stages: StageDiff[], pick: (s: StageDiff) => Issue[]): string[] {
  const rows = stages.flatMap((s) => pick(s).map((i) => ({ stage: s.stage, i })));
  if (!rows.length) return [`${heading(c, title)}  ${c.dim('(none)')}`];
  return [
    heading(c, title),
    ...rows.map(
      ({ stage, i }) =>
        `  ${stageLabel(stage)}  ${paintSeverity(c, i.severity, i.severity.toUpperCase())}  ${safe(i.code)}  ${safe(i.summary)}`,
    ),
  ];
}

function onlyLine(c: ChalkInstance, side: 'a' | 'b', only: CompareReport['only_in_a']): string | null {
  const bits: string[] = [];
  if (only.stages.length) bits.push(`stages ${only.stages.map(safe).join(', ')}`);
  if (only.metrics.length) bits.push(`metrics ${only.metrics.map((m) => `${stageLabel(m.stage)}/${safe(m.key)}`).join(', ')}`);
  return bits.length ? `${heading(c, `Only in ${side}:`)} ${bits.join('; ')}` : null;
}

function gateLines(c: ChalkInstance, gate: NonNullable<CompareReport['gate']>): string[] {
  const pct = `${Number((gate.threshold * 100).toPrecision(6))}%`;
  const line = (k: GateCheck) => {
    const name = `${k.stage === '' ? '' : safe(k.stage)}.${safe(k.key)}`;
    const verdict = k.regressed ? c.red.bold('REGRESSED') : c.green('ok');
    const why = k.reason === 'missing_in_a' || k.reason === 'missing_in_b' ? `  ${c.dim(k.reason.replace(/_/g, ' '))}` : '';
    return `  ${name} (${k.direction} is better)  ${formatValue(k.a)} → ${formatValue(k.b)}  ${formatRelative(k.relative)}  ${verdict}${why}`;
  };
  const bad = gate.checks.filter((k) => k.regressed).length;
  const missing = gate.checks.some((k) => k.regressed && k.reason.startsWith('missing_'));
  const n = gate.checks.length;
  return [
    heading(c, `Gate --fail-on-regression ${pct}:`),
    ...gate.checks.map(line),
    gate.regressed
      ? `${c.red.bold('REGRESSED')}: ${bad} of ${n} watched metric${n === 1 ? '' : 's'} ${missing ? `worse by more than ${pct} or missing from a run` : `got worse by more than ${pct}`}`
      : `${c.green('no regression')}: ${n} watched metric${n === 1 ? '' : 's'} within ${pct}`,
  ];
}

export function renderCompare(report: CompareReport, opts: RenderOptions): string {
  const c = makeChalk(opts.color);
  const out: string[] = [
    heading(c, 'compare (differences are b − a)'),
    sideLine(c, 'a', report.run_a),
    sideLine(c, 'b', report.run_b),
    '',
  ];
  if (report.stages.length) {
    out.push(
      renderTable(c, opts.color, {
        head: ['STAGE', 'A', 'B', 'METRIC', 'A', 'B', 'DIFF', 'REL'],
        rows: report.stages.flatMap((s) => stageRows(c, s)),
      }),
    );
  } else {
    out.push(c.dim('(neither run has stages or metrics)'));
  }
  out.push('', ...issueLines(c, 'Issues only in a:', report.stages, (s) => s.issues_only_in_a));
  out.push(...issueLines(c, 'Issues only in b:', report.stages, (s) => s.issues_only_in_b));
  const onlyA = onlyLine(c, 'a', report.only_in_a);
  const onlyB = onlyLine(c, 'b', report.only_in_b);
  if (onlyA || onlyB) out.push('', ...[onlyA, onlyB].filter((l): l is string => l !== null));
  if (report.gate) out.push('', ...gateLines(c, report.gate));
  return out.join('\n');
}
