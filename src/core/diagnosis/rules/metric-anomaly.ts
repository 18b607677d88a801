/**
 * metric_anomaly: a stage metric far from what the same stage and key usually
 * report over the last runs (median/MAD baseline). A value that collapsed to
 * (almost) zero is metric_collapse's, not reported twice.
 */
import { baselineSentence } from '../baseline';
import { evidenceOf, metricFindings, subjectFor } from '../series';
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'metric_anomaly',
  kind: 'learned',
  description: 'a stage metric far outside its learned baseline (median and MAD of the last runs of the same stage and key)',
  severity: 'error',
  severity_policy:
    'warning when the value breaks all three warning limits: robust z 6, the range seen widened by 25% of its width, and 5% of the median; error when it breaks z 12, a full range width and 5% (the spread is 1.4826 × MAD, at least range / d2(n), widened by 1 + 4/n on few runs)',
  options: [
    { name: 'window', default: 14, description: 'earlier completed runs without errors the baseline learns from' },
    { name: 'min_history', default: 5, description: 'runs needed before the series is judged (until then: learning)' },
    { name: 'sensitivity', default: 'normal', description: 'low (z limits ×2, floor 10%), normal, high (z limits ×0.5, floor 2.5%)' },
    { name: 'direction', default: 'both', description: 'drop, rise or both: which side of the baseline is a problem' },
    { name: 'min_change', default: 0.05, description: 'relative change never flagged below this' },
  ],
};

export const metricAnomaly: Rule = (input) =>
  metricFindings(input)
    .filter((f) => f.judgement.severity !== null && !f.collapse)
    .map((f) => {
      const sentence = `${baselineSentence(f.key, f.value, f.baseline)}${f.repeated ? ' (last of several values)' : ''}`;
      const stage = f.stage || null;
      return makeIssue(input, {
        severity: f.judgement.severity!,
        code: meta.code,
        summary: sentence,
        stage,
        subject_ref: subjectFor(input, stage),
        details: { metric_key: f.key, ...evidenceOf(f.value, f, f.judgement, sentence), repeated: f.repeated },
      });
    });
