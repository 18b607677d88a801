/**
 * run_abandoned: the run is still open long after the project's usual run
 * length: a stage script crashed (`set -e`) and never recorded its end. Named
 * on each stage still open, so the culprit is localized.
 */
import { median } from '../baseline';
import { formatDuration } from '../series';
import type { Rule } from '../../model';
import type { RuleMeta } from './meta';
import { recentRuns } from './learned-shared';
import { makeIssue } from './shared';

export const meta: RuleMeta = {
  code: 'run_abandoned',
  kind: 'learned',
  description: 'the run is still open long after the usual run length (median of recent healthy runs); names the open stages',
  severity: 'warning',
  severity_policy: 'warning once the run has been open longer than max(3 × usual length, usual length + 1 h)',
  options: [
    { name: 'factor', default: 3, description: 'open longer than this many usual run lengths…' },
    { name: 'margin_ms', default: 3600000, description: '…and longer than the usual length plus this' },
  ],
};

const FACTOR = 3;
const MARGIN_MS = 3_600_000;

export const runAbandoned: Rule = (input) => {
  const run = input.run.run;
  if (!run || run.status !== 'open' || input.now === undefined) return [];
  const lengths = (recentRuns(input) ?? []).map((h) => h.duration_ms).filter((d): d is number => d !== null);
  if (lengths.length === 0) return [];
  const usual = median(lengths.sort((a, b) => a - b));
  const open = input.now - Date.parse(run.started_at);
  const limit = Math.max(FACTOR * usual, usual + MARGIN_MS);
  if (!(open > limit)) return [];
  const stages = input.run.stages.filter((s) => s.status === 'open');
  const names = stages.map((s) => s.stage_name);
  const head = `run still open ${formatDuration(open)} after it started (usually ${formatDuration(usual)})`;
  const details = { open_ms: open, usual_ms: usual, limit_ms: limit, open_stages: names, baseline: { n: lengths.length } };
  if (!stages.length) return [makeIssue(input, { severity: 'warning', code: meta.code, summary: `${head}; no stage is open`, details })];
  return stages.map((s) =>
    makeIssue(input, {
      severity: 'warning',
      code: meta.code,
      summary: `${head}; stage ${s.stage_name} never ended`,
      stage: s.stage_name,
      subject_ref: s.stage_execution_ref,
      details,
    }),
  );
};
