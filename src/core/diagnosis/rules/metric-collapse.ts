/**
 * metric_collapse: the empty DataFrame. A value of 0, or under 1% of the median,
 * where every value the baseline learned from was positive.
 */
import { baselineSentence } from '../baseline';
import { evidenceOf, metricFindings, subjectFor } from '../series';
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'metric_collapse',
  kind: 'learned',
  description: 'a metric that was always positive fell to 0 or to a tiny fraction of its median (an empty join, an empty DataFrame)',
  severity: 'error',
  severity_policy: 'always error; not reported for metrics whose direction is `rise`',
  options: [
    { name: 'fraction', default: 0.01, description: 'a value at or under this fraction of the median is a collapse' },
    { name: 'window', default: 14, description: 'as metric_anomaly' },
    { name: 'min_history', default: 5, description: 'as metric_anomaly' },
  ],
};

export const metricCollapse: Rule = (input) =>
  metricFindings(input)
    .filter((f) => f.collapse)
    .map((f) => {
      const sentence = `${baselineSentence(f.key, f.value, f.baseline)}${f.repeated ? ' (last of several values)' : ''}`;
      const stage = f.stage || null;
      return makeIssue(input, {
        severity: 'error',
        code: meta.code,
        summary: `${sentence}: collapsed`,
        stage,
        subject_ref: subjectFor(input, stage),
        details: { metric_key: f.key, ...evidenceOf(f.value, f, f.judgement, sentence), repeated: f.repeated },
      });
    });
