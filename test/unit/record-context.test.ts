/**
 * The record commands in process (no spawn): target resolution from flags and
 * environment, --at, --producer, --attr/--tag pairs, and the name-collision
 * check of the store, each with the error code that becomes the exit code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ContextaError } from '../../src/core/errors';
import type { CliContext } from '../../src/commands/context';
import { keyValues, resolveFactTarget, resolveTarget } from '../../src/commands/record-context';
import { recordMetric } from '../../src/commands/record-metric';
import { recordStage } from '../../src/commands/record-stage';
import { ensureRun, ensureStage } from '../../src/core/storage/store';
import { initWorkspace } from '../../src/core/storage/workspace';

const NOW = new Date('2025-04-07T12:00:00.250Z');

function context(env: Record<string, string> = {}, cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-inproc-'))) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    cwd,
    env,
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    stdinFd: 0,
    stdinIsTTY: false,
    color: false,
    colorStderr: false,
    now: () => NOW,
  };
  return { ctx, out, err, cwd };
}

const usage = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof ContextaError && e.exitCode === 2 && message.test(e.message));

test('resolveTarget: flags over environment, names derived, the given names kept, a stage rename noted once on stderr', () => {
  const { ctx, err } = context({ CONTEXTA_PROJECT: 'Env Project', CONTEXTA_RUN: 'env_run', CONTEXTA_STAGE: 'feature_engineering' });
  const t = resolveTarget(ctx, { run: 'scheduled__2025-04-07T02:00:00+00:00', at: '2025-04-07T11:00:00+09:00' });
  assert.deepEqual(err, [], 'run commands do not use the stage: no notice');
  assert.deepEqual(resolveFactTarget(ctx, { run: 'scheduled__2025-04-07T02:00:00+00:00', at: '2025-04-07T11:00:00+09:00' }), { ...t, producer: undefined });
  assert.deepEqual(t, {
    project: 'env-project',
    run: 'scheduled-2025-04-07t02-00-00-00-00',
    stage: 'feature-engineering',
    given: { project: 'Env Project', run: 'scheduled__2025-04-07T02:00:00+00:00', stage: 'feature_engineering' },
    at: '2025-04-07T02:00:00Z',
  });
  assert.equal(err.join(''), 'contexta: stage "feature_engineering" is recorded as "feature-engineering" (stage names are kebab-case in the record contract; see docs/names.md)\n');
  // An empty variable counts as unset.
  usage(() => resolveTarget(context({ CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: '' }).ctx, {}), /no run given: pass --run NAME or set CONTEXTA_RUN/);
  usage(() => resolveTarget(context({ CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r' }).ctx, {}, true), /no stage given/);
  usage(() => resolveTarget(context({ CONTEXTA_PROJECT: '..', CONTEXTA_RUN: 'r' }).ctx, {}), /^CONTEXTA_PROJECT "\.\." has no letter or digit/);
});

test('resolveTarget: --at in the future or impossible is refused', () => {
  const { ctx } = context({ CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r' });
  assert.equal(resolveTarget(ctx, { at: '2025-04-07T12:00:00.250Z' }).at, '2025-04-07T12:00:00.250000Z', 'now itself is not the future');
  usage(() => resolveTarget(ctx, { at: '2025-04-07T12:00:00.251Z' }), /is in the future \(now is 2025-04-07T12:00:00\.250000Z\)/);
  usage(() => resolveTarget(ctx, { at: '2025-04-07T21:00:01+09:00' }), /in the future/);
  usage(() => resolveTarget(ctx, { at: '2025-02-30T00:00:00Z' }), /^--at "2025-02-30T00:00:00Z" is not a real date/);
});

test('resolveFactTarget: --producer over CONTEXTA_PRODUCER, validated as a lowercase dot token', () => {
  const { ctx } = context({ CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r', CONTEXTA_PRODUCER: 'sdk.python.local' });
  assert.equal(resolveFactTarget(ctx, {}).producer, 'sdk.python.local');
  assert.equal(resolveFactTarget(ctx, { producer: 'contexta.cli' }).producer, 'contexta.cli');
  assert.equal(resolveFactTarget(context({ CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r' }).ctx, {}).producer, undefined, 'default: the record contract constant');
  usage(() => resolveFactTarget(ctx, { producer: 'Contexta CLI' }), /did you mean contexta-cli\?/);
  usage(() => resolveFactTarget(ctx, { producer: 'a:b' }), /lowercase dot token/);
  assert.equal(resolveTarget(context({ CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r', CONTEXTA_PRODUCER: 'BAD' }).ctx, {}).producer, undefined, 'run/stage entries ignore it');
});

test('keyValues: attributes typed, tags strings, repeated keys and stripped whitespace refused, "__proto__" kept as a key', () => {
  assert.deepEqual(keyValues(['a=1', 'b=1.10', 'c=true', 'd=0x1f'], 'attr'), { a: 1, b: '1.10', c: true, d: '0x1f' });
  assert.deepEqual(keyValues(['a=1', 'b=true'], 'tag'), { a: '1', b: 'true' });
  const proto = keyValues(['__proto__=x'], 'attr');
  assert.deepEqual(Object.keys(proto), ['__proto__']);
  assert.equal(JSON.stringify(proto), '{"__proto__":"x"}');
  usage(() => keyValues(['a=1', 'a=1'], 'attr'), /repeats the key "a"/);
  usage(() => keyValues(['k=v', 'k=w'], 'tag'), /^--tag "k=w" repeats the key "k"/);
  usage(() => keyValues(['k= v'], 'tag'), /surrounding whitespace/);
  usage(() => keyValues(['k='], 'tag'), /must not be blank/);
  usage(() => keyValues(['k =v'], 'attr'), /surrounding whitespace/);
  usage(() => keyValues(['novalue'], 'attr'), /key=value/);
});

test('record metric in process: a refused value writes nothing; an accepted one prints its ref', () => {
  const { ctx, out, cwd } = context({ CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r' });
  usage(() => recordMetric(ctx, { key: 'k', value: '-nan' }), /<value> "-nan" is not allowed: NaN and infinities/);
  usage(() => recordMetric(ctx, { key: 'k', value: '1e-400' }), /underflows/);
  assert.deepEqual(fs.readdirSync(cwd), []);
  assert.equal(recordMetric(ctx, { key: 'k', value: '-1.5e3', at: '2025-04-07T10:00:00+09:00' }), 0);
  assert.match(out.join(''), /^record:p\.r\.[a-z0-9-]+\n$/);
  const line = JSON.parse(fs.readFileSync(path.join(cwd, '.contexta', 'projects', 'p', 'runs', 'r', 'records.ndjson'), 'utf8'));
  assert.equal(line.payload.value, -1500);
  assert.equal(line.envelope.observed_at, '2025-04-07T01:00:00Z');
  assert.equal(line.envelope.recorded_at, '2025-04-07T12:00:00.250000Z');
});

test('store: two given names for one run or project component are refused naming both; the component itself always names the entry', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-names-'));
  const { workspace: ws } = initWorkspace(path.join(root, '.contexta'));
  const at = '2025-04-07T02:00:00Z';
  ensureStage(ws, 'p', 'nightly-etl', 'feature-engineering', at, { run: 'Nightly ETL', stage: 'feature_engineering' });
  ensureRun(ws, 'p', 'nightly-etl', at, { run: 'Nightly ETL' });
  ensureRun(ws, 'p', 'nightly-etl', at, { run: 'nightly-etl' });
  ensureStage(ws, 'p', 'nightly-etl', 'feature-engineering', at, { run: 'nightly-etl', stage: 'feature-engineering' });
  ensureStage(ws, 'p', 'nightly-etl', 'feature-engineering', at, { stage: 'Feature Engineering' });
  ensureRun(ws, 'q', 'r', at, { project: 'Q' });
  usage(() => ensureStage(ws, 'q', 'r', 's', at, { project: 'q_' }), /project name "q_" and the existing project "Q"/);
  usage(() => ensureRun(ws, 'p', 'nightly-etl', at, { run: 'nightly_etl' }), /run name "nightly_etl" and the existing run "Nightly ETL" both map to the ref component "nightly-etl"/);
  usage(() => ensureStage(ws, 'p', 'nightly-etl', 'other', at, { run: 'NIGHTLY ETL', stage: 'other' }), /existing run "Nightly ETL"/);
  assert.ok(!fs.existsSync(path.join(ws.root, 'projects', 'p', 'runs', 'nightly-etl', 'stages', 'other.json')), 'refused before the new stage was created');
  // A stage is its kebab-case component: the contract has no field for another spelling.
  const stageFile = path.join(ws.root, 'projects', 'p', 'runs', 'nightly-etl', 'stages', 'feature-engineering.json');
  assert.equal(JSON.parse(fs.readFileSync(stageFile, 'utf8')).stage_name, 'feature-engineering');
  assert.doesNotMatch(fs.readFileSync(stageFile, 'utf8'), /feature_engineering/);
});

test('record stage in process: ending before the start says so', () => {
  const { ctx } = context({ CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r', CONTEXTA_STAGE: 's' });
  assert.equal(recordStage(ctx, { action: 'start', at: '2025-04-07T02:00:00Z' }), 0);
  usage(() => recordStage(ctx, { action: 'end', at: '2025-04-07T01:00:00Z' }), /--at 2025-04-07T01:00:00Z is before stage s of run r started \(2025-04-07T02:00:00Z\)/);
  assert.equal(recordStage(ctx, { action: 'end', at: '2025-04-07T03:00:00+01:00' }), 0);
});

test('record stage in process: a start moved after the recorded end is refused', () => {
  const { ctx } = context({ CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r', CONTEXTA_STAGE: 's' });
  assert.equal(recordStage(ctx, { action: 'start', at: '2025-04-07T02:00:00Z' }), 0);
  assert.equal(recordStage(ctx, { action: 'end', at: '2025-04-07T03:00:00Z' }), 0);
  usage(() => recordStage(ctx, { action: 'start', at: '2025-04-07T04:00:00Z' }), /stage s of run r already ended \(completed at 2025-04-07T03:00:00Z\)/);
});
