/**
 * `npm run bench`: measures the built CLI (dist/contexta.cjs via bin/contexta)
 * against baselines taken in the same run, prints one table on stdout and
 * writes bench/.data/results.json. It measures, it does not gate: exit 0
 * whatever the figures (a section that breaks is reported and the rest run).
 *
 *   BENCH_QUICK=1          ~1 minute run with smaller sizes
 *   BENCH_RECORDS=N        records in the diagnose run (default 500000; quick 100000)
 *   BENCH_IMPORT_RECORDS=N records imported (default 200000; quick 50000)
 *   BENCH_PAIRS=N          start-up rounds (default 30; quick 8)
 *   BENCH_RUNS_SIZES=a,b,c workspace sizes for `runs` (default 1000,3000,10000; quick 300,1000,3000)
 *   BENCH_REPORT_RUNS=N   runs in the report workspace (default 1000)
 *   BENCH_FUZZ_LINES=N     lines in the fast-path fuzz check (default 1000000; quick 100000)
 *   BENCH_ONLY=1,3         run only these sections (5: report, 6: exec overhead per wrapped stage, 7: fast-path fuzz) (start-up always runs: the others subtract it)
 *
 * Progress and notes go to stderr; stdout carries only the table.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { loadConfig } from './lib/config';
import { CLI, DATA } from './lib/measure';
import { renderTable, Report, writeResults } from './lib/report';
import { benchDiagnose } from './sections/diagnose';
import { benchFuzz } from './sections/fuzz';
import { benchImport } from './sections/import';
import { benchReport } from './sections/report';
import { benchRuns } from './sections/runs';
import { benchStartup } from './sections/startup';
import { benchExec } from './sections/exec';

async function main(): Promise<void> {
  const startedAt = new Date();
  const cfg = loadConfig();
  const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null;
  const wanted = (n: string) => !only || only.has(n);
  fs.mkdirSync(DATA, { recursive: true });
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} not found: run npm run bench (it builds first)`);
  const report = new Report();
  const t0 = performance.now();
  const step = (name: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1)} s] ${name}\n`);
  const loadBefore = os.loadavg()[0];
  process.stderr.write(`contexta bench${cfg.quick ? ' (BENCH_QUICK=1)' : ''}: ${os.cpus().length} cpus, node ${process.version}, load ${loadBefore.toFixed(2)}\n`);
  if (loadBefore > os.cpus().length / 2) report.note(`the machine was busy when the bench started (1-min load average ${loadBefore.toFixed(2)} on ${os.cpus().length} cpus): figures are noisier than on an idle machine`);

  step('1. start-up');
  const startup = benchStartup(cfg, report);
  const sections: [string, string, () => void | Promise<void>][] = [
    ['2', 'import', () => benchImport(cfg, report, startup)],
    ['3', 'diagnose', () => benchDiagnose(cfg, report, startup)],
    ['4', 'runs', () => benchRuns(cfg, report, startup)],
    ['5', 'report', () => benchReport(cfg, report, startup)],
    ['6', 'exec', () => benchExec(cfg, report, startup)],
    ['7', 'fast-path fuzz', () => benchFuzz(cfg, report)],
  ];
  for (const [n, name, run] of sections) {
    if (!wanted(n)) continue;
    step(`${n}. ${name}`);
    try {
      await run();
    } catch (err) {
      report.note(`section ${n} (${name}) failed: ${(err as Error).message.split('\n').slice(0, 6).join(' | ')}`);
      report.check(`section ${n} (${name}) completed`, false, (err as Error).message.slice(0, 500));
    }
  }
  step('done');

  const file = writeResults(report, { ...cfg, load_average_1m: { start: loadBefore, end: os.loadavg()[0] } }, startedAt);
  const out: string[] = [];
  const load = `load ${loadBefore.toFixed(2)} → ${os.loadavg()[0].toFixed(2)}`;
  out.push(`contexta bench — ${startedAt.toISOString()} — ${os.cpus().length} cpus, node ${process.version}, ${load}${cfg.quick ? ', BENCH_QUICK=1' : ''}`);
  out.push('Times are wall-clock medians of whole processes (stdout to /dev/null); "net" subtracts the median `contexta --version`.');
  out.push('');
  out.push(renderTable(report));
  const failed = report.checks.filter((c) => !c.ok);
  out.push(`Checks: ${report.checks.length - failed.length}/${report.checks.length} ok${failed.map((c) => `\n  FAILED ${c.check}: ${c.detail}`).join('')}`);
  if (report.notes.length) out.push(`Notes:\n${report.notes.map((n) => `  - ${n}`).join('\n')}`);
  const targets = report.rows.filter((r) => r.pass !== undefined);
  out.push(`Targets: ${targets.filter((r) => r.pass).length}/${targets.length} met.  Total ${((performance.now() - t0) / 1000).toFixed(0)} s.  Results: ${file}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 0; // measures, never gates
});
