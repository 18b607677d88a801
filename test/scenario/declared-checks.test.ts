/**
 * contexta.yml end to end, and intended shifts: a project of imported nights, a
 * checks file found like the workspace (--checks, CONTEXTA_CHECKS, nearest parent),
 * declared requirements flagged as errors, a bad file refused with LINE:COL (exit 2),
 * and `baseline reset` turning a deliberate new level into the baseline.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectCode, run, tempWorkspace, type TempWorkspace } from '../e2e/helpers';
import { healthyNight, importNights, type Night } from './pipeline';

let tmp: TempWorkspace;
let nights: Night[];

const CHECKS = `version: 1
rules:
  stage_without_metrics: off
projects:
  shop:
    freshness: { warn_after: 26h, error_after: 50h }
    stages:
      ingest:
        metrics:
          rows-out: { min: 1 }
      validate:
        metrics:
          rows-out: { min: 1 }
          schema-version: { severity: warn }
      publish: {}
    compare:
      - validate.rows-out >= 0.9 * ingest.rows-out
      - { check: "train.rows-in == validate.rows-out", severity: warn }
`;

before(() => {
  tmp = tempWorkspace();
  expectCode(run(['init'], { cwd: tmp.dir }), 0);
  nights = Array.from({ length: 8 }, (_, i) => healthyNight(i));
  // The last night: validate kept 80% of ingest (still within its learned noise? no: it is also an anomaly).
  const last = nights[7];
  last.metrics.validate!['rows-out'] = Math.round(last.metrics.ingest!['rows-out'] * 0.8);
  last.metrics.train!['rows-in'] = last.metrics.validate!['rows-out'];
  importNights(tmp.dir, tmp.ws, 'shop', nights);
  fs.writeFileSync(tmp.at('contexta.yml'), CHECKS);
});

test('declared requirements: missing stage and metric are errors (or the declared severity), comparisons checked', () => {
  fs.mkdirSync(tmp.at('sub', 'dir'), { recursive: true });
  // Found from a subdirectory, like the workspace.
  const doc = run(['diagnose', '--latest', '--project', 'shop', '--json'], { cwd: tmp.at('sub', 'dir') }).json();
  const got = doc.issues.map((i: any) => [i.severity, i.code, i.stage]);
  assert.deepEqual(got.filter((g: any) => g[1] !== 'metric_anomaly'), [
    // The newest run is months old by now: freshness.
    ['error', 'freshness', null],
    ['error', 'comparison_failed', 'validate'],
    ['warning', 'required_metric_missing', 'validate'],
    ['error', 'required_stage_missing', 'publish'],
  ]);
  const cmp = doc.issues.find((i: any) => i.code === 'comparison_failed');
  assert.match(cmp.summary, /^validate\.rows-out >= 0\.9 \* ingest\.rows-out does not hold/);
  // stage_without_metrics is off for every project; the second comparison holds.
  assert.ok(!doc.issues.some((i: any) => i.code === 'stage_without_metrics' || i.summary.startsWith('train.rows-in')));
});

test('--checks and CONTEXTA_CHECKS choose the file; without one, learned rules still work', () => {
  fs.writeFileSync(tmp.at('other.yml'), 'projects:\n  shop:\n    stages:\n      ingest: {}\n');
  const viaFlag = run(['diagnose', '--latest', '--project', 'shop', '--json', '--checks', 'other.yml'], { cwd: tmp.dir }).json();
  assert.ok(!viaFlag.issues.some((i: any) => i.code === 'required_stage_missing'));
  const viaEnv = run(['diagnose', '--latest', '--project', 'shop', '--json'], { cwd: tmp.dir, env: { CONTEXTA_CHECKS: tmp.at('other.yml') } }).json();
  assert.deepEqual(viaEnv.issues.map((i: any) => i.code), viaFlag.issues.map((i: any) => i.code));
  fs.renameSync(tmp.at('contexta.yml'), tmp.at('contexta.yml.off'));
  try {
    const none = run(['diagnose', '--latest', '--project', 'shop', '--json'], { cwd: tmp.dir }).json();
    assert.deepEqual(none.issues.map((i: any) => [i.severity, i.code, i.stage]), [['warning', 'metric_anomaly', 'validate'], ['warning', 'metric_anomaly', 'train']]);
  } finally {
    fs.renameSync(tmp.at('contexta.yml.off'), tmp.at('contexta.yml'));
  }
  const missing = expectCode(run(['diagnose', '--latest', '--checks', 'nope.yml'], { cwd: tmp.dir }), 2);
  assert.match(missing.stderr, /--checks: no checks file at .*nope\.yml/);
});

const BAD: [string, string, RegExp][] = [
  ['not YAML', 'projects:\n  shop: [1,\n', /^contexta: bad\.yml:3:1: not valid YAML/m],
  ['unknown key', 'projects:\n  shop:\n    stages:\n      ingest:\n        metrics:\n          rows-out: { minn: 1 }\n', /bad\.yml:6:23: unknown key "minn" in projects\.shop\.stages\.ingest\.metrics\.rows-out/],
  ['bad severity', 'projects:\n  shop:\n    stages:\n      ingest: { severity: fatal }\n', /bad\.yml:4:27: projects\.shop\.stages\.ingest\.severity must be one of "warn", "warning", "error"/],
  ['bad duration', 'projects:\n  shop:\n    freshness: { warn_after: 26 hours }\n', /bad\.yml:3:30: "26 hours" is not a duration; write a number and a unit: 500ms, 90s, 30m, 26h, 2d/],
  ['bad comparison', 'projects:\n  shop:\n    compare:\n      - validate.rows-out >= ingest\n', /bad\.yml:4:9: "validate\.rows-out >= ingest" is not a comparison/],
  ['unknown rule', 'rules:\n  metric_anomaly: off\n  no_such_rule: warn\n', /bad\.yml:3:3: unknown rule "no_such_rule"; rules are: .*metric_anomaly/],
];
for (const [name, text, message] of BAD) {
  test(`a bad checks file is exit 2 with FILE:LINE:COL and what is allowed: ${name}`, () => {
    fs.writeFileSync(tmp.at('bad.yml'), text);
    const r = expectCode(run(['diagnose', '--latest', '--checks', 'bad.yml'], { cwd: tmp.dir }), 2);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
    const j = expectCode(run(['diagnose', '--latest', '--checks', 'bad.yml', '--json'], { cwd: tmp.dir }), 2);
    assert.equal(JSON.parse(j.stderr).error.code, 'usage');
  });
}

test('an intended shift: the dataset doubles; flagged until `baseline reset` says the new level is intended', () => {
  const more: Night[] = [8, 9].map((i) => {
    const n = healthyNight(i);
    for (const stage of Object.values(n.metrics)) for (const k of ['rows-out', 'rows-in', 'bytes-in', 'rows-rejected']) if (stage[k] !== undefined) stage[k] *= 2;
    return n;
  });
  importNights(tmp.dir, tmp.ws, 'growth', [...nights.slice(0, 7), more[0]]);
  const before = run(['diagnose', '--latest', '--project', 'growth', '--json', '--checks', 'other.yml'], { cwd: tmp.dir }).json();
  assert.ok(before.issues.some((i: any) => i.code === 'metric_anomaly' && i.stage === 'ingest' && i.severity === 'error'));
  const reset = expectCode(run(['baseline', 'reset', '--project', 'growth', '--reason', 'EU data joined', '--json'], { cwd: tmp.dir }), 0).json();
  assert.equal(reset.reset.metric, '*');
  assert.equal(reset.reset.from_run, `run:growth.${more[0].name}`);
  importNights(tmp.dir, tmp.ws, 'growth', [more[1]]);
  const after = run(['diagnose', '--project', 'growth', '--last', '2', '--json', '--checks', 'other.yml'], { cwd: tmp.dir }).json();
  assert.deepEqual(after.issues.filter((i: any) => i.severity !== 'info'), []);
  assert.ok(after.issues.some((i: any) => i.code === 'learning'), 'the reset series learns again');
  const bad = expectCode(run(['baseline', 'reset', '--project', 'growth', '--metric', 'no dots'], { cwd: tmp.dir }), 2);
  assert.match(bad.stderr, /--metric .*<stage>\.<metric-key>/);
});

test('contexta rules lists every rule; --json as a document', () => {
  const doc = expectCode(run(['rules', '--json'], { cwd: tmp.dir }), 0).json();
  const codes = doc.rules.map((r: any) => r.code);
  for (const code of ['metric_anomaly', 'metric_collapse', 'duration_anomaly', 'metric_vanished', 'stage_vanished', 'run_abandoned', 'recurring_issue', 'learning', 'required_stage_missing', 'freshness']) {
    assert.ok(codes.includes(code), code);
  }
  for (const r of doc.rules) assert.deepEqual(Object.keys(r).sort(), ['code', 'description', 'kind', 'options', 'severity', 'severity_policy']);
  const text = expectCode(run(['rules'], { cwd: tmp.dir }), 0);
  assert.match(text.stdout, /metric_collapse/);
});
