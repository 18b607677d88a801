/**
 * Invalid input is refused whole: exit 2, a message naming the field and what
 * it allows, and not one byte written (the workspace tree and every file's
 * bytes and mtime are compared before and after). With --json, the error is a
 * JSON document on stderr and stdout stays empty.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  expectCode,
  FIXTURES,
  readNdjson,
  runAsync,
  runMany,
  SEED_PROJECT,
  seededWorkspace,
  tempWorkspace,
  treeSnapshot,
  type Env,
  type RunResult,
  type TempWorkspace,
} from './helpers';

const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'];
const q = (values: string[]) => values.map((v) => `"${v}"`);

interface Case {
  args: string[];
  /** Every string must appear in stderr. */
  says: string[];
  code?: number;
  /** Also tried in an empty directory, where it must not create a workspace. */
  alsoWithoutWorkspace?: boolean;
}

/** Record commands aimed at an existing run and stage, so any stray write would show. */
const RECORD_CASES: Case[] = [
  { args: ['record', 'event', 'k', 'm', '--level', 'loud'], says: ['--level', ...q(LEVELS)], alsoWithoutWorkspace: true },
  { args: ['record', 'metric', 'rows', 'abc'], says: ['<value>', 'finite number'], alsoWithoutWorkspace: true },
  { args: ['record', 'metric', 'rows', 'NaN'], says: ['<value>', 'finite number'] },
  { args: ['record', 'metric', 'rows', 'Infinity'], says: ['<value>', 'finite number'] },
  { args: ['record', 'metric', 'rows', '1e400'], says: ['<value>', 'finite number'] },
  { args: ['record', 'metric', 'rows', ''], says: ['<value>', 'finite number'] },
  // Names people have are accepted (docs/names.md); a name with nothing to derive a ref from is not.
  { args: ['record', 'metric', 'rows', '0', '--project', '***'], says: ['--project', '"***"', 'a-z, 0-9'], alsoWithoutWorkspace: true },
  { args: ['record', 'metric', 'rows', '0', '--run', 'day\none'], says: ['--run', '"day\\none"', 'control'] },
  { args: ['record', 'metric', 'rows', '0', '--stage', '../..'], says: ['--stage', '"../.."'], alsoWithoutWorkspace: true },
  { args: ['record', 'metric', 'rows', '0', '--scope', 'global'], says: ['--scope', ...q(['run', 'stage', 'operation', 'step', 'slice'])] },
  { args: ['record', 'degraded', 'k'], says: ['--summary', 'required'], alsoWithoutWorkspace: true },
  { args: ['record', 'degraded', 'k', '--summary', 's', '--severity', 'fatal'], says: ['--severity', '"warning"', '"error"'] },
  {
    args: ['record', 'degraded', 'k', '--summary', 's', '--marker', 'none'],
    says: ['--marker', ...q(['partial_failure', 'capture_gap', 'import_loss', 'compatibility_upgrade'])],
  },
  {
    args: ['record', 'degraded', 'k', '--summary', 's', '--category', 'misc'],
    says: ['--category', ...q(['capture', 'store', 'import', 'compatibility', 'verification', 'recovery'])],
  },
  { args: ['record', 'event', 'k', 'm', '--at', 'yesterday'], says: ['--at', 'ISO-8601'] },
  // Observed after it was recorded: refused by the record contract (recorded_at >= observed_at).
  { args: ['record', 'metric', 'rows', '1', '--at', '2099-01-01T00:00:00Z'], says: ['--at 2099-01-01T00:00:00Z', 'in the future'] },
  { args: ['record', 'event', 'k', 'm', '--attr', 'novalue'], says: ['--attr', 'key=value'] },
  {
    args: ['record', 'span', 's', '--start', '2025-03-18T02:00:00Z', '--end', '2025-03-18T01:00:00Z'],
    says: ['ended_at', 'started_at'],
    alsoWithoutWorkspace: true,
  },
  { args: ['record', 'run', 'launch'], says: ['<action>', '"start"', '"end"'], alsoWithoutWorkspace: true },
  { args: ['record', 'stage', 'end', '--status', 'done'], says: ['--status', '"completed"', '"failed"', '"cancelled"'] },
  { args: ['record', 'run', 'start', '--status', 'failed'], says: ['--status', 'record run end'] },
  // The validate stage started at 02:14 that night: ending it earlier is refused, the stage file untouched.
  { args: ['record', 'stage', 'end', '--at', '2025-03-18T01:00:00Z'], says: ['ended_at', 'started_at'] },
  { args: ['record', 'metric', 'rows', '0', '--bogus'], says: ["unknown option '--bogus'"], alsoWithoutWorkspace: true },
  { args: ['record', 'frobnicate'], says: ["unknown command 'frobnicate'"] },
  { args: ['record', 'metric', 'rows'], says: ["missing required argument 'value'"] },
];

const READ_CASES: Case[] = [
  { args: ['runs', '--status', 'bogus'], says: ['--status', 'open', 'completed', 'failed', 'cancelled'] },
  { args: ['runs', '--limit', '0'], says: ['--limit'] },
  { args: ['runs', '--since', 'yesterday'], says: ['--since', 'ISO-8601'] },
  { args: ['diagnose', '--fail-on', 'sometimes'], says: ['--fail-on', 'error', 'warning', 'info', 'never'] },
  { args: ['runs', '--json', '--ndjson'], says: ['--json', '--ndjson'] },
  { args: ['diagnose', '--all', 'nightly-day1'], says: ['--all', 'not both'] },
  { args: ['snapshot', '_/_'], says: ['"_/_"'] },
  { args: ['snapshot'], says: ["missing required argument 'run'"] },
  { args: ['runs', '--project', '?'], says: ['--project', '"?"'] },
  { args: ['frobnicate'], says: ["unknown command 'frobnicate'"] },
];

const CONTEXT: Env = { CONTEXTA_PROJECT: SEED_PROJECT, CONTEXTA_RUN: 'nightly-day1', CONTEXTA_STAGE: 'validate' };

function checkRefused(r: RunResult, c: Case): void {
  expectCode(r, c.code ?? 2);
  assert.equal(r.stdout, '', `stdout must be empty for contexta ${r.args.join(' ')}`);
  for (const s of c.says) assert.ok(r.stderr.includes(s), `stderr of contexta ${r.args.join(' ')} lacks ${s}:\n${r.stderr}`);
}

let seeded: TempWorkspace;
before(() => {
  seeded = seededWorkspace();
});

test('invalid flags and values: exit 2, the field and allowed values named, an existing workspace untouched', async () => {
  const before = treeSnapshot(seeded.dir, { mtimes: true });
  const cases = [...RECORD_CASES, ...READ_CASES];
  const results = await runMany(cases.map((c) => [c.args, { cwd: seeded.dir, env: CONTEXT }]));
  results.forEach((r, i) => checkRefused(r, cases[i]));
  assert.deepEqual(treeSnapshot(seeded.dir, { mtimes: true }), before);
});

test('invalid record input in an empty directory creates no workspace at all', async () => {
  const tmp = tempWorkspace();
  // A representative subset: one of each kind of check (enum, number, name, path, required, cross-field, commander).
  const cases = RECORD_CASES.filter((c) => c.alsoWithoutWorkspace);
  const env = { CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r', CONTEXTA_STAGE: 's' };
  const results = await runMany(cases.map((c) => [c.args, { cwd: tmp.dir, env }]));
  results.forEach((r, i) => checkRefused(r, cases[i]));
  assert.deepEqual(fs.readdirSync(tmp.dir), []);
});

/** A batch of lines: good canonical, good for the seeded run, one bad, more good (a wrapped Python line too). */
function batchWithBadLine3(): string {
  const canonical = readNdjson(path.join(FIXTURES, 'canonical-records.ndjson'));
  const python = readNdjson(path.join(FIXTURES, 'python-export.ndjson'));
  const seededRecord = readNdjson(path.join(seeded.ws, 'projects', SEED_PROJECT, 'runs', 'nightly-day1', 'records.ndjson'))[0];
  seededRecord.envelope.record_ref = `record:${SEED_PROJECT}.nightly-day1.imported-1`;
  const bad = structuredClone(canonical[2]);
  bad.payload.level = 'loud';
  return [canonical[0], seededRecord, bad, canonical[3], python[0]].map((l) => JSON.stringify(l)).join('\n') + '\n';
}

test('import with one bad line among good ones: exit 2 naming line 3 and payload.level, nothing imported', async () => {
  const before = treeSnapshot(seeded.dir, { mtimes: true });
  const file = path.join(tempWorkspace().dir, 'batch.ndjson');
  fs.writeFileSync(file, batchWithBadLine3());
  const [fromFile, fromStdin, asJson] = await Promise.all([
    runAsync(['record', 'import', file], { cwd: seeded.dir }),
    runAsync(['record', 'import', '-'], { cwd: seeded.dir, input: batchWithBadLine3() }),
    runAsync(['record', 'import', file, '--json'], { cwd: seeded.dir }),
  ]);
  for (const r of [fromFile, fromStdin]) {
    checkRefused(r, { args: r.args, says: ['line 3', 'payload.level', ...q(LEVELS), 'nothing was imported'] });
    assert.doesNotMatch(r.stderr, /line [1245]\b/);
  }
  expectCode(asJson, 2);
  assert.equal(asJson.stdout, '');
  const err = JSON.parse(asJson.stderr).error;
  assert.equal(err.code, 'invalid_input');
  assert.match(err.message, /line 3/);
  assert.equal(err.details.source, file);
  assert.equal(err.details.problems.length, 1);
  assert.deepEqual([err.details.problems[0].line, err.details.problems[0].field], [3, 'payload.level']);
  for (const level of q(LEVELS)) assert.ok(err.details.problems[0].message.includes(level));
  assert.deepEqual(treeSnapshot(seeded.dir, { mtimes: true }), before);
});

test('import reports every bad line with its number and field (JSON, missing field, wrong run prefix, duplicate)', async () => {
  const tmp = tempWorkspace();
  const canonical = readNdjson(path.join(FIXTURES, 'canonical-records.ndjson'));
  const missingRun = structuredClone(canonical[1]);
  delete missingRun.envelope.run_ref;
  const strayStage = structuredClone(canonical[2]);
  strayStage.envelope.stage_execution_ref = 'stage:other.run.load';
  const lines = [
    JSON.stringify(canonical[0]),
    '{"envelope": {"record_ref": ',
    JSON.stringify(canonical[1]),
    JSON.stringify(missingRun),
    JSON.stringify(strayStage),
    JSON.stringify(canonical[0]),
  ];
  const r = await runAsync(['record', 'import', '-', '--json'], { cwd: tmp.dir, input: `${lines.join('\n')}\n` });
  expectCode(r, 2);
  assert.equal(r.stdout, '');
  const problems = JSON.parse(r.stderr).error.details.problems.map((p: any) => [p.line, p.field]);
  assert.deepEqual(problems, [
    [2, ''],
    [4, 'envelope.run_ref'],
    [5, 'envelope.stage_execution_ref'],
    [6, 'envelope.record_ref'],
  ]);
  assert.deepEqual(fs.readdirSync(tmp.dir), []);
});

test('with --json every error is one JSON document on stderr, {"error": {code, message, details}}, stdout empty', async () => {
  const cases: [string[], number, string][] = [
    [['runs', '--status', 'bogus', '--json'], 2, 'usage'],
    [['runs', '--bogus', '--json'], 2, 'usage'],
    [['runs', '--limit', 'x', '--ndjson'], 2, 'usage'],
    [['snapshot', '_/_', '--json'], 2, 'usage'],
    [['snapshot', 'nightly-day9', '--json'], 3, 'workspace'],
    [['diagnose', '--fail-on', 'x', '--json'], 2, 'usage'],
    [['diagnose', 'nightly-day9', '--ndjson'], 3, 'workspace'],
    [['init', '--project', '..', '--json'], 2, 'usage'],
    [['record', 'import', path.join(FIXTURES, 'missing.ndjson'), '--json'], 3, 'workspace'],
  ];
  const before = treeSnapshot(seeded.dir, { mtimes: true });
  const results = await runMany(cases.map(([args]) => [args, { cwd: seeded.dir }]));
  results.forEach((r, i) => {
    const [, code, errorCode] = cases[i];
    expectCode(r, code);
    assert.equal(r.stdout, '', `stdout must be empty: contexta ${r.args.join(' ')}`);
    assert.ok(r.stderr.endsWith('\n') && r.stderr.indexOf('\n') === r.stderr.length - 1, `one line: ${r.stderr}`);
    const doc = JSON.parse(r.stderr);
    assert.deepEqual(Object.keys(doc), ['error']);
    assert.deepEqual(Object.keys(doc.error).sort(), ['code', 'details', 'message']);
    assert.equal(doc.error.code, errorCode, r.stderr);
    assert.equal(typeof doc.error.message, 'string');
    assert.ok(doc.error.message.length > 0);
    assert.equal(typeof doc.error.details, 'object');
    assert.notEqual(doc.error.details, null);
  });
  assert.deepEqual(treeSnapshot(seeded.dir, { mtimes: true }), before);
});
