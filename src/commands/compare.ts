import * as z from 'zod/mini';
import { resolveRun } from '../core/reading/catalog';
import { compareRuns, knownMetrics, readCompareFacts, type GatedMetric, type GateSpec } from '../core/reading/compare';
import { ContextaError, EXIT_CODES } from '../core/errors';
import type { CliContext, RawOptions } from './context';
import { readerFor } from './cache';
import { Name, openForRead, parseOptions, writeJson } from './options';
import { renderOptions, writeText } from './output';

/** `2%`, `0.5%`, `0%`: a percentage, always with its sign so `2` is never read as 200%. */
const PERCENT = /^(\d+(?:\.\d+)?)%$/;
/** `<stage>.<metric key>:higher|lower`; an empty stage (`.rows:lower`) is a run-level metric. */
const METRIC_SPEC = /^([^.:\s]*)\.([^:\s]+):(higher|lower)$/;

export const CompareOptions = z.object({
  runA: z.string(),
  runB: z.string(),
  project: z.optional(Name),
  metric: z.optional(
    z.array(
      z.string().check(
        z.regex(METRIC_SPEC, {
          error: 'must look like <stage>.<metric key>:higher|lower, e.g. evaluate.eval.accuracy:higher (.key:lower for a run-level metric)',
        }),
      ),
    ),
  ),
  failOnRegression: z.optional(
    z.string().check(z.regex(PERCENT, { error: 'must be a percentage such as 2% or 0.5%' })),
  ),
  json: z.optional(z.boolean()),
});
export type CompareOptions = z.infer<typeof CompareOptions>;

export function parseMetricSpec(spec: string): GatedMetric {
  const m = METRIC_SPEC.exec(spec);
  if (!m) throw new ContextaError('usage', `--metric ${JSON.stringify(spec)} must look like <stage>.<metric key>:higher|lower`);
  return { stage: m[1], key: m[2], direction: m[3] as GatedMetric['direction'] };
}

function gateSpec(opts: CompareOptions): GateSpec | null {
  const metrics = opts.metric ?? [];
  if (opts.failOnRegression === undefined && !metrics.length) return null;
  if (opts.failOnRegression === undefined) {
    throw new ContextaError('usage', '--metric needs --fail-on-regression <pct> (e.g. --fail-on-regression 2%)');
  }
  if (!metrics.length) {
    throw new ContextaError('usage', '--fail-on-regression needs at least one --metric <stage>.<key>:higher|lower to watch');
  }
  return { threshold: Number(PERCENT.exec(opts.failOnRegression)![1]) / 100, metrics: metrics.map(parseMetricSpec) };
}

/**
 * `contexta compare <run-a> <run-b>`: per stage, both statuses, both values of each metric
 * with their difference, and the issues one run has and the other lacks. With a gate, exit 1
 * when a watched metric got worse (from a to b) by more than the threshold.
 */
export async function compare(ctx: CliContext, raw: RawOptions): Promise<number> {
  const opts = parseOptions(CompareOptions, raw, ['runA', 'runB']);
  const gate = gateSpec(opts);
  const ws = openForRead(ctx);
  const a = resolveRun(ws, opts.runA, opts.project);
  const b = resolveRun(ws, opts.runB, opts.project);
  const reader = readerFor(ctx, ws);
  const [factsA, factsB] = readCompareFacts(ws, a, b, reader);
  reader.save();

  // A watched metric neither run has is a typo, not a regression.
  const known = knownMetrics(factsA, factsB);
  const unknown = (gate?.metrics ?? []).filter((m) => !known.includes(`${m.stage}.${m.key}`));
  if (unknown.length) {
    const names = unknown.map((m) => `${m.stage}.${m.key}`);
    throw new ContextaError(
      'usage',
      `--metric ${names.join(', ')}: neither run recorded ${unknown.length === 1 ? 'this metric' : 'these metrics'}; ` +
        `known: ${known.length ? known.join(', ') : '(no metrics)'}`,
      { unknown: names, known },
    );
  }

  const report = compareRuns(factsA, factsB, gate);
  if (opts.json) {
    writeJson(ctx, report);
  } else {
    const { renderCompare } = await import('../render/compare');
    writeText(ctx, renderCompare(report, renderOptions(ctx)));
  }
  return report.gate?.regressed ? EXIT_CODES.gate : EXIT_CODES.ok;
}
