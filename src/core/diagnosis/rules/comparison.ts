/**
 * comparison_failed: a cross-stage comparison declared in contexta.yml does
 * not hold in this run (`validate.rows-out >= 0.9 * ingest.rows-out`). A side
 * that was not reported is required_metric_missing's business, not a failure.
 */
import type { ComparisonOp } from '../checks';
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'comparison_failed',
  kind: 'declared',
  description: 'a `compare:` expression of contexta.yml is false for this run',
  severity: 'error',
  severity_policy: 'error, or the comparison\'s `severity:`',
  options: [],
};

const HOLDS: Record<ComparisonOp, (a: number, b: number) => boolean> = {
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '<': (a, b) => a < b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

export const comparisonFailed: Rule = (input) =>
  (input.checks?.comparisons ?? []).flatMap((c) => {
    const metrics = input.run.records.metrics;
    const left = metrics[c.left.stage]?.[c.left.key];
    const rightBase = c.right ? metrics[c.right.stage]?.[c.right.key] : 1;
    if (left === undefined || rightBase === undefined) return [];
    const right = c.factor * rightBase;
    if (HOLDS[c.op](left, right)) return [];
    return [
      makeIssue(input, {
        severity: c.severity,
        code: meta.code,
        summary: `${c.expr} does not hold: ${left} ${c.op} ${Number(right.toPrecision(10))} is false`,
        stage: c.left.stage,
        subject_ref: input.run.stages.find((s) => s.stage_name === c.left.stage)?.stage_execution_ref ?? input.run.run_ref,
        details: { expr: c.expr, left, right, op: c.op, declared: true },
      }),
    ];
  });
