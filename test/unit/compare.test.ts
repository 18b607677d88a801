/**
 * compareRuns and the regression gate as pure functions: differences, presence, issue
 * matching across runs, and the gate's verdict table. The CLI is covered end to end in
 * test/e2e/compare.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Issue } from '../../src/core/model';
import type { StageExecution } from '../../src/schema/entities';
import { compareRuns, judgeMetric, mergeStageOrder, relativeChange, type RunSideFacts } from '../../src/core/reading/compare';
import { parseMetricSpec } from '../../src/commands/compare';
import { formatRelative, renderCompare } from '../../src/render/compare';

const stage = (run: string, name: string, status: StageExecution['status'] = 'completed', order = 0): StageExecution => ({
  stage_execution_ref: `stage:p.${run}.${name}`,
  run_ref: `run:p.${run}`,
  stage_name: name,
  status,
  started_at: '2025-03-18T02:00:00Z',
  ended_at: '2025-03-18T02:05:00Z',
  order_index: order,
});

const issue = (run: string, fields: Partial<Issue> & Pick<Issue, 'code'>): Issue => ({
  severity: 'warning',
  summary: `${fields.code} in ${run}`,
  run_ref: `run:p.${run}`,
  stage: 'validate',
  subject_ref: null,
  details: {},
  evidence: [],
  ...fields,
});

function side(run: string, stages: StageExecution[], metrics: RunSideFacts['metrics'], issues: Issue[] = []): RunSideFacts {
  return {
    side: { run_ref: `run:p.${run}`, project: 'p', name: run, status: 'completed', started_at: '2025-03-18T02:00:00Z' },
    stages,
    metrics,
    issues,
  };
}

describe('relativeChange', () => {
  const table: [number, number, number | null][] = [
    [100, 102, 0.02],
    [100, 98, -0.02],
    [-4, -2, 0.5],
    [0, 0, 0],
    [0, 5, null],
    [0.12, 0.91, (0.91 - 0.12) / 0.12],
  ];
  for (const [a, b, expected] of table) {
    it(`${a} → ${b}`, () => assert.equal(relativeChange(a, b), expected));
  }
});

describe('judgeMetric (the regression gate)', () => {
  const table: [string, 'higher' | 'lower', number | null, number | null, number, boolean, string][] = [
    ['accuracy drops 86%', 'higher', 0.91, 0.12, 0.02, true, 'worse_by_more_than_threshold'],
    ['accuracy drops 1%', 'higher', 1, 0.99, 0.02, false, 'within_threshold'],
    ['accuracy drops exactly 2%', 'higher', 0.5, 0.49, 0.02, false, 'within_threshold'],
    ['accuracy rises', 'higher', 0.5, 0.9, 0.02, false, 'improved_or_equal'],
    ['unchanged at 0% threshold', 'higher', 0.5, 0.5, 0, false, 'improved_or_equal'],
    ['any drop at 0% threshold', 'higher', 0.5, 0.4999, 0, true, 'worse_by_more_than_threshold'],
    ['loss rises 10%', 'lower', 2, 2.2, 0.02, true, 'worse_by_more_than_threshold'],
    ['loss falls', 'lower', 2.31, 0.4, 0.02, false, 'improved_or_equal'],
    ['rows from 0 to 5 (lower better)', 'lower', 0, 5, 0.5, true, 'worse_by_more_than_threshold'],
    ['negative metric gets worse', 'higher', -1, -1.5, 0.02, true, 'worse_by_more_than_threshold'],
    ['missing tonight', 'higher', 0.9, null, 0.02, true, 'missing_in_b'],
    ['missing last night', 'higher', null, 0.9, 0.02, true, 'missing_in_a'],
  ];
  for (const [name, direction, a, b, threshold, regressed, reason] of table) {
    it(name, () => {
      const k = judgeMetric({ stage: 'evaluate', key: 'eval.accuracy', direction }, a, b, threshold);
      assert.equal(k.regressed, regressed);
      assert.equal(k.reason, reason);
    });
  }
});

describe('parseMetricSpec', () => {
  it('splits the stage at the first dot, the direction at the colon', () => {
    assert.deepEqual(parseMetricSpec('evaluate.eval.accuracy:higher'), { stage: 'evaluate', key: 'eval.accuracy', direction: 'higher' });
    assert.deepEqual(parseMetricSpec('.rows:lower'), { stage: '', key: 'rows', direction: 'lower' });
  });
  for (const bad of ['evaluate.eval.accuracy', 'accuracy:higher', 'evaluate.eval.accuracy:up', 'evaluate.:higher', '']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => parseMetricSpec(bad), { code: 'usage' }));
  }
});

describe('compareRuns', () => {
  const a = side(
    'day1',
    [stage('day1', 'validate', 'completed', 0), stage('day1', 'train', 'completed', 1), stage('day1', 'legacy', 'completed', 2)],
    { validate: { 'validate.rows_out': 0 }, train: { 'train.loss': 2.31, 'train.accuracy': 0.11 }, '': { 'run.rows': 5 } },
    [
      issue('day1', { code: 'degraded_record', severity: 'error', details: { issue_key: 'validate.empty' }, summary: 'empty' }),
      issue('day1', { code: 'event_warning', details: { event_key: 'validate.schema' } }),
      issue('day1', { code: 'event_warning', details: { event_key: 'validate.schema' } }),
    ],
  );
  const b = side(
    'day2',
    [stage('day2', 'validate', 'completed', 0), stage('day2', 'train', 'failed', 1), stage('day2', 'deploy', 'completed', 3)],
    { validate: { 'validate.rows_out': 48000 }, train: { 'train.loss': 0.4 }, deploy: { 'deploy.ok': 1 } },
    [
      issue('day2', { code: 'event_warning', details: { event_key: 'validate.schema' } }),
      issue('day2', { code: 'stage_failed', severity: 'error', stage: 'train', summary: 'stage train failed' }),
    ],
  );
  const r = compareRuns(a, b, null);

  it('lists stages in run a order, each stage only b has after its predecessor in b, with both statuses', () => {
    assert.deepEqual(
      r.stages.map((s) => [s.stage, s.present_in, s.status_a, s.status_b]),
      [
        [null, 'both', null, null],
        ['validate', 'both', 'completed', 'completed'],
        ['train', 'both', 'completed', 'failed'],
        ['deploy', 'b', null, 'completed'],
        ['legacy', 'a', 'completed', null],
      ],
    );
    assert.deepEqual(r.only_in_a.stages, ['legacy']);
    assert.deepEqual(r.only_in_b.stages, ['deploy']);
  });

  it('gives both values, the difference and the relative difference of each metric', () => {
    const train = r.stages.find((s) => s.stage === 'train')!;
    assert.deepEqual(train.metrics, [
      { key: 'train.accuracy', present_in: 'a', a: 0.11, b: null, diff: null, relative: null },
      { key: 'train.loss', present_in: 'both', a: 2.31, b: 0.4, diff: 0.4 - 2.31, relative: (0.4 - 2.31) / 2.31 },
    ]);
    const validate = r.stages.find((s) => s.stage === 'validate')!;
    assert.deepEqual(validate.metrics[0], { key: 'validate.rows_out', present_in: 'both', a: 0, b: 48000, diff: 48000, relative: null });
    assert.deepEqual(r.only_in_a.metrics, [{ stage: null, key: 'run.rows' }, { stage: 'train', key: 'train.accuracy' }]);
    assert.deepEqual(r.only_in_b.metrics, [{ stage: 'deploy', key: 'deploy.ok' }]);
  });

  it('matches issues across runs by code, stage and key (not by run-specific refs), as a multiset', () => {
    const validate = r.stages.find((s) => s.stage === 'validate')!;
    assert.deepEqual(validate.issues_only_in_a.map((i) => i.code), ['degraded_record', 'event_warning']);
    assert.deepEqual(validate.issues_only_in_b, []);
    const train = r.stages.find((s) => s.stage === 'train')!;
    assert.deepEqual(train.issues_only_in_b.map((i) => i.code), ['stage_failed']);
  });

  it('matches issues whose summary names the run', () => {
    const x = side('day1', [stage('day1', 'validate')], {}, [issue('day1', { code: 'stage_not_finished', summary: 'stage validate of day1 still open' })]);
    const y = side('day2', [stage('day2', 'validate')], {}, [issue('day2', { code: 'stage_not_finished', summary: 'stage validate of day2 still open' })]);
    const s = compareRuns(x, y, null).stages.find((st) => st.stage === 'validate')!;
    assert.deepEqual([s.issues_only_in_a.length, s.issues_only_in_b.length], [0, 0]);
  });

  it('applies the gate to the watched metrics only', () => {
    const gated = compareRuns(a, b, {
      threshold: 0.02,
      metrics: [
        { stage: 'train', key: 'train.loss', direction: 'lower' },
        { stage: 'validate', key: 'validate.rows_out', direction: 'higher' },
      ],
    });
    assert.equal(gated.gate?.regressed, false);
    const reversed = compareRuns(b, a, { threshold: 0.02, metrics: [{ stage: 'train', key: 'train.loss', direction: 'lower' }] });
    assert.equal(reversed.gate?.regressed, true);
    assert.equal(reversed.gate?.checks[0].reason, 'worse_by_more_than_threshold');
  });

  it('renders as text without colour codes, run-level row first', () => {
    const text = renderCompare(compareRuns(a, b, { threshold: 0.02, metrics: [{ stage: 'train', key: 'train.loss', direction: 'lower' }] }), { color: false });
    assert.doesNotMatch(text, /\x1b\[/);
    assert.match(text, /^\(run\) +— +— +run\.rows \(only a\) +5 +— +— +—$/m);
    assert.match(text, /^train +completed +failed +train\.accuracy \(only a\) +0\.11/m);
    assert.match(text, /train\.loss +2\.31 +0\.4 +-1\.91 +-82\.7%/);
    assert.match(text, /Issues only in b:\n {2}train {2}ERROR {2}stage_failed {2}stage train failed/);
    assert.match(text, /Only in a: stages legacy; metrics \(run\)\/run\.rows, train\/train\.accuracy/);
    assert.match(text, /no regression: 1 watched metric within 2%/);
  });

  it('formats relative differences as signed percentages', () => {
    assert.deepEqual([0.125, -0.868, 0, -0.00001, null].map(formatRelative), ['+12.5%', '-86.8%', '0.0%', '0.0%', '—']);
  });
});

describe('mergeStageOrder', () => {
  const table: [string[], string[], string[]][] = [
    [['a', 'b', 'c'], ['a', 'b', 'c'], ['a', 'b', 'c']],
    [['ingest', 'validate', 'evaluate'], ['ingest', 'preprocess', 'validate', 'train', 'evaluate'], ['ingest', 'preprocess', 'validate', 'train', 'evaluate']],
    [['x', 'y'], ['new', 'x'], ['new', 'x', 'y']],
    [['x'], ['y', 'z'], ['y', 'z', 'x']],
    [[], ['y'], ['y']],
  ];
  for (const [a, b, expected] of table) {
    it(`${a.join(',')} + ${b.join(',')}`, () => assert.deepEqual(mergeStageOrder(a, b), expected));
  }
});
