/** Result rows, the stdout table and bench/.data/results.json. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DATA } from './measure';

export interface Target {
  /** What the target applies to: the ratio column or the value column. */
  on: 'ratio' | 'value';
  op: '<=' | '>=';
  limit: number;
}

export interface Row {
  section: string;
  figure: string;
  value: number | null;
  unit: string;
  /** Text shown instead of the value (e.g. "> 150 s (timeout)"). */
  valueText?: string;
  baseline?: { label: string; value: number; unit: string };
  ratio?: number;
  ratioLabel?: string;
  target?: Target;
  pass?: boolean;
  samples?: number[];
}

export class Report {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];
  readonly fixtures: Record<string, unknown> = {};
  readonly checks: { check: string; ok: boolean; detail: string }[] = [];

  add(row: Row): Row {
    if (row.target) {
      const x = row.target.on === 'ratio' ? row.ratio : row.value;
      row.pass = x !== undefined && x !== null && Number.isFinite(x) ? (row.target.op === '<=' ? x <= row.target.limit : x >= row.target.limit) : false;
    }
    this.rows.push(row);
    return row;
  }

  note(text: string): void {
    this.notes.push(text);
    process.stderr.write(`  note: ${text}\n`);
  }

  check(check: string, ok: boolean, detail: string): void {
    this.checks.push({ check, ok, detail });
    process.stderr.write(`  check ${ok ? 'ok' : 'FAILED'}: ${check} (${detail})\n`);
  }
}

export function fmt(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const text = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${text} ${unit}` : text;
}

function targetText(row: Row): string {
  if (!row.target) return '';
  const suffix = row.target.on === 'ratio' ? '×' : ` ${row.unit}`;
  return `${row.target.on === 'ratio' ? 'ratio ' : ''}${row.target.op === '<=' ? '≤' : '≥'} ${fmt(row.target.limit)}${suffix}`;
}

export function renderTable(report: Report): string {
  const header = ['Figure', 'Value', 'Baseline (same run)', 'Ratio', 'Target', 'Result'];
  const lines: string[] = [];
  let section = '';
  const body: (string[] | string)[] = [];
  for (const row of report.rows) {
    if (row.section !== section) {
      section = row.section;
      body.push(section);
    }
    body.push([
      row.figure,
      row.valueText ?? fmt(row.value, row.unit),
      row.baseline ? `${row.baseline.label}: ${fmt(row.baseline.value, row.baseline.unit)}` : '',
      row.ratio !== undefined ? `${fmt(row.ratio)}×${row.ratioLabel ? ` ${row.ratioLabel}` : ''}` : '',
      targetText(row),
      row.pass === undefined ? '' : row.pass ? 'PASS' : 'MISS',
    ]);
  }
  const cells = body.filter((b): b is string[] => Array.isArray(b));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join(' | ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  lines.push(line(header), rule);
  for (const b of body) lines.push(Array.isArray(b) ? line(b) : `[${b}]`);
  return `${lines.join('\n')}\n`;
}

export function writeResults(report: Report, config: Record<string, unknown>, startedAt: Date): string {
  const file = path.join(DATA, 'results.json');
  fs.mkdirSync(DATA, { recursive: true });
  const doc = {
    started_at: startedAt.toISOString(),
    duration_s: (Date.now() - startedAt.getTime()) / 1000,
    machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? '', total_mem_mb: Math.round(os.totalmem() / 2 ** 20), node: process.version, platform: `${os.platform()} ${os.release()}` },
    config,
    rows: report.rows,
    checks: report.checks,
    fixtures: report.fixtures,
    notes: report.notes,
  };
  fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}
