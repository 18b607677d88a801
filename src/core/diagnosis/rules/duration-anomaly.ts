/**
 * duration_anomaly: a stage that took far less or far more time than usual (a
 * train that ran 1 minute instead of 60). Same policy as metric_anomaly, with a
 * wider floor: durations are noisy, and moves under a minute mean nothing.
 */
import { judge } from '../baseline';
import { baselineFor, evidenceOf, formatDuration } from '../series';
import { spanMs } from '../history';
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'duration_anomaly',
  kind: 'learned',
  description: 'a completed stage whose duration is far from its learned baseline',
  severity: 'error',
  severity_policy: 'warning or error by the metric_anomaly bands, but a duration between half and double the median, or within 60 s of it, is never flagged',
  options: [
    { name: 'window', default: 14, description: 'as metric_anomaly (anomaly key `<stage>.duration` in contexta.yml)' },
    { name: 'min_change', default: 0.5, description: 'relative drop never flagged below this (rises: double it, 1.0)' },
    { name: 'abs_floor_ms', default: 60000, description: 'change in ms never flagged below this' },
  ],
};

export const durationAnomaly: Rule = (input) =>
  input.run.stages.flatMap((s) => {
    if (s.status !== 'completed') return [];
    const value = spanMs(s.started_at, s.ended_at);
    if (value === null) return [];
    const series = baselineFor(input, { kind: 'duration', stage: s.stage_name });
    if (!series) return [];
    const j = judge(value, series.baseline, series.policy);
    if (!j.severity) return [];
    const b = series.baseline;
    const sentence = `duration ${formatDuration(value)} — typical ${formatDuration(b.median)} (${formatDuration(b.min)}–${formatDuration(b.max)}) over the last ${b.n} runs`;
    return [
      makeIssue(input, {
        severity: j.severity,
        code: meta.code,
        summary: sentence,
        stage: s.stage_name,
        subject_ref: s.stage_execution_ref,
        details: { metric_key: 'duration', unit: 'ms', ...evidenceOf(value, series, j, sentence), duration_ms: value },
      }),
    ];
  });
