/**
 * `--at` on every record command (docs/values.md, "Times"): an offset is stored
 * as the same instant in UTC `Z` form; a time in the future or one that does
 * not exist is refused (exit 2, nothing written) on run and stage lifecycle
 * commands as on facts; back-filling creates the run and stage at the time
 * given, so later back-filled ends are accepted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { expectCode, readJson, readNdjson, run, runDir, runMany, tempWorkspace, treeSnapshot } from './helpers';

test('an offset is stored as the same instant in UTC Z form, on runs, stages, facts and spans', () => {
  const tmp = tempWorkspace();
  const env = { CONTEXTA_PROJECT: 'tz', CONTEXTA_RUN: 'tokyo' };
  const at = (args: string[]) => expectCode(run(['record', ...args], { cwd: tmp.dir, env }), 0);
  at(['run', 'start', '--at', '2025-04-07T11:00:00+09:00']);
  at(['stage', 'start', '--stage', 'load', '--at', '2025-04-07T11:00:30.25+09:00']);
  at(['metric', 'rows', '5', '--stage', 'load', '--at', '2025-04-06T22:01:00-04:00']);
  at(['span', 'op', '--start', '2025-04-07T11:01:00+09:00', '--end', '2025-04-07T02:01:30.5Z', '--stage', 'load']);
  at(['stage', 'end', '--stage', 'load', '--at', '2025-04-07T11:02:00+09:00']);
  at(['run', 'end', '--at', '2025-04-07T03:03:00+01:00']);
  const dir = runDir(tmp.ws, 'tz', 'tokyo');
  const runDoc = readJson(path.join(dir, 'run.json'));
  assert.deepEqual([runDoc.started_at, runDoc.ended_at], ['2025-04-07T02:00:00Z', '2025-04-07T02:03:00Z']);
  assert.equal(readJson(path.join(tmp.ws, 'projects', 'tz', 'project.json')).created_at, '2025-04-07T02:00:00Z');
  const stage = readJson(path.join(dir, 'stages', 'load.json'));
  assert.deepEqual([stage.started_at, stage.ended_at], ['2025-04-07T02:00:30.250000Z', '2025-04-07T02:02:00Z']);
  const [metric, span] = readNdjson(path.join(dir, 'records.ndjson'));
  assert.equal(metric.envelope.observed_at, '2025-04-07T02:01:00Z');
  assert.match(metric.envelope.recorded_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?Z$/, 'now, in the same form');
  assert.deepEqual([span.payload.started_at, span.payload.ended_at, span.envelope.observed_at], ['2025-04-07T02:01:00Z', '2025-04-07T02:01:30.500000Z', '2025-04-07T02:01:30.500000Z']);
});

test('back-filling: a fact with --at in the past creates its run and stage at that time, so a later back-filled end is accepted', () => {
  const tmp = tempWorkspace();
  const env = { CONTEXTA_PROJECT: 'back', CONTEXTA_RUN: 'night-1', CONTEXTA_STAGE: 'train' };
  expectCode(run(['record', 'metric', 'loss', '0.5', '--at', '2025-01-01T00:05:00Z'], { cwd: tmp.dir, env }), 0);
  const dir = runDir(tmp.ws, 'back', 'night-1');
  assert.equal(readJson(path.join(dir, 'run.json')).started_at, '2025-01-01T00:05:00Z');
  assert.equal(readJson(path.join(dir, 'stages', 'train.json')).started_at, '2025-01-01T00:05:00Z');
  expectCode(run(['record', 'stage', 'end', '--at', '2025-01-01T00:10:00Z'], { cwd: tmp.dir, env }), 0);
  expectCode(run(['record', 'run', 'end', '--at', '2025-01-01T00:11:00Z'], { cwd: tmp.dir, env }), 0);
  const stage = readJson(path.join(dir, 'stages', 'train.json'));
  assert.deepEqual([stage.status, stage.ended_at], ['completed', '2025-01-01T00:10:00Z']);
  assert.deepEqual(readJson(path.join(dir, 'run.json')).ended_at, '2025-01-01T00:11:00Z');
  // Back-filled stages of an existing run are created at their own time too.
  expectCode(run(['record', 'event', 'eval.done', 'ok', '--stage', 'eval', '--at', '2025-01-01T00:10:30Z'], { cwd: tmp.dir, env }), 0);
  assert.equal(readJson(path.join(dir, 'stages', 'eval.json')).started_at, '2025-01-01T00:10:30Z');
  // Ending before the start stays refused, with a message that says why.
  const early = expectCode(run(['record', 'stage', 'end', '--stage', 'eval', '--at', '2025-01-01T00:00:00Z'], { cwd: tmp.dir, env }), 2);
  assert.match(early.stderr, /--at 2025-01-01T00:00:00Z is before stage eval of run night-1 started \(2025-01-01T00:10:30Z\)/);
});

test('--at in the future is refused on run and stage lifecycle commands as on facts: exit 2, nothing written', async () => {
  const tmp = tempWorkspace();
  const env = { CONTEXTA_PROJECT: 'fut', CONTEXTA_RUN: 'r', CONTEXTA_STAGE: 's' };
  const future = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const commands = [
    ['record', 'run', 'start', '--at', '2099-01-01T00:00:00Z'],
    ['record', 'run', 'end', '--at', future],
    ['record', 'stage', 'start', '--at', '2099-01-01T00:00:00+09:00'],
    ['record', 'stage', 'end', '--at', future],
    ['record', 'metric', 'm', '1', '--at', future],
    ['record', 'span', 'op', '--start', '2025-01-01T00:00:00Z', '--end', '2099-01-01T00:00:00Z'],
  ];
  const check = async (cwd: string) => {
    const results = await runMany(commands.map((args) => [args, { cwd, env }]));
    for (const r of results) {
      expectCode(r, 2);
      assert.match(r.stderr, /is in the future \(now is \d{4}-/);
    }
  };
  await check(tmp.dir);
  assert.deepEqual(treeSnapshot(tmp.dir), {}, 'no workspace created');
  expectCode(run(['record', 'stage', 'start', '--at', '2025-01-01T00:00:00Z'], { cwd: tmp.dir, env }), 0);
  const before = treeSnapshot(tmp.dir, { mtimes: true });
  await check(tmp.dir);
  assert.deepEqual(treeSnapshot(tmp.dir, { mtimes: true }), before, 'an existing run and stage untouched');
});

test('impossible dates and times are refused by --at, --start and --end: exit 2, nothing written', async () => {
  const tmp = tempWorkspace();
  const env = { CONTEXTA_PROJECT: 'cal', CONTEXTA_RUN: 'r' };
  const bad = ['2025-02-30T00:00:00Z', '2025-01-01T24:00:00Z', '0000-01-01T00:00:00Z', '2025-02-29T12:00:00+09:00', '0001-01-01T00:00:00+01:00'];
  const calls: string[][] = bad.flatMap((t) => [
    ['record', 'run', 'start', '--at', t],
    ['record', 'stage', 'end', '--stage', 's', '--at', t],
    ['record', 'event', 'k', 'm', '--at', t],
    ['record', 'span', 'op', '--start', t, '--end', '2025-03-01T00:00:00Z'],
  ]);
  const results = await runMany(calls.map((args) => [args, { cwd: tmp.dir, env }]));
  results.forEach((r) => {
    expectCode(r, 2);
    assert.match(r.stderr, /(--at|--start) "[^"]+" (is not a real date and time|falls outside the years|must be an ISO-8601)/, r.stderr);
  });
  assert.deepEqual(treeSnapshot(tmp.dir), {});
});
