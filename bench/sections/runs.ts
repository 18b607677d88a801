/**
 * 4. `contexta runs --json` over workspaces of many small runs (one project,
 * 5 stages and ~10 records each), at several sizes to show growth; a first
 * call on the freshly written workspace and a second on the unchanged one.
 * Baseline: reading every file of the workspace (`find -type f -exec cat`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../lib/config';
import { manyRunsWorkspace } from '../lib/fixtures';
import { BENCH_CACHE_DIR, BENCH_ENV, contexta, CLI, DATA, NODE, timeOnce, type Timing } from '../lib/measure';
import { fmt, type Report } from '../lib/report';
import type { StartupMedians } from './startup';

/** Issue #12: `runs` and `diagnose --latest` over 10,000 runs in at most 0.5 s with the read cache warm. */
const WARM_TARGET_RUNS = 10_000;
const WARM_TARGET_MS = 500;

export function benchRuns(cfg: Config, report: Report, startup: StartupMedians): void {
  const perRun: { runs: number; msPerRun: number }[] = [];
  const fixtures: Record<string, unknown>[] = [];
  dropStaleRuns(cfg.runsSizes);
  for (const runs of cfg.runsSizes) {
    const fx = manyRunsWorkspace(runs, cfg.runsRecordsPerRun);
    fixtures.push({ runs, workspace: fx.dir, bytes: fx.bytes, generated_ms: fx.generatedMs });
    const section = `4. runs --json, ${fmt(runs)} runs x 5 stages x ${cfg.runsRecordsPerRun} records (${fmt(fx.bytes / 2 ** 20)} MiB)`;
    const readAll = timeOnce({ file: 'bash', args: ['-c', 'find "$0" -type f -exec cat {} + > /dev/null', fx.dir] });
    // The floor of any reader that checks every file's freshness from Node: Node's start-up, then one lstat per entry.
    const lstatMs = Number(timeOnce({ file: NODE, args: ['-e', STAT_EVERY_ENTRY, fx.dir] }).stderr);
    const floorMs = startup.nodeMs + lstatMs;
    const cmd = contexta(['--workspace', fx.dir, 'runs', '--json'], { timeoutMs: cfg.runsTimeoutMs });
    // A cold cache, and files settled for 2 s: contexta does not cache files changed within that window.
    fs.rmSync(BENCH_CACHE_DIR, { recursive: true, force: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100);
    const first = timeOnce(cmd);
    const net = first.ms - startup.versionMs;
    report.add({
      section,
      figure: 'first call',
      value: first.timedOut ? null : first.ms,
      valueText: first.timedOut ? `> ${fmt(cfg.runsTimeoutMs / 1000)} s (killed)` : undefined,
      unit: 'ms',
      baseline: { label: 'find|cat all files', value: readAll.ms, unit: 'ms' },
      ratio: first.timedOut ? undefined : first.ms / readAll.ms,
      ratioLabel: 'runs/read-all',
    });
    if (!first.timedOut) {
      report.add({ section, figure: 'first call per run (net of start-up)', value: net / runs, unit: 'ms/run' });
      perRun.push({ runs, msPerRun: net / runs });
    } else {
      report.note(`runs --json over ${runs} runs did not finish within ${cfg.runsTimeoutMs / 1000} s and was killed`);
    }
    report.add({ section, figure: 'node: lstatSync of every entry, in process', value: lstatMs, unit: 'ms' });
    report.add({ section, figure: 'the freshness floor: node -e 0 + those lstats', value: floorMs, unit: 'ms', baseline: { label: 'node -e 0', value: startup.nodeMs, unit: 'ms' } });
    let second: Timing | null = null;
    if (first.timedOut || first.ms > cfg.runsSecondCallBudgetMs) {
      report.note(`second runs --json call over ${runs} runs skipped: the first took ${fmt(first.ms / 1000)} s (budget ${cfg.runsSecondCallBudgetMs / 1000} s; it would be measured again when faster)`);
      report.add({ section, figure: 'second call (unchanged workspace, warm cache)', value: null, valueText: 'skipped (see notes)', unit: 'ms' });
    } else {
      second = timeOnce(cmd);
      report.add({
        section,
        figure: 'second call (unchanged workspace, warm cache)',
        value: second.timedOut ? null : second.ms,
        valueText: second.timedOut ? `> ${fmt(cfg.runsTimeoutMs / 1000)} s (killed)` : undefined,
        unit: 'ms',
        baseline: { label: 'lstat floor', value: floorMs, unit: 'ms' },
        ratio: second.timedOut ? undefined : second.ms / floorMs,
        ratioLabel: 'second/floor',
        target: runs >= WARM_TARGET_RUNS ? { on: 'value', op: '<=', limit: WARM_TARGET_MS } : undefined,
      });
      if (!second.timedOut) report.add({ section, figure: 'second call per run (net of start-up)', value: (second.ms - startup.versionMs) / runs, unit: 'ms/run' });
    }
    /** One `diagnose` call over the workspace, as a figure against `baseline`. */
    const diagnoseFigure = (figure: string, selection: string, cache: 'warm' | 'off', baseline: { label: string; ms: number }, ratioLabel: string, target = false) => {
      const t = timeOnce(
        contexta(['--workspace', fx.dir, 'diagnose', selection, '--json'], {
          ok: [0, 1],
          timeoutMs: cfg.runsTimeoutMs,
          env: cache === 'off' ? { ...BENCH_ENV, CONTEXTA_CACHE: 'off' } : undefined,
        }),
      );
      report.add({
        section,
        figure,
        value: t.timedOut ? null : t.ms,
        unit: 'ms',
        baseline: { label: baseline.label, value: baseline.ms, unit: 'ms' },
        ratio: t.timedOut ? undefined : t.ms / baseline.ms,
        ratioLabel,
        target: target && runs >= WARM_TARGET_RUNS ? { on: 'value', op: '<=', limit: WARM_TARGET_MS } : undefined,
      });
    };
    const versionBaseline = { label: 'contexta --version', ms: startup.versionMs };
    // The CI gate with the read cache warm (the runs calls above filled it).
    if (!first.timedOut) diagnoseFigure('diagnose --latest --json (warm cache)', '--latest', 'warm', versionBaseline, 'latest/start-up', true);
    // diagnose --all walks the same runs; uncached, so a quadratic step would show here.
    diagnoseFigure('diagnose --all --json (cache off)', '--all', 'off', { label: 'runs first call', ms: first.ms }, 'diagnose/runs');
    // The CI gate: only the newest run, judged against the 21 before it (learned baselines).
    diagnoseFigure('diagnose --latest --json (cache off)', '--latest', 'off', versionBaseline, 'latest/start-up');
    if (runs === cfg.runsSizes[0]) checkListing(report, fx.dir, runs);
  }
  report.fixtures.runs = fixtures;
  if (perRun.length >= 2) {
    const a = perRun[0];
    const b = perRun[perRun.length - 1];
    report.add({
      section: '4. runs --json growth',
      figure: `time per run, ${fmt(b.runs)} vs ${fmt(a.runs)} runs`,
      value: b.msPerRun,
      unit: 'ms/run',
      baseline: { label: `${fmt(a.runs)} runs`, value: a.msPerRun, unit: 'ms/run' },
      ratio: b.msPerRun / a.msPerRun,
      ratioLabel: '(1 = linear)',
    });
  }
}

/** The listing must hold every run, and the generated degraded records must show in the issue counts. */
function checkListing(report: Report, dir: string, runs: number): void {
  const res = spawnSync(NODE, [CLI, '--workspace', dir, 'runs', '--json'], { env: BENCH_ENV, maxBuffer: 1 << 30 });
  try {
    const doc = JSON.parse(res.stdout.toString('utf8')) as { runs: { issue_counts: { error: number; warning: number } }[] };
    const flagged = doc.runs.filter((r) => r.issue_counts.error + r.issue_counts.warning > 0).length;
    report.check(`runs --json lists all ${runs} runs with issue counts`, doc.runs.length === runs && flagged > 0, `${doc.runs.length} runs, ${flagged} with errors or warnings`);
  } catch (err) {
    report.check('runs --json output parses', false, `exit ${res.status}: ${(err as Error).message.slice(0, 300)}`);
  }
}

/**
 * Lists the tree under argv[1] (not timed), then lstats every entry once and prints the
 * ms that took on stderr: what checking each file's stamp costs in Node, at least.
 */
const STAT_EVERY_ENTRY = `
const fs = require('fs');
const all = [];
const walk = (dir) => { for (const e of fs.readdirSync(dir, { withFileTypes: true })) { const p = dir + '/' + e.name; all.push(p); if (e.isDirectory()) walk(p); } };
walk(process.argv[1]);
const t0 = process.hrtime.bigint();
for (const p of all) fs.lstatSync(p);
process.stderr.write(String(Number(process.hrtime.bigint() - t0) / 1e6));`;

/** Workspaces of sizes not measured this time are removed (each is rebuilt when measured). */
function dropStaleRuns(sizes: number[]): void {
  const keep = new Set(sizes.map((n) => `runs-${n}`));
  for (const name of fs.readdirSync(DATA)) {
    if (/^runs-\d+$/.test(name) && !keep.has(name)) fs.rmSync(path.join(DATA, name), { recursive: true, force: true });
  }
}
