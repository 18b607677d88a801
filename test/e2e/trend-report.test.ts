/**
 * `contexta trend` and `contexta report` as a user runs them: the case-study
 * workspace and a 100-night history, text and --json, series naming (keys with
 * dots, the same key in several stages, --duration), exit codes for every
 * refusal, and a report that never writes into the workspace.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { before, describe, it } from 'node:test';
import { expectCode, run, runMany, SEED_PROJECT, SEED_STAGES, seededWorkspace, tempWorkspace, treeSnapshot, type TempWorkspace } from './helpers';
import { EMPTY_NIGHT, FAILED_NIGHT, HISTORY_PROJECT, nightName, writeNightlyHistory } from './nightly-history';

let seeded: TempWorkspace;
let history: TempWorkspace;

before(() => {
  seeded = seededWorkspace();
  history = tempWorkspace();
  writeNightlyHistory(history.ws, 100);
});

describe('contexta trend', () => {
  it('the case study: train.loss over three nights, still learning', () => {
    const r = expectCode(run(['trend', 'train.loss'], { cwd: seeded.dir }), 0);
    assert.match(r.stdout, /^train\.loss in stage train · project nightly-ml-pipeline · 3 runs\n/);
    assert.match(r.stdout, /Baseline: learning, 0 of 5 runs so far/);
    assert.match(r.stdout, /nightly-day3 +2025-03-20 +2\.31 +learning/);
    for (const line of r.stdout.split('\n')) assert.ok([...line].length <= 80, `wider than 80 columns: ${line}`);
    assert.equal(r.stderr, '');
  });

  it('--json: series, points oldest first, baseline per point, policy', () => {
    const doc = expectCode(run(['trend', 'rows', '--stage', 'validate', '--last', '40', '--json'], { cwd: history.dir }), 0).json();
    assert.equal(doc.project, HISTORY_PROJECT);
    assert.deepEqual(doc.series, { kind: 'metric', stage: 'validate', metric_key: 'rows', label: 'rows', unit: null });
    assert.equal(doc.points.length, 40);
    assert.equal(doc.total_points, 100);
    assert.equal(doc.points[0].name, nightName(61));
    assert.equal(doc.points[39].name, nightName(100));
    const empty = doc.points.find((p: any) => p.name === nightName(EMPTY_NIGHT));
    assert.equal(empty.value, 0);
    assert.ok(empty.baseline.median > 117_000 && empty.baseline.n === 14, 'the empty night is judged against the 14 nights before it');
    assert.ok(empty.warn.low > 100_000, 'and 0 is far below its warning band');
    assert.deepEqual(Object.keys(empty).sort(), ['baseline', 'error', 'flagged', 'name', 'run_ref', 'started_at', 'status', 'value', 'warn'].sort());
    // The empty night had an error (its degraded record): it never teaches a later baseline.
    const after = doc.points.find((p: any) => p.name === nightName(EMPTY_NIGHT + 1));
    assert.ok(after.baseline.min > 100_000, 'the 0 is not part of the next baseline');
    assert.equal(doc.baseline.n, 14);
    assert.equal(doc.baseline.runs.length, 14);
    assert.equal(doc.baseline.runs[0], `run:${HISTORY_PROJECT}.${nightName(100)}`, 'most recent first');
    assert.equal(doc.learning, null);
    assert.equal(doc.policy.window, 14);
  });

  it('--duration: a stage duration series; the failed night does not teach', () => {
    const doc = expectCode(run(['trend', 'train', '--duration', '--json'], { cwd: history.dir }), 0).json();
    assert.equal(doc.series.kind, 'duration');
    assert.equal(doc.series.unit, 'ms');
    assert.equal(doc.points.length, 30, 'default: the newest 30');
    for (const p of doc.points) assert.ok(p.value > 50 * 60_000 && p.value < 70 * 60_000, `train took about an hour (${p.value})`);
    const same = expectCode(run(['trend', '--duration', '--stage', 'train', '--json'], { cwd: history.dir }), 0).json();
    assert.deepEqual(same.points, doc.points);
    const text = expectCode(run(['trend', 'train', '--duration', '--last', '5'], { cwd: history.dir }), 0).stdout;
    assert.match(text, /^train duration · project nightly-history · last 5 of 100 runs/);
    assert.match(text, /night-100 +2025-04-10 +(5\dm \d\ds|1h 0\dm)/);
    const failed = expectCode(run(['trend', 'train.accuracy', '--last', '100', '--json'], { cwd: history.dir }), 0).json();
    const next = failed.points.find((p: any) => p.name === nightName(FAILED_NIGHT + 1));
    const prev = failed.points.find((p: any) => p.name === nightName(FAILED_NIGHT));
    assert.equal(prev.status, 'failed');
    assert.deepEqual(next.baseline, prev.baseline, 'the failed night adds nothing to the baseline');
  });

  it('refusals name what is wrong and what is allowed, with the documented exit codes', async () => {
    const cases: [string[], number, RegExp][] = [
      [['trend', 'rows'], 2, /metric "rows" is recorded in several stages; pick one with --stage \(one of: ingest, preprocess, validate\)/],
      [['trend', 'nope.metric'], 3, /no metric "nope\.metric" in project nightly-history \(metrics: .*eval\.accuracy/],
      [['trend', 'rows', '--stage', 'train'], 3, /no metric "rows" in stage train .*recorded in stages ingest, preprocess, validate/],
      [['trend', 'deploy', '--duration'], 3, /no stage "deploy" in project nightly-history \(stages: /],
      [['trend', 'train', '--duration', '--stage', 'validate'], 2, /name the stage once/],
      [['trend'], 2, /name a metric/],
      [['trend', 'rows', '--stage', '***'], 2, /--stage/],
      [['trend', 'rows', '--last', '0'], 2, /--last must be a whole number of at least 1/],
      [['trend', 'rows', '--project', 'nope'], 3, /unknown project "nope"/],
    ];
    const results = await runMany(cases.map(([args]) => [args, { cwd: history.dir }]));
    results.forEach((r, i) => {
      const [, code, message] = cases[i];
      expectCode(r, code);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    });
    const json = expectCode(run(['trend', 'rows', '--json'], { cwd: history.dir }), 2);
    assert.equal(JSON.parse(json.stderr).error.code, 'usage');
    assert.deepEqual(JSON.parse(json.stderr).error.details.stages, ['ingest', 'preprocess', 'validate']);
  });

  it('several projects: --project is needed', () => {
    const both = tempWorkspace();
    expectCode(run(['seed'], { cwd: both.dir }), 0);
    writeNightlyHistory(both.ws, 6);
    const r = expectCode(run(['trend', 'eval.accuracy'], { cwd: both.dir }), 2);
    assert.match(r.stderr, /several projects; name one with --project \(one of: nightly-history, nightly-ml-pipeline\)/);
    const doc = expectCode(run(['trend', 'eval.accuracy', '--project', SEED_PROJECT, '--json'], { cwd: both.dir }), 0).json();
    assert.deepEqual(doc.points.map((p: any) => p.value), [0.12, 0.12, 0.12]);
  });
});

describe('contexta report', () => {
  it('writes one HTML file outside the workspace and touches nothing in it', () => {
    const before = treeSnapshot(seeded.ws);
    const r = expectCode(run(['report', '-o', 'out/../report.html'], { cwd: seeded.dir }), 0);
    assert.match(r.stdout, /^Wrote .*report\.html \(3 runs, \d+ KiB\)\n$/);
    const html = fs.readFileSync(seeded.at('report.html'), 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    for (const stage of SEED_STAGES) assert.ok(html.includes(`<span>${stage}</span>`), `matrix column ${stage}`);
    assert.equal(html.match(/<tr><th scope="row"/g)?.length, 3);
    assert.deepEqual(treeSnapshot(seeded.ws), before);
  });

  it('--json summary, -o - to stdout, --last, and refusals', async () => {
    const doc = expectCode(run(['report', '-o', history.at('r.html'), '--last', '10', '--json'], { cwd: history.dir }), 0).json();
    assert.equal(doc.output, history.at('r.html'));
    assert.equal(doc.runs, 10);
    assert.deepEqual(doc.projects, [HISTORY_PROJECT]);
    assert.equal(doc.bytes, fs.statSync(history.at('r.html')).size);
    assert.deepEqual(Object.keys(doc.counts), ['error', 'warning', 'info']);
    const out = expectCode(run(['report', '-o', '-', '--last', '3'], { cwd: history.dir }), 0);
    assert.match(out.stdout, /^<!DOCTYPE html>[\s\S]*<\/html>\n$/);
    assert.equal(out.stdout.match(/<tr><th scope="row"/g)?.length, 3);

    const cases: [string[], number, RegExp][] = [
      [['report'], 2, /--output/],
      [['report', '-o', '.contexta/report.html'], 2, /refusing to write the report inside the workspace/],
      [['report', '-o', 'x.html', '--last', 'all'], 2, /--last must be a whole number/],
      [['report', '-o', 'missing-dir/x.html'], 3, /cannot write .*missing-dir/],
      [['report', '-o', '-', '--json'], 2, /cannot be combined with -o -/],
      [['report', '-o', 'x.html', '--project', 'nope'], 3, /unknown project "nope"/],
    ];
    const before = treeSnapshot(history.dir);
    const results = await runMany(cases.map(([args]) => [args, { cwd: history.dir }]));
    results.forEach((r, i) => {
      expectCode(r, cases[i][1]);
      assert.match(r.stderr, cases[i][2]);
    });
    assert.deepEqual(treeSnapshot(history.dir), before, 'a refused report writes nothing');
  });

  it('a run whose run.json cannot be read is listed, not hidden', () => {
    const tmp = seededWorkspace();
    fs.writeFileSync(`${tmp.ws}/projects/${SEED_PROJECT}/runs/nightly-day2/run.json`, '{"torn": ');
    const diagnosed = expectCode(run(['diagnose', '--all', '--json'], { cwd: tmp.dir }), 1).json();
    const about = diagnosed.issues.filter((i: any) => i.run_ref === `run:${SEED_PROJECT}.nightly-day2`);
    assert.ok(about.length > 0, 'diagnose reports the unreadable run');
    expectCode(run(['report', '-o', 'r.html'], { cwd: tmp.dir }), 0);
    const html = fs.readFileSync(tmp.at('r.html'), 'utf8');
    assert.equal(html.match(/<tr><th scope="row"/g)?.length, 2, 'two readable runs in the matrix');
    assert.match(html, /<h4>Runs that cannot be read/);
    for (const issue of about) assert.ok(html.includes(`<code>${issue.code}</code>`), `${issue.code} is listed`);
    const trend = expectCode(run(['trend', 'train.loss', '--json'], { cwd: tmp.dir }), 0);
    assert.equal(trend.json().points.length, 2);
    assert.deepEqual(trend.json().unreadable_runs, [`run:${SEED_PROJECT}.nightly-day2`]);
    assert.match(trend.stderr, /warning: left out 1 run\(s\) whose run\.json cannot be read: run:nightly-ml-pipeline\.nightly-day2/);
  });

  it('no workspace: exit 3, nothing created', () => {
    const empty = tempWorkspace();
    expectCode(run(['report', '-o', 'r.html'], { cwd: empty.dir }), 3);
    expectCode(run(['trend', 'x'], { cwd: empty.dir }), 3);
    assert.deepEqual(treeSnapshot(empty.dir), {});
  });
});
