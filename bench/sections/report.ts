/**
 * 5. `contexta report -o report.html` over 1,000 runs x 5 stages (the `runs`
 * fixture pattern, in its own directory): wall time and the size of the HTML
 * file, against `diagnose --all --json` over the same workspace (the report
 * diagnoses every run too). The read cache is off: every run's log is scanned.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../lib/config';
import { writeManyRuns } from '../lib/gen';
import { BENCH_ENV, contexta, DATA, median, repeat } from '../lib/measure';
import { fmt, type Report } from '../lib/report';
import type { StartupMedians } from './startup';

export const REPORT_RUNS = 1000;

export function benchReport(cfg: Config, report: Report, startup: StartupMedians): void {
  const runs = Number(process.env.BENCH_REPORT_RUNS ?? REPORT_RUNS);
  const dir = path.join(DATA, `report-${runs}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  writeManyRuns(dir, 'bench-report', runs, cfg.runsRecordsPerRun);
  report.fixtures.report = { workspace: dir, runs, records_per_run: cfg.runsRecordsPerRun, generated_ms: performance.now() - t0 };
  const out = path.join(DATA, 'report.html');
  const env = { ...BENCH_ENV, CONTEXTA_CACHE: 'off' };
  const section = `5. report -o report.html, ${fmt(runs)} runs x 5 stages x ${cfg.runsRecordsPerRun} records`;
  const reps = cfg.quick ? 1 : 3;
  const reportMs = repeat(contexta(['--workspace', dir, 'report', '-o', out], { env }), reps).map((t) => t.ms);
  const diagnoseMs = repeat(contexta(['--workspace', dir, 'diagnose', '--all', '--json', '--fail-on', 'never'], { env }), reps).map((t) => t.ms);
  const bytes = fs.statSync(out).size;
  const html = fs.readFileSync(out, 'utf8');
  const rows = html.match(/<tr><th scope="row"/g)?.length ?? 0;
  const sparklines = html.match(/<svg class="spark"/g)?.length ?? 0;
  report.check('report has one matrix row per run and a sparkline per series', rows === runs && sparklines > 0, `${rows} rows, ${sparklines} sparklines`);
  report.add({
    section,
    figure: 'report, whole process',
    value: median(reportMs),
    unit: 'ms',
    samples: reportMs,
    baseline: { label: 'diagnose --all --json', value: median(diagnoseMs), unit: 'ms' },
    ratio: median(reportMs) / median(diagnoseMs),
    ratioLabel: 'report/diagnose',
    target: { on: 'value', op: '<=', limit: 10_000 },
  });
  report.add({ section, figure: 'report net of start-up, per run', value: (median(reportMs) - startup.versionMs) / runs, unit: 'ms/run' });
  report.add({ section, figure: 'report file size', value: bytes / 2 ** 20, unit: 'MiB', target: { on: 'value', op: '<=', limit: 5 } });
  report.note(`report: ${fmt(sparklines)} sparklines, ${fmt(bytes / runs)} bytes per run`);
}
