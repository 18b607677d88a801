/**
 * `contexta compare <run-a> <run-b>`: what changed between two runs, stage by stage, and
 * the regression gate over chosen metrics. Run a is the reference (last night), run b the
 * run under test (tonight): differences are b − a.
 *
 * Issues come from the same diagnosis `diagnose` runs (with each run's own history), so
 * compare never disagrees with the gate. compareRuns is pure; buildCompareReport reads.
 */
import type { Issue, RecordSummary } from '../model';
import type { FailOn } from '../../schema/enums';
import type { StageExecution } from '../../schema/entities';
import type { RunId, RunMeta } from './catalog';
import { diskReader, type RunReader } from './run-reader';
import { buildDiagnoseReport } from './reports-build';
import type { Workspace } from '../storage/workspace';

export type Side = 'a' | 'b';
export type Presence = 'both' | Side;
export type MetricDirection = 'higher' | 'lower';

/** A metric the gate watches: `stage` '' for run-level metrics. */
export interface GatedMetric {
  stage: string;
  key: string;
  direction: MetricDirection;
}

export interface GateSpec {
  /** Largest tolerated worsening, as a fraction (2% → 0.02). */
  threshold: number;
  metrics: GatedMetric[];
}

export interface MetricDiff {
  key: string;
  present_in: Presence;
  a: number | null;
  b: number | null;
  /** b − a (null unless both runs have the metric). */
  diff: number | null;
  /** (b − a) / |a|; null when a is 0 (and b is not) or either is missing. */
  relative: number | null;
}

export interface StageDiff {
  /** Stage name; null for what belongs to the run as a whole (run-level metrics and issues). */
  stage: string | null;
  present_in: Presence;
  status_a: StageExecution['status'] | null;
  status_b: StageExecution['status'] | null;
  metrics: MetricDiff[];
  issues_only_in_a: Issue[];
  issues_only_in_b: Issue[];
}

export interface GateCheck extends GatedMetric {
  a: number | null;
  b: number | null;
  relative: number | null;
  regressed: boolean;
  /** Why: `worse_by_more_than_threshold`, `within_threshold`, `improved_or_equal`, `missing_in_a`, `missing_in_b`. */
  reason: string;
}

export interface CompareRunSide {
  run_ref: string;
  project: string;
  name: string;
  status: string | null;
  started_at: string | null;
}

export interface CompareReport {
  run_a: CompareRunSide;
  run_b: CompareRunSide;
  stages: StageDiff[];
  only_in_a: { stages: string[]; metrics: { stage: string | null; key: string }[] };
  only_in_b: { stages: string[]; metrics: { stage: string | null; key: string }[] };
  /** null when no gate was asked for. */
  gate: { threshold: number; checks: GateCheck[]; regressed: boolean } | null;
}

/** What compareRuns needs to know about one run. */
export interface RunSideFacts {
  side: CompareRunSide;
  stages: StageExecution[];
  metrics: RecordSummary['metrics'];
  issues: Issue[];
}

/** Floating-point slack so that "exactly 2%" is within a 2% threshold. */
const EPSILON = 1e-9;

export function relativeChange(a: number, b: number): number | null {
  if (a === b) return 0;
  if (a === 0) return null;
  return (b - a) / Math.abs(a);
}

/**
 * An issue's identity across runs: code, stage and what it is about (issue, event or
 * metric key), never refs or values that name the run itself.
 */
function issueKey(issue: Issue, side: CompareRunSide): string {
  const d = issue.details ?? {};
  const topic = [d.issue_key, d.event_key, d.metric_key, d.metric, d.key].find((v) => typeof v === 'string');
  const summary = issue.summary.split(`${side.project}.${side.name}`).join('<run>').split(side.name).join('<run>');
  return `${issue.code}\u0000${issue.stage ?? ''}\u0000${topic ?? summary}`;
}

/** Issues of `mine` with no counterpart in `theirs` (multiset difference: two warnings vs one leaves one). */
function unmatched(mine: Issue[], mySide: CompareRunSide, theirs: Issue[], theirSide: CompareRunSide): Issue[] {
  const pool = new Map<string, number>();
  for (const issue of theirs) {
    const k = issueKey(issue, theirSide);
    pool.set(k, (pool.get(k) ?? 0) + 1);
  }
  return mine.filter((issue) => {
    const k = issueKey(issue, mySide);
    const left = pool.get(k) ?? 0;
    if (left > 0) pool.set(k, left - 1);
    return left === 0;
  });
}

const presence = (inA: boolean, inB: boolean): Presence => (inA && inB ? 'both' : inA ? 'a' : 'b');

function metricDiffs(a: Record<string, number> | undefined, b: Record<string, number> | undefined): MetricDiff[] {
  const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
  return keys.map((key) => {
    const va = a && key in a ? a[key] : null;
    const vb = b && key in b ? b[key] : null;
    const both = va !== null && vb !== null;
    return {
      key,
      present_in: presence(va !== null, vb !== null),
      a: va,
      b: vb,
      diff: both ? vb - va : null,
      relative: both ? relativeChange(va, vb) : null,
    };
  });
}

export function judgeMetric(metric: GatedMetric, a: number | null, b: number | null, threshold: number): GateCheck {
  const base = { ...metric, a, b, relative: a !== null && b !== null ? relativeChange(a, b) : null };
  if (a === null) return { ...base, regressed: true, reason: 'missing_in_a' };
  if (b === null) return { ...base, regressed: true, reason: 'missing_in_b' };
  const worsening = metric.direction === 'higher' ? a - b : b - a;
  if (worsening <= 0) return { ...base, regressed: false, reason: 'improved_or_equal' };
  // From 0, any worsening is an infinite relative change.
  const regressed = a === 0 || worsening / Math.abs(a) > threshold + EPSILON;
  return { ...base, regressed, reason: regressed ? 'worse_by_more_than_threshold' : 'within_threshold' };
}

/** Run a's pipeline order, each stage only run b has placed right after its predecessor in b. */
export function mergeStageOrder(a: string[], b: string[]): string[] {
  const names = [...new Set(a)];
  let after = -1;
  for (const name of b) {
    const at = names.indexOf(name);
    if (at >= 0) {
      after = at;
    } else {
      names.splice(after + 1, 0, name);
      after += 1;
    }
  }
  return names;
}

export function compareRuns(a: RunSideFacts, b: RunSideFacts, gate: GateSpec | null): CompareReport {
  const statusA = new Map(a.stages.map((s) => [s.stage_name, s.status]));
  const statusB = new Map(b.stages.map((s) => [s.stage_name, s.status]));
  const names = mergeStageOrder(a.stages.map((s) => s.stage_name), b.stages.map((s) => s.stage_name));
  for (const issue of [...a.issues, ...b.issues]) {
    if (issue.stage !== null && !names.includes(issue.stage)) names.push(issue.stage);
  }
  for (const stage of [...Object.keys(a.metrics), ...Object.keys(b.metrics)]) {
    if (stage !== '' && !names.includes(stage)) names.push(stage);
  }
  const onlyA = unmatched(a.issues, a.side, b.issues, b.side);
  const onlyB = unmatched(b.issues, b.side, a.issues, a.side);

  const stageDiff = (stage: string | null): StageDiff => {
    const key = stage ?? '';
    const inA = stage === null ? true : statusA.has(stage) || key in a.metrics;
    const inB = stage === null ? true : statusB.has(stage) || key in b.metrics;
    return {
      stage,
      present_in: presence(inA, inB),
      status_a: stage === null ? null : statusA.get(stage) ?? null,
      status_b: stage === null ? null : statusB.get(stage) ?? null,
      metrics: metricDiffs(a.metrics[key], b.metrics[key]),
      issues_only_in_a: onlyA.filter((i) => i.stage === stage),
      issues_only_in_b: onlyB.filter((i) => i.stage === stage),
    };
  };
  const stages = names.map(stageDiff);
  const runLevel = stageDiff(null);
  // The run-level row only when something belongs to it.
  if (runLevel.metrics.length || runLevel.issues_only_in_a.length || runLevel.issues_only_in_b.length) stages.unshift(runLevel);

  const only = (side: Side) => ({
    stages: stages.filter((s) => s.stage !== null && s.present_in === side).map((s) => s.stage as string),
    metrics: stages.flatMap((s) => s.metrics.filter((m) => m.present_in === side).map((m) => ({ stage: s.stage, key: m.key }))),
  });

  let gateResult: CompareReport['gate'] = null;
  if (gate) {
    const checks = gate.metrics.map((m) =>
      judgeMetric(m, a.metrics[m.stage]?.[m.key] ?? null, b.metrics[m.stage]?.[m.key] ?? null, gate.threshold),
    );
    gateResult = { threshold: gate.threshold, checks, regressed: checks.some((c) => c.regressed) };
  }
  return { run_a: a.side, run_b: b.side, stages, only_in_a: only('a'), only_in_b: only('b'), gate: gateResult };
}

/** Metric keys each stage ('' = run level) has in either run: for naming what exists when a gated metric does not. */
export function knownMetrics(a: RunSideFacts, b: RunSideFacts): string[] {
  const all = new Set<string>();
  for (const facts of [a, b]) {
    for (const [stage, metrics] of Object.entries(facts.metrics)) for (const key of Object.keys(metrics)) all.add(`${stage}.${key}`);
  }
  return [...all].sort();
}

function sideOf(meta: RunMeta): CompareRunSide {
  return {
    run_ref: meta.run_ref,
    project: meta.project,
    name: meta.name,
    status: meta.run?.status ?? null,
    started_at: meta.run?.started_at ?? null,
  };
}

/** Reads both runs (metadata, record summaries, diagnosis) for compareRuns. */
export function readCompareFacts(ws: Workspace, a: RunId, b: RunId, reader: RunReader = diskReader(ws)): [RunSideFacts, RunSideFacts] {
  const failOn: FailOn = 'never';
  const same = a.project === b.project && a.name === b.name;
  const diagnosis = buildDiagnoseReport(ws, same ? [a] : [a, b], failOn, reader);
  return [a, b].map((id) => {
    const meta = reader.meta(id);
    return {
      side: sideOf(meta),
      stages: meta.stages,
      metrics: reader.records(meta).metrics,
      issues: diagnosis.issues.filter((i) => i.run_ref === meta.run_ref),
    };
  }) as [RunSideFacts, RunSideFacts];
}
