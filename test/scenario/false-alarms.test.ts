/**
 * False alarms: a healthy project of 100 nights with realistic noise (row counts
 * drifting up with weekly dips, small differences of large counts that are noisy
 * in relative terms, scores wobbling, durations ±10% with the odd slow night)
 * must raise 0 warnings and 0 errors with zero configuration. The nights are
 * bulk-imported (`record import`), the last one recorded from shell.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectCode, run, tempWorkspace, type TempWorkspace } from '../e2e/helpers';
import { healthyNight, importNights, recordNightFromShell, type Night } from './pipeline';

const NIGHTS = 100;
let tmp: TempWorkspace;
let nights: Night[];

before(async () => {
  tmp = tempWorkspace();
  expectCode(run(['init'], { cwd: tmp.dir }), 0);
  nights = Array.from({ length: NIGHTS }, (_, i) => healthyNight(i));
  importNights(tmp.dir, tmp.ws, 'healthy', nights.slice(0, -1));
  await recordNightFromShell(tmp.dir, 'healthy', nights[NIGHTS - 1]);
});

test(`a healthy project of ${NIGHTS} nights: 0 warnings, 0 errors`, (t) => {
  const doc = expectCode(run(['diagnose', '--project', 'healthy', '--all', '--json', '--fail-on', 'warning'], { cwd: tmp.dir }), 0).json();
  assert.equal(doc.runs.length, NIGHTS);
  const loud = doc.issues.filter((i: any) => i.severity !== 'info');
  t.diagnostic(`false alarms: ${loud.length} warnings/errors over ${NIGHTS} healthy nights (${doc.counts.info} info: cold start, runs 2 to 5)`);
  assert.deepEqual(loud.map((i: any) => `${i.run_ref} ${i.stage} ${i.code} ${i.summary}`), []);
  // Cold start is said once per run, as info, and only for runs 2 to 5.
  const learning = doc.issues.filter((i: any) => i.code === 'learning');
  assert.deepEqual(learning.map((i: any) => i.summary.slice(0, 'learning: 1 of 5 runs'.length)), [1, 2, 3, 4].map((n) => `learning: ${n} of 5 runs`));
  assert.deepEqual(doc.issues.filter((i: any) => i.code !== 'learning'), []);
});

test('the gate on the latest run passes, and a clean run prints one line', () => {
  const r = expectCode(run(['diagnose', '--project', 'healthy', '--latest'], { cwd: tmp.dir }), 0);
  assert.deepEqual(r.stdout.trimEnd().split('\n'), [
    `run:healthy.${nights[NIGHTS - 1].name}  no issues`,
    '',
    '1 run diagnosed: 0 errors, 0 warnings, 0 info — gate --fail-on error: passed',
  ]);
  const quiet = expectCode(run(['diagnose', '--project', 'healthy', '--last', '3', '--quiet'], { cwd: tmp.dir }), 0);
  assert.deepEqual(quiet.stdout.trimEnd().split('\n'), ['3 runs diagnosed: 0 errors, 0 warnings, 0 info — gate --fail-on error: passed']);
});
