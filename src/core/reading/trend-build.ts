/**
 * `contexta trend`: one series over a project's runs, oldest first, with the
 * learned baseline at each point and the points diagnosis flagged.
 *
 * Naming a series: the metric key exactly as recorded (keys contain dots, e.g.
 * `train.loss`, so there is no `stage.key` form), with `--stage` to say which stage
 * when several record the same key. With `--duration`, the stage's duration.
 */
import type { Band, BaselinePolicy } from '../diagnosis/baseline';
import { ContextaError } from '../errors';
import type { RunReader } from './run-reader';
import { loadProjectHistory, pickProject } from './history';
import type { DiagnoseSettings } from './diagnoser';
import { buildSeries, currentBaseline, type BaselineView, type SeriesKey, type TrendPoint } from './series';
import type { Workspace } from '../storage/workspace';

export interface TrendRequest {
  project?: string;
  /** Metric key (metric series). */
  metric?: string;
  stage?: string;
  duration?: boolean;
  /** How many of the newest points to show (baselines still use the whole history). */
  last: number;
}

export interface TrendReport {
  project: string;
  series: SeriesKey & { label: string; unit: string | null };
  /** The policy diagnosis judges this series under (DURATION_POLICY for durations, tuned by contexta.yml). */
  policy: BaselinePolicy;
  /** False when contexta.yml turns anomaly detection off for this series (no baselines, no flags). */
  anomaly_enabled: boolean;
  /** Oldest first; at most `last` of them. */
  points: TrendPoint[];
  /** Points the series has in all, before --last. */
  total_points: number;
  /** The baseline the next run will be judged against (null while learning). */
  baseline: (BaselineView & { runs: string[]; warn: Band; error: Band }) | null;
  /** Runs that may teach the baseline so far, and how many it needs (null once learned, or when turned off). */
  learning: { have: number; need: number } | null;
  /** Runs left out because their run.json cannot be read (`diagnose` says why). */
  unreadable_runs: string[];
}

export function buildTrendReport(ws: Workspace, req: TrendRequest, reader?: RunReader, settings: DiagnoseSettings = {}): TrendReport {
  const project = pickProject(ws, req.project);
  const history = loadProjectHistory(ws, project, reader, settings);
  const key = resolveSeries(history.samples, req, project);
  const all = buildSeries(history.samples, key);
  const current = currentBaseline(history.next, key);
  const label = key.kind === 'duration' ? `${key.stage} duration` : key.metric_key;
  return {
    project,
    series: { ...key, label, unit: key.kind === 'duration' ? 'ms' : null },
    policy: { ...current.policy },
    anomaly_enabled: current.enabled,
    points: all.slice(-req.last),
    total_points: all.length,
    baseline: current.baseline && current.warn && current.error ? { ...current.baseline, warn: current.warn, error: current.error } : null,
    learning: current.baseline || !current.enabled ? null : { have: current.have, need: current.policy.min_history },
    unreadable_runs: [...new Set(history.unreadable_issues.map((i) => i.run_ref))],
  };
}

type Samples = Parameters<typeof buildSeries>[0];

function resolveSeries(samples: Samples, req: TrendRequest, project: string): SeriesKey {
  if (req.duration) {
    const stage = req.stage ?? req.metric;
    if (!stage) throw new ContextaError('usage', 'trend --duration needs a stage: contexta trend <stage> --duration');
    if (req.stage && req.metric && req.stage !== req.metric) {
      throw new ContextaError('usage', `with --duration, name the stage once (got ${JSON.stringify(req.metric)} and --stage ${req.stage})`);
    }
    const stages = new Set(samples.flatMap((s) => Object.keys(s.durations)));
    if (!stages.has(stage)) {
      throw new ContextaError('workspace', `no stage ${JSON.stringify(stage)} in project ${project}${list('stages', stages)}`, { stage });
    }
    return { kind: 'duration', stage };
  }
  if (!req.metric) throw new ContextaError('usage', 'name a metric: contexta trend <metric> [--stage S] (or a stage with --duration)');
  const metric = req.metric;
  const stages = new Set<string>();
  for (const s of samples) for (const [stage, values] of Object.entries(s.metrics)) if (metric in values) stages.add(stage);
  if (req.stage !== undefined) {
    if (!stages.has(req.stage)) {
      const inStage = new Set(samples.flatMap((s) => Object.keys(s.metrics[req.stage!] ?? {})));
      const where = stages.size ? ` (recorded in stage${stages.size > 1 ? 's' : ''} ${[...stages].map(stageName).join(', ')})` : list('metrics in that stage', inStage);
      throw new ContextaError('workspace', `no metric ${JSON.stringify(metric)} in stage ${req.stage} of project ${project}${where}`, { metric, stage: req.stage });
    }
    return { kind: 'metric', stage: req.stage, metric_key: metric };
  }
  if (stages.size === 1) {
    const [stage] = stages;
    return { kind: 'metric', stage: stage === '' ? null : stage, metric_key: metric };
  }
  if (stages.size > 1) {
    const names = [...stages].sort();
    throw new ContextaError('usage', `metric ${JSON.stringify(metric)} is recorded in several stages; pick one with --stage (one of: ${names.map(stageName).join(', ')})`, {
      metric,
      stages: names,
    });
  }
  const known = new Set(samples.flatMap((s) => Object.values(s.metrics).flatMap((v) => Object.keys(v))));
  throw new ContextaError('workspace', `no metric ${JSON.stringify(metric)} in project ${project}${list('metrics', known)}`, { metric });
}

const stageName = (stage: string) => (stage === '' ? '(no stage)' : stage);

function list(what: string, names: Set<string>): string {
  if (!names.size) return '';
  const sorted = [...names].sort();
  const shown = sorted.slice(0, 12).join(', ');
  return ` (${what}: ${shown}${sorted.length > 12 ? `, … ${sorted.length - 12} more` : ''})`;
}
