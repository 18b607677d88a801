/**
 * Attempts: re-running a night never merges silently (docs/attempts.md). Each attempt
 * is its own run entry; reads speak of the latest unless asked; flips are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { expectCode, readJson, readNdjson, run, runDir, tempWorkspace } from './helpers';

const env = { CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'nightly' };

test('a re-run is a new attempt: earlier records stay readable, reads speak of the latest', () => {
  const tmp = tempWorkspace();
  const rec = (args: string[], code = 0) => expectCode(run(['record', ...args], { cwd: tmp.dir, env }), code);
  // Attempt 1: validate passes 0 rows, a degraded record, the run "completes".
  rec(['run', 'start']);
  rec(['metric', 'validate.rows-out', '0', '--stage', 'validate']);
  rec(['degraded', 'validate.empty', '--summary', '0 rows', '--severity', 'error', '--stage', 'validate']);
  rec(['stage', 'end', '--stage', 'validate']);
  rec(['run', 'end']);
  expectCode(run(['diagnose', 'nightly'], { cwd: tmp.dir }), 1);

  // The backfill: a new attempt, announced on stderr.
  const start = rec(['run', 'start']);
  assert.equal(start.stdout, 'run:p.nightly-attempt-2\n');
  assert.match(start.stderr, /run nightly had ended; started attempt 2/);
  const metric = rec(['metric', 'validate.rows-out', '12000', '--stage', 'validate']);
  assert.match(metric.stdout, /^record:p\.nightly-attempt-2\./);
  rec(['stage', 'end', '--stage', 'validate']);
  rec(['run', 'end']);

  // Attempt 1 is untouched on disk, with its one metric.
  const first = readNdjson(path.join(runDir(tmp.ws, 'p', 'nightly'), 'records.ndjson'));
  assert.deepEqual(first.filter((r) => r.payload.metric_key).map((r) => r.payload.value), [0]);
  const second = readJson(path.join(runDir(tmp.ws, 'p', 'nightly-attempt-2'), 'run.json'));
  assert.deepEqual([second.name, second.attempt], ['nightly', 2]);

  // runs: the latest attempt only, unless --all-attempts.
  const runs = expectCode(run(['runs', '--json'], { cwd: tmp.dir }), 0).json().runs;
  assert.deepEqual(runs.map((r: any) => [r.name, r.attempt]), [['nightly-attempt-2', 2]]);
  const all = expectCode(run(['runs', '--all-attempts', '--json'], { cwd: tmp.dir }), 0).json().runs;
  assert.deepEqual(all.map((r: any) => r.attempt).sort(), [1, 2]);

  // snapshot and diagnose: the latest attempt; the earlier one on request.
  const snap = expectCode(run(['snapshot', 'nightly', '--json'], { cwd: tmp.dir }), 0).json();
  assert.equal(snap.run.run_ref, 'run:p.nightly-attempt-2');
  const old = expectCode(run(['snapshot', 'nightly', '--attempt', '1', '--json'], { cwd: tmp.dir }), 0).json();
  assert.equal(old.run.run_ref, 'run:p.nightly');
  assert.equal(old.records.filter((r: any) => r.envelope.record_type === 'degraded').length, 1);
  // The good backfill passes the gate: the old degraded record no longer fails it.
  expectCode(run(['diagnose', 'nightly'], { cwd: tmp.dir }), 0);
  expectCode(run(['diagnose', '--all'], { cwd: tmp.dir }), 0);
  expectCode(run(['diagnose', 'nightly', '--attempt', '1'], { cwd: tmp.dir }), 1);
  const missing = expectCode(run(['snapshot', 'nightly', '--attempt', '3'], { cwd: tmp.dir }), 3);
  assert.match(missing.stderr, /run nightly has no attempt 3 \(it has attempts 1 to 2\)/);
});

test('a contradictory status change is refused (exit 2), nothing written', () => {
  const tmp = tempWorkspace();
  const rec = (args: string[], code = 0) => expectCode(run(['record', ...args], { cwd: tmp.dir, env }), code);
  rec(['run', 'start']);
  rec(['stage', 'start', '--stage', 'train']);
  rec(['stage', 'end', '--stage', 'train', '--status', 'failed']);
  const flip = rec(['stage', 'end', '--stage', 'train', '--status', 'completed'], 2);
  assert.match(flip.stderr, /stage train of run nightly already ended as failed/);
  rec(['stage', 'start', '--stage', 'train'], 2);
  rec(['run', 'end', '--status', 'failed']);
  const runFlip = rec(['run', 'end', '--status', 'completed'], 2);
  assert.match(runFlip.stderr, /run nightly already ended as failed at .*refusing to change it to completed/);
  assert.equal(readJson(path.join(runDir(tmp.ws, 'p', 'nightly'), 'run.json')).status, 'failed');
  assert.equal(readJson(path.join(runDir(tmp.ws, 'p', 'nightly'), 'stages', 'train.json')).status, 'failed');
});

test('run names ending in -attempt-N are reserved', () => {
  const tmp = tempWorkspace();
  const r = expectCode(run(['record', 'run', 'start', '--project', 'p', '--run', 'x-attempt-2'], { cwd: tmp.dir }), 2);
  assert.match(r.stderr, /reserved for attempts/);
});
