/**
 * `contexta compare` as a user runs it: the case-study workspace, with row counts added to
 * nightly-day3 (the seed records none), plus a fourth night that recovered (validate passes
 * 48,000 rows, eval.accuracy back to 0.91, train and preprocess skipped, a new deploy stage),
 * compared both ways, with and without the regression gate.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { expectCode, run, seededWorkspace, treeSnapshot, type TempWorkspace } from './helpers';

const DAY3 = 'nightly-day3';
const DAY4 = 'nightly-day4';

/**
 * The row counts the case study's events describe, as metrics on the seeded nightly-day3 (the
 * seed, byte-identical to the Python library's, records metrics only in train and evaluate):
 * ingest read the same rows as day 4 will, validate let 0 through.
 */
function recordDay3Rows(tmp: TempWorkspace): void {
  const env = { CONTEXTA_PROJECT: 'nightly-ml-pipeline', CONTEXTA_RUN: DAY3 };
  const rec = (...args: string[]) => expectCode(run(['record', ...args], { cwd: tmp.dir, env }), 0);
  rec('metric', 'ingest.rows-read', '48213', '--unit', 'rows', '--stage', 'ingest', '--at', '2025-03-20T02:05:00Z');
  rec('metric', 'preprocess.rows-out', '47950', '--unit', 'rows', '--stage', 'preprocess', '--at', '2025-03-20T02:40:00Z');
  rec('metric', 'validate.rows-out', '0', '--unit', 'rows', '--stage', 'validate', '--at', '2025-03-20T02:55:00Z');
}

/** nightly-day4: the recovered night, recorded from shell like a pipeline would. */
function recordRecoveredNight(tmp: TempWorkspace): void {
  const env = { CONTEXTA_PROJECT: 'nightly-ml-pipeline', CONTEXTA_RUN: DAY4 };
  const at = (min: number) => `2025-03-21T02:${String(min).padStart(2, '0')}:00Z`;
  const rec = (...args: string[]) => expectCode(run(['record', ...args], { cwd: tmp.dir, env }), 0);
  rec('run', 'start', '--at', at(0));
  ['ingest', 'validate', 'evaluate', 'deploy'].forEach((stage, i) => rec('stage', 'start', '--stage', stage, '--at', at(i + 1)));
  rec('metric', 'ingest.rows-read', '48213', '--stage', 'ingest', '--at', at(5));
  rec('metric', 'validate.rows-out', '48000', '--stage', 'validate', '--at', at(5));
  rec('metric', 'eval.accuracy', '0.91', '--stage', 'evaluate', '--at', at(5));
  rec('metric', 'deploy.replicas', '3', '--stage', 'deploy', '--at', at(5));
  ['ingest', 'validate', 'evaluate', 'deploy'].forEach((stage) => rec('stage', 'end', '--stage', stage, '--at', at(6)));
  rec('run', 'end', '--at', at(7));
}

describe('contexta compare', () => {
  let tmp: TempWorkspace;
  const compare = (...args: string[]) => run(['compare', ...args], { cwd: tmp.dir });

  before(() => {
    tmp = seededWorkspace();
    recordDay3Rows(tmp);
    recordRecoveredNight(tmp);
  });

  it('--json: per stage both statuses, both values with difference and relative difference', () => {
    const doc = expectCode(compare(DAY3, DAY4, '--json'), 0).json();
    assert.equal(doc.run_a.run_ref, 'run:nightly-ml-pipeline.nightly-day3');
    assert.equal(doc.run_b.run_ref, 'run:nightly-ml-pipeline.nightly-day4');
    assert.equal(doc.gate, null);
    assert.deepEqual(
      doc.stages.map((s: any) => [s.stage, s.present_in, s.status_a, s.status_b]),
      [
        ['ingest', 'both', 'completed', 'completed'],
        ['preprocess', 'a', 'completed', null],
        ['validate', 'both', 'completed', 'completed'],
        ['train', 'a', 'completed', null],
        ['evaluate', 'both', 'completed', 'completed'],
        ['deploy', 'b', null, 'completed'],
      ],
    );
    const evaluate = doc.stages.find((s: any) => s.stage === 'evaluate');
    assert.equal(evaluate.metrics.length, 1);
    const acc = evaluate.metrics[0];
    assert.equal(acc.key, 'eval.accuracy');
    assert.deepEqual([acc.a, acc.b, acc.present_in], [0.12, 0.91, 'both']);
    assert.ok(Math.abs(acc.diff - 0.79) < 1e-12);
    assert.ok(Math.abs(acc.relative - 0.79 / 0.12) < 1e-12);
    const rows = doc.stages.find((s: any) => s.stage === 'validate').metrics[0];
    assert.deepEqual([rows.a, rows.b, rows.diff, rows.relative], [0, 48000, 48000, null]);
    const ingest = doc.stages.find((s: any) => s.stage === 'ingest').metrics[0];
    assert.deepEqual([ingest.diff, ingest.relative], [0, 0]);
  });

  it('--json: issues each run has that the other lacks, stages and metrics only one run has', () => {
    const doc = expectCode(compare(DAY3, DAY4, '--json'), 0).json();
    const validate = doc.stages.find((s: any) => s.stage === 'validate');
    // recurring_issue: day 3 is the third night in a row with the same validate warning; day 4 has none.
    assert.deepEqual(validate.issues_only_in_a.map((i: any) => i.code).sort(), ['degraded_record', 'event_warning', 'recurring_issue']);
    assert.equal(validate.issues_only_in_a.find((i: any) => i.code === 'degraded_record').run_ref, 'run:nightly-ml-pipeline.nightly-day3');
    assert.deepEqual(validate.issues_only_in_b, []);
    const onlyB = doc.stages.flatMap((s: any) => s.issues_only_in_b.map((i: any) => `${s.stage}:${i.code}`)).sort();
    assert.deepEqual(onlyB, ['preprocess:expected_stage_missing', 'train:expected_stage_missing']);
    assert.deepEqual(doc.only_in_a.stages, ['preprocess', 'train']);
    assert.deepEqual(doc.only_in_b.stages, ['deploy']);
    assert.deepEqual(doc.only_in_b.metrics, [{ stage: 'deploy', key: 'deploy.replicas' }]);
    assert.deepEqual(
      doc.only_in_a.metrics.map((m: any) => `${m.stage}/${m.key}`),
      ['preprocess/preprocess.rows-out', 'train/train.accuracy', 'train/train.loss'],
    );
  });

  it('text: one table with both runs, then what only one run has', () => {
    const r = expectCode(compare(DAY3, DAY4), 0);
    assert.match(r.stdout, /^ {2}a {2}run:nightly-ml-pipeline\.nightly-day3 {2}completed {2}2025-03-20T02:00:00Z$/m);
    assert.match(r.stdout, /^evaluate +completed +completed +eval\.accuracy +0\.12 +0\.91 +\+0\.79 +\+658\.3%$/m);
    assert.match(r.stdout, /^deploy \(only b\) +absent +completed +deploy\.replicas \(only b\)/m);
    assert.match(r.stdout, /Issues only in a:\n {2}validate {2}ERROR {2}degraded_record/);
    assert.match(r.stdout, /Only in a: stages preprocess, train;/);
    assert.doesNotMatch(r.stdout, /\x1b\[/);
    assert.equal(r.stderr, '');
  });

  it('the gate exits 1 when a watched metric got worse by more than the threshold', () => {
    const r = expectCode(
      compare(DAY4, DAY3, '--fail-on-regression', '2%', '--metric', 'evaluate.eval.accuracy:higher', '--metric', 'validate.validate.rows-out:higher', '--json'),
      1,
    );
    const gate = r.json().gate;
    assert.equal(gate.threshold, 0.02);
    assert.equal(gate.regressed, true);
    assert.deepEqual(
      gate.checks.map((k: any) => [k.stage, k.key, k.direction, k.a, k.b, k.regressed, k.reason]),
      [
        ['evaluate', 'eval.accuracy', 'higher', 0.91, 0.12, true, 'worse_by_more_than_threshold'],
        ['validate', 'validate.rows-out', 'higher', 48000, 0, true, 'worse_by_more_than_threshold'],
      ],
    );
    const text = expectCode(compare(DAY4, DAY3, '--fail-on-regression', '2%', '--metric', 'evaluate.eval.accuracy:higher'), 1);
    assert.match(text.stdout, /evaluate\.eval\.accuracy \(higher is better\) {2}0\.91 → 0\.12 {2}-86\.8% {2}REGRESSED/);
    assert.match(text.stdout, /REGRESSED: 1 of 1 watched metric got worse by more than 2%/);
  });

  it('the gate exits 0 when every watched metric held or improved', () => {
    const r = expectCode(compare(DAY3, DAY4, '--fail-on-regression', '2%', '--metric', 'evaluate.eval.accuracy:higher', '--metric', 'ingest.ingest.rows-read:higher'), 0);
    assert.match(r.stdout, /no regression: 2 watched metrics within 2%/);
    // Direction matters: the same change is a regression for a lower-is-better metric.
    expectCode(compare(DAY3, DAY4, '--fail-on-regression', '2%', '--metric', 'evaluate.eval.accuracy:lower'), 1);
  });

  it('a watched metric one run lacks fails the gate (it cannot be shown not to have regressed)', () => {
    const r = expectCode(compare(DAY3, DAY4, '--fail-on-regression', '5%', '--metric', 'train.train.loss:lower', '--json'), 1);
    assert.equal(r.json().gate.checks[0].reason, 'missing_in_b');
  });

  it('names runs by canonical ref or short name, like every other command', () => {
    const short = expectCode(compare(DAY3, DAY4, '--json'), 0).json();
    const canonical = expectCode(compare('run:nightly-ml-pipeline.nightly-day3', 'run:nightly-ml-pipeline.nightly-day4', '--json'), 0).json();
    const withProject = expectCode(compare(DAY3, DAY4, '--project', 'nightly-ml-pipeline', '--json'), 0).json();
    assert.deepEqual(canonical, short);
    assert.deepEqual(withProject, short);
  });

  it('a run compared with itself has no differences', () => {
    const doc = expectCode(compare(DAY3, DAY3, '--json'), 0).json();
    for (const s of doc.stages) {
      assert.equal(s.present_in, 'both');
      assert.deepEqual([s.issues_only_in_a, s.issues_only_in_b], [[], []]);
      for (const m of s.metrics) assert.equal(m.diff, 0);
    }
  });

  it('bad input is a usage error (exit 2) naming the flag; an unknown run is exit 3; nothing is written', () => {
    const beforeTree = treeSnapshot(tmp.ws);
    const cases: [string[], number, RegExp][] = [
      [[DAY3, DAY4, '--fail-on-regression', '2', '--metric', 'evaluate.eval.accuracy:higher'], 2, /--fail-on-regression must be a percentage such as 2% or 0\.5%/],
      [[DAY3, DAY4, '--fail-on-regression', 'two%', '--metric', 'evaluate.eval.accuracy:higher'], 2, /--fail-on-regression must be a percentage/],
      [[DAY3, DAY4, '--fail-on-regression', '2%', '--metric', 'evaluate.eval.accuracy'], 2, /--metric must look like <stage>\.<metric key>:higher\|lower/],
      [[DAY3, DAY4, '--fail-on-regression', '2%', '--metric', 'evaluate.eval.accuracy:up'], 2, /--metric must look like/],
      [[DAY3, DAY4, '--fail-on-regression', '2%'], 2, /--fail-on-regression needs at least one --metric/],
      [[DAY3, DAY4, '--metric', 'evaluate.eval.accuracy:higher'], 2, /--metric needs --fail-on-regression/],
      [[DAY3, DAY4, '--fail-on-regression', '2%', '--metric', 'evaluate.eval.acuracy:higher'], 2, /neither run recorded this metric; known: .*evaluate\.eval\.accuracy/],
      [[DAY3, 'nightly-day9'], 3, /unknown run "nightly-day9"/],
      [[DAY3, 'run:Bad Ref'], 2, /invalid run ref/],
      [[DAY3], 2, /missing required argument/],
    ];
    for (const [args, code, message] of cases) {
      const r = expectCode(compare(...args), code);
      assert.equal(r.stdout, '', `stdout must stay empty for compare ${args.join(' ')}`);
      assert.match(r.stderr, message);
    }
    const json = expectCode(compare(DAY3, 'nightly-day9', '--json'), 3);
    assert.equal(JSON.parse(json.stderr).error.code, 'workspace');
    assert.deepEqual(treeSnapshot(tmp.ws), beforeTree);
  });
});
