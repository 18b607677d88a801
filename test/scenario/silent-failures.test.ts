/**
 * The catalogue of silent failures: for each, a project with 8 healthy nights of
 * jittered history (bulk-imported; for two of them the last healthy night is recorded
 * from shell), then one bad
 * night recorded by its own shell script, where every stage that ran says
 * `completed` and nobody wrote a degraded record or a check. Each must be flagged
 * on its first bad night, on the culprit stage, at the severity the rule promises
 * (`diagnose --latest`, zero configuration). The figures are printed as a
 * diagnostic: caught, localized, at the described severity, false alarms.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectCode, run, tempWorkspace, type TempWorkspace } from '../e2e/helpers';
import { healthyNight, importNights, recordNightFromShell, rng, STAGES, type Night } from './pipeline';

const HEALTHY = 8;

interface Scenario {
  project: string;
  culprit: string;
  code: string;
  /** The severity promised; 'warning+' = warning or error (by the band reached). */
  severity: 'error' | 'warning' | 'warning+';
  /** Turn a healthy night into the bad one. */
  bad: (n: Night) => Night;
  /** Change the healthy history (e.g. the warning already seen on the nights before). */
  history?: (nights: Night[]) => void;
}

const SCENARIOS: Scenario[] = [
  {
    project: 'empty-join', culprit: 'validate', code: 'metric_collapse', severity: 'error',
    bad: (n) => {
      const pre = n.metrics.preprocess!['rows-out'];
      n.metrics.validate = { 'rows-out': 0, 'rows-rejected': pre };
      n.metrics.train = { 'rows-in': 0, loss: 0.6931, epochs: 10 };
      n.metrics.evaluate = { accuracy: 0.5, f1: 0.0 };
      return n;
    },
  },
  {
    project: 'stage-collapse', culprit: 'validate', code: 'metric_anomaly', severity: 'error',
    bad: (n) => {
      const pre = n.metrics.preprocess!['rows-out'];
      const kept = Math.round(pre * 0.4);
      n.metrics.validate = { 'rows-out': kept, 'rows-rejected': pre - kept };
      n.metrics.train!['rows-in'] = kept;
      return n;
    },
  },
  {
    project: 'regression', culprit: 'evaluate', code: 'metric_anomaly', severity: 'error',
    bad: (n) => ((n.metrics.evaluate!.accuracy = 0.5), n),
  },
  {
    project: 'missing-stage', culprit: 'validate', code: 'stage_vanished', severity: 'warning',
    bad: (n) => {
      delete n.metrics.validate;
      delete n.minutes.validate;
      n.metrics.train!['rows-in'] = n.metrics.preprocess!['rows-out'];
      return n;
    },
  },
  {
    project: 'vanished-metric', culprit: 'evaluate', code: 'metric_vanished', severity: 'warning',
    bad: (n) => (delete n.metrics.evaluate!.f1, n),
  },
  {
    project: 'short-stage', culprit: 'train', code: 'duration_anomaly', severity: 'warning+',
    bad: (n) => ((n.minutes.train = 1), n),
  },
  {
    project: 'recurring-warning', culprit: 'ingest', code: 'recurring_issue', severity: 'error',
    history: (nights) => {
      for (const n of nights.slice(-2)) n.warnings = { ingest: 'ingest.late-partition' };
    },
    bad: (n) => ((n.warnings = { ingest: 'ingest.late-partition' }), n),
  },
  {
    project: 'crashed-stage', culprit: 'train', code: 'run_abandoned', severity: 'warning',
    bad: (n) => ((n.crashIn = 'train'), n),
  },
];

let tmp: TempWorkspace;
const healthyNights = new Map<string, Night[]>();

/** Nights of one project: each project its own noise, so no two histories are alike. */
function nightsFor(index: number): Night[] {
  return Array.from({ length: HEALTHY + 1 }, (_, i) => healthyNight(i, rng(7919 * (index + 1) + i)));
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

before(async () => {
  tmp = tempWorkspace();
  expectCode(run(['init'], { cwd: tmp.dir }), 0);
  const shellNights: [string, Night][] = [];
  SCENARIOS.forEach((s, index) => {
    const nights = nightsFor(index);
    const history = nights.slice(0, HEALTHY);
    s.history?.(history);
    healthyNights.set(s.project, history);
    // For some projects the last healthy night comes from shell too, like every bad night.
    const fromShell = index < 2 ? 1 : 0;
    importNights(tmp.dir, tmp.ws, s.project, history.slice(0, HEALTHY - fromShell));
    if (fromShell) shellNights.push([s.project, history[HEALTHY - 1]]);
  });
  await inBatches(shellNights, 4, ([project, night]) => recordNightFromShell(tmp.dir, project, night));
  await inBatches(SCENARIOS, 4, (s) => recordNightFromShell(tmp.dir, s.project, s.bad(nightsFor(SCENARIOS.indexOf(s))[HEALTHY])));
});

const RANK: Record<string, number> = { info: 1, warning: 2, error: 3 };
const worst = (issues: any[]) => issues.reduce((w, i) => (RANK[i.severity] > RANK[w] ? i.severity : w), 'info');
const loud = (issues: any[]) => issues.filter((i) => RANK[i.severity] >= 2);

const figures = { caught: 0, localized: 0, atSeverity: 0, falseAlarms: 0, healthyRunsChecked: 0 };

for (const s of SCENARIOS) {
  test(`${s.project}: flagged on the first bad night, on ${s.culprit}, as ${s.severity} (${s.code})`, () => {
    const doc = run(['diagnose', '--project', s.project, '--latest', '--json'], { cwd: tmp.dir }).json();
    assert.equal(doc.runs.length, 1, 'diagnose --latest diagnoses one run');
    const issues = loud(doc.issues);
    const caught = issues.length > 0;
    // Localized: the first stage flagged, in pipeline order, is the culprit (downstream stages may follow).
    const order = (stage: string | null) => (stage === null ? -1 : STAGES.indexOf(stage as never));
    const first = [...issues].sort((a, b) => order(a.stage) - order(b.stage))[0];
    const own = issues.find((i) => i.code === s.code && i.stage === s.culprit);
    const localized = caught && first.stage === s.culprit && !!own;
    const sev = own?.severity;
    const atSeverity = s.severity === 'warning+' ? sev === 'warning' || sev === 'error' : sev === s.severity;
    figures.caught += Number(caught);
    figures.localized += Number(localized);
    figures.atSeverity += Number(atSeverity);
    const shown = JSON.stringify(issues.map((i) => [i.severity, i.code, i.stage, i.summary]), null, 1);
    assert.ok(caught, `nothing flagged: ${JSON.stringify(doc.issues)}`);
    assert.ok(localized, `not localized on ${s.culprit}: ${shown}`);
    assert.ok(atSeverity, `${s.code} on ${s.culprit} is ${sev}, expected ${s.severity}: ${shown}`);
    assert.equal(worst(issues), s.severity === 'warning' ? 'warning' : worst(issues));
    // The evidence is in details: a sentence a person can read.
    if (['metric_anomaly', 'metric_collapse', 'duration_anomaly'].includes(s.code)) {
      assert.match(own.details.sentence, / — typical .* over the last \d+ runs$/);
      assert.ok(own.details.baseline.n >= 5 && Array.isArray(own.details.baseline.runs));
    }
    // And the text gate fails (or passes) accordingly.
    const text = run(['diagnose', '--project', s.project, '--latest', '--quiet'], { cwd: tmp.dir });
    expectCode(text, s.severity === 'error' || sev === 'error' ? 1 : 0);
    assert.match(text.stdout, new RegExp(s.code));
  });
}

test('the healthy nights of every scenario raise no warning or error (no false alarms)', () => {
  for (const s of SCENARIOS) {
    const doc = run(['diagnose', '--project', s.project, '--json'], { cwd: tmp.dir }).json();
    const badRef = doc.runs[doc.runs.length - 1].run_ref;
    for (const r of doc.runs.slice(0, -1)) {
      figures.healthyRunsChecked++;
      const alarms = loud(doc.issues.filter((i: any) => i.run_ref === r.run_ref))
        // recurring-warning's history carries the (real) warning on purpose.
        .filter((i: any) => !(s.project === 'recurring-warning' && i.code === 'event_warning'));
      figures.falseAlarms += alarms.length;
      assert.deepEqual(alarms, [], `${r.run_ref}`);
    }
    assert.ok(doc.issues.some((i: any) => i.run_ref === badRef && RANK[i.severity] >= 2));
  }
});

test('recurring warning: a warning on its first night, an error saying how many nights on the third', () => {
  const doc = run(['diagnose', '--project', 'recurring-warning', '--last', '3', '--json'], { cwd: tmp.dir }).json();
  const byRun = doc.runs.map((r: any) => doc.issues.filter((i: any) => i.run_ref === r.run_ref && RANK[i.severity] >= 2).map((i: any) => `${i.severity} ${i.code}`));
  assert.deepEqual(byRun, [['warning event_warning'], ['warning event_warning'], ['error recurring_issue', 'warning event_warning']]);
  const rec = doc.issues.find((i: any) => i.code === 'recurring_issue');
  assert.match(rec.summary, /3 runs in a row/);
});

test('catalogue figures', (t) => {
  const n = SCENARIOS.length;
  t.diagnostic(`silent failures caught ${figures.caught}/${n}, localized ${figures.localized}/${n}, at the described severity ${figures.atSeverity}/${n}; false alarms ${figures.falseAlarms} over ${figures.healthyRunsChecked} healthy runs`);
});
