/**
 * One baseline, whoever shows it (issue #10): the band `trend` and `report` draw
 * for a run is the band `diagnose` judged that run against. The history is built
 * so that a chart with its own rules would differ from the gate: a stage duration
 * (DURATION_POLICY, not the metric policy), a series after `contexta baseline
 * reset`, and a series tuned in contexta.yml (sensitivity and direction). Every
 * flagged point of `trend --json` must be a diagnose issue and the other way round,
 * with the same baseline (median, n, MAD, spread, range) and the same bands.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { loadChecks } from '../../src/core/diagnosis/checks-file';
import { buildReportModel } from '../../src/core/reading/report-model';
import { openWorkspace } from '../../src/core/storage/workspace';
import { expectCode, run, tempWorkspace, type TempWorkspace } from './helpers';
import { DROP_NIGHTS, EMPTY_NIGHT, HISTORY_PROJECT, nightName, writeNightlyHistory } from './nightly-history';

const SHORT_NIGHT = 100;
const RESET_NIGHT = 80;
const CHECKS = `version: 1
projects:
  ${HISTORY_PROJECT}:
    anomaly:
      validate.rows: { sensitivity: high, direction: drop }
`;

let h: TempWorkspace;
let issues: any[];

/** Series under test: trend's arguments, and how a diagnose issue names the same series. */
const SERIES = [
  { name: 'a stage duration (DURATION_POLICY)', args: ['train', '--duration'], stage: 'train', codes: ['duration_anomaly'], key: null, flagged: [SHORT_NIGHT] },
  { name: 'a metric after contexta baseline reset', args: ['eval.accuracy', '--stage', 'evaluate'], stage: 'evaluate', codes: ['metric_anomaly', 'metric_collapse'], key: 'eval.accuracy', flagged: DROP_NIGHTS },
  { name: 'a metric tuned in contexta.yml', args: ['rows', '--stage', 'validate'], stage: 'validate', codes: ['metric_anomaly', 'metric_collapse'], key: 'rows', flagged: [EMPTY_NIGHT] },
] as const;

const RANK: Record<string, number> = { error: 3, warning: 2, info: 1 };

before(() => {
  h = tempWorkspace();
  writeNightlyHistory(h.ws, 100);
  // The last night's train stage took 5 minutes instead of an hour.
  const stageFile = path.join(h.ws, 'projects', HISTORY_PROJECT, 'runs', nightName(SHORT_NIGHT), 'stages', 'train.json');
  const stage = JSON.parse(fs.readFileSync(stageFile, 'utf8'));
  stage.ended_at = new Date(Date.parse(stage.started_at) + 5 * 60_000).toISOString().replace(/\.000Z$/, 'Z');
  fs.writeFileSync(stageFile, `${JSON.stringify(stage, null, 2)}\n`);
  expectCode(run(['baseline', 'reset', '--project', HISTORY_PROJECT, '--metric', 'evaluate.eval.accuracy', '--from', nightName(RESET_NIGHT)], { cwd: h.dir }), 0);
  fs.writeFileSync(h.at('contexta.yml'), CHECKS);
  issues = expectCode(run(['diagnose', '--all', '--json', '--fail-on', 'never'], { cwd: h.dir }), 0).json().issues;
});

describe('trend shows the baselines diagnose applied', () => {
  for (const s of SERIES) {
    it(s.name, () => {
      const doc = expectCode(run(['trend', ...s.args, '--last', '1000', '--json'], { cwd: h.dir }), 0).json();
      assert.equal(doc.points.length, 100);
      const about = issues.filter((i) => i.stage === s.stage && (s.codes as readonly string[]).includes(i.code) && (s.key === null || i.details.metric_key === s.key));
      const flaggedNames = doc.points.filter((p: any) => p.flagged).map((p: any) => p.name);
      for (const night of s.flagged) assert.ok(flaggedNames.includes(nightName(night)), `${nightName(night)} is flagged (${flaggedNames.join(', ')})`);
      assert.deepEqual(flaggedNames, [...new Set(about.map((i) => i.run_ref.split('.').pop()))], 'flagged points = diagnose issues of this series');
      for (const p of doc.points.filter((x: any) => x.flagged)) {
        const mine = about.filter((i) => i.run_ref === p.run_ref).sort((a, b) => RANK[b.severity] - RANK[a.severity]);
        const issue = mine[0];
        assert.equal(p.flagged.code, issue.code, p.name);
        assert.equal(p.flagged.severity, issue.severity, p.name);
        assert.equal(p.value, issue.details.value, p.name);
        const { runs: _runs, ...baseline } = issue.details.baseline;
        assert.deepEqual(p.baseline, baseline, `${p.name}: the baseline diagnose used`);
        assert.deepEqual(p.warn, issue.details.band, `${p.name}: the warning band diagnose used`);
        assert.deepEqual(p.error, issue.details.error_band, `${p.name}: the error band diagnose used`);
        const t = issue.details.threshold;
        assert.deepEqual(
          { warn_z: doc.policy.warn_z, error_z: doc.policy.error_z, rel_floor: doc.policy.rel_floor, abs_floor: doc.policy.abs_floor ?? 0, direction: doc.policy.direction, window: doc.policy.window },
          t,
          'the policy diagnose applied',
        );
      }
    });
  }

  it('the reset series learns only from runs since the reset, as diagnose does', () => {
    const doc = expectCode(run(['trend', 'eval.accuracy', '--stage', 'evaluate', '--last', '1000', '--json'], { cwd: h.dir }), 0).json();
    const at = (n: number) => doc.points.find((p: any) => p.name === nightName(n));
    for (let n = RESET_NIGHT; n < RESET_NIGHT + 5; n++) assert.equal(at(n).baseline, null, `${nightName(n)}: learning again after the reset`);
    assert.equal(at(DROP_NIGHTS[0]).baseline.n, DROP_NIGHTS[0] - RESET_NIGHT);
  });

  it('--checks names the file, like diagnose; with none found the defaults apply', () => {
    const other = tempWorkspace().dir; // no contexta.yml here or above
    const env = { CONTEXTA_WORKSPACE: h.ws };
    const tuned = expectCode(run(['trend', 'rows', '--stage', 'validate', '--json', '--checks', h.at('contexta.yml')], { cwd: other, env }), 0).json();
    assert.equal(tuned.policy.direction, 'drop');
    assert.equal(tuned.policy.warn_z, 3);
    const plain = expectCode(run(['trend', 'rows', '--stage', 'validate', '--json'], { cwd: other, env }), 0).json();
    assert.equal(plain.policy.direction, 'both');
    assert.equal(plain.policy.warn_z, 6);
    const missing = expectCode(run(['trend', 'rows', '--stage', 'validate', '--checks', h.at('nope.yml')], { cwd: other, env }), 2);
    assert.match(missing.stderr, /--checks: no checks file/);
    expectCode(run(['report', '-o', h.at('r.html'), '--checks', h.at('nope.yml')], { cwd: other, env }), 2);
  });

  it('report draws the same points as trend', () => {
    const checks = loadChecks(h.at('contexta.yml'));
    const model = buildReportModel(openWorkspace(h.ws), { project: HISTORY_PROJECT, generated_at: '2025-05-01T00:00:00Z' }, undefined, { checks });
    for (const s of SERIES) {
      const doc = expectCode(run(['trend', ...s.args, '--last', '1000', '--json'], { cwd: h.dir }), 0).json();
      const series = model.projects[0].series.find((x) => x.key.stage === s.stage && (s.key === null ? x.key.kind === 'duration' : x.key.kind === 'metric' && x.key.metric_key === s.key));
      assert.ok(series, s.name);
      assert.deepEqual(JSON.parse(JSON.stringify(series.points)), doc.points, s.name);
      assert.deepEqual(series.policy, doc.policy, s.name);
    }
  });
});
