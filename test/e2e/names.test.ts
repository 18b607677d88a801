/**
 * Names people already have, as `bin/contexta` users type them (docs/names.md):
 * Airflow run ids, snake_case stages and uppercase are accepted; a run and a
 * project keep the name as given; a stage is stored kebab-cased with a notice,
 * and every spelling of it names that stage; two names for one run or project
 * ref are refused (exit 2, both named, nothing written); read
 * commands find a run by the name it was recorded under.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { expectCode, readJson, readNdjson, run, runDir, tempWorkspace, treeSnapshot, type TempWorkspace } from './helpers';

const AIRFLOW = 'scheduled__2025-04-07T02:00:00+00:00';
const AIRFLOW_REF = 'scheduled-2025-04-07t02-00-00-00-00';
const PROJECT = 'ML Pipeline';
const STAGE = 'feature_engineering';
const NOTICE = 'contexta: stage "feature_engineering" is recorded as "feature-engineering" (stage names are kebab-case in the record contract; see docs/names.md)\n';

let tmp: TempWorkspace;
const target = (extra: Record<string, string> = {}) =>
  Object.entries({ '--project': PROJECT, '--run': AIRFLOW, ...extra }).flat();

before(() => {
  tmp = tempWorkspace();
  const start = expectCode(run(['record', 'run', 'start', ...target(), '--at', '2025-04-07T02:00:00Z'], { cwd: tmp.dir }), 0);
  assert.equal(start.stdout, `run:ml-pipeline.${AIRFLOW_REF}\n`);
  assert.equal(start.stderr, 'contexta: created workspace ./.contexta\n', 'no name notice for a run: it keeps its name (only the new workspace is announced)');
  const stage = expectCode(run(['record', 'stage', 'start', ...target({ '--stage': STAGE }), '--at', '2025-04-07T02:01:00Z'], { cwd: tmp.dir }), 0);
  assert.equal(stage.stdout, `stage:ml-pipeline.${AIRFLOW_REF}.feature-engineering\n`);
  assert.equal(stage.stderr, NOTICE, 'one line on stderr');
});

test('an Airflow run id, a snake_case stage and an uppercase project are accepted; runs and projects keep the name as given', () => {
  const dir = runDir(tmp.ws, 'ml-pipeline', AIRFLOW_REF);
  const project = readJson(path.join(tmp.ws, 'projects', 'ml-pipeline', 'project.json'));
  assert.equal(project.project_ref, 'project:ml-pipeline');
  assert.equal(project.name, PROJECT);
  const runDoc = readJson(path.join(dir, 'run.json'));
  assert.equal(runDoc.run_ref, `run:ml-pipeline.${AIRFLOW_REF}`);
  assert.equal(runDoc.name, AIRFLOW);
  const stage = readJson(path.join(dir, 'stages', 'feature-engineering.json'));
  assert.equal(stage.stage_name, 'feature-engineering', 'the contract requires kebab case here');
  assert.equal(stage.stage_execution_ref, `stage:ml-pipeline.${AIRFLOW_REF}.feature-engineering`);
  // No field of the contract (or extension the library accepts) can hold another spelling.
  assert.equal(JSON.stringify(stage).includes(STAGE), false);
});

test('the same names through CONTEXTA_PROJECT/RUN/STAGE land in the same entries; the kebab form names the stage too, silently', () => {
  const env = { CONTEXTA_PROJECT: PROJECT, CONTEXTA_RUN: AIRFLOW, CONTEXTA_STAGE: STAGE };
  assert.equal(expectCode(run(['record', 'run', 'start'], { cwd: tmp.dir, env }), 0).stderr, '', 'a run command does not use the stage: no notice');
  const viaEnv = expectCode(run(['record', 'metric', 'rows', '5', '--at', '2025-04-07T02:02:00Z'], { cwd: tmp.dir, env }), 0);
  assert.match(viaEnv.stdout, new RegExp(`^record:ml-pipeline\\.${AIRFLOW_REF}\\.`));
  assert.equal(viaEnv.stderr, NOTICE);
  const kebab = expectCode(run(['record', 'metric', 'cols', '3', ...target({ '--stage': 'feature-engineering' }), '--at', '2025-04-07T02:02:00Z'], { cwd: tmp.dir }), 0);
  assert.equal(kebab.stderr, '');
  // The ref component names the run as well as its original spelling.
  expectCode(run(['record', 'event', 'a.b', 'hello', '--project', 'ml-pipeline', '--run', AIRFLOW_REF], { cwd: tmp.dir }), 0);
  const records = readNdjson(path.join(runDir(tmp.ws, 'ml-pipeline', AIRFLOW_REF), 'records.ndjson'));
  assert.deepEqual(records.map((r) => r.envelope.stage_execution_ref ?? null), [
    `stage:ml-pipeline.${AIRFLOW_REF}.feature-engineering`,
    `stage:ml-pipeline.${AIRFLOW_REF}.feature-engineering`,
    null,
  ]);
  assert.deepEqual(readJson(path.join(runDir(tmp.ws, 'ml-pipeline', AIRFLOW_REF), 'run.json')).name, AIRFLOW, 'name unchanged');
});

test('two different names for one run or project ref are refused naming both: exit 2, nothing written', () => {
  const before = treeSnapshot(tmp.dir, { mtimes: true });
  const cases: [string[], string, string][] = [
    [['record', 'metric', 'rows', '1', ...target({ '--run': 'Scheduled__2025-04-07T02:00:00+00:00' })], '"Scheduled__2025-04-07T02:00:00+00:00"', `"${AIRFLOW}"`],
    [['record', 'run', 'end', ...target({ '--run': 'scheduled 2025-04-07T02:00:00 00:00' })], '"scheduled 2025-04-07T02:00:00 00:00"', `"${AIRFLOW}"`],
    [['record', 'event', 'k', 'm', ...target({ '--project': 'ml_pipeline' })], '"ml_pipeline"', `"${PROJECT}"`],
    [['record', 'stage', 'end', ...target({ '--run': 'SCHEDULED__2025-04-07T02:00:00+00:00', '--stage': STAGE })], '"SCHEDULED__2025-04-07T02:00:00+00:00"', `"${AIRFLOW}"`],
  ];
  for (const [args, typed, existing] of cases) {
    const r = expectCode(run(args, { cwd: tmp.dir }), 2);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.includes(typed) && r.stderr.includes(existing), `names both: ${r.stderr}`);
    assert.match(r.stderr, /both map to the ref component/);
  }
  assert.deepEqual(treeSnapshot(tmp.dir, { mtimes: true }), before);
});

test('every spelling of a stage names the one kebab-case stage, with the notice', () => {
  const r = expectCode(run(['record', 'event', 'fe.done', 'ok', ...target({ '--stage': 'Feature Engineering' }), '--at', '2025-04-07T02:02:30Z'], { cwd: tmp.dir }), 0);
  assert.equal(r.stderr, 'contexta: stage "Feature Engineering" is recorded as "feature-engineering" (stage names are kebab-case in the record contract; see docs/names.md)\n');
  const last = readNdjson(path.join(runDir(tmp.ws, 'ml-pipeline', AIRFLOW_REF), 'records.ndjson')).at(-1);
  assert.equal(last.envelope.stage_execution_ref, `stage:ml-pipeline.${AIRFLOW_REF}.feature-engineering`);
});

test('a new name that maps to a free component creates its own entry', () => {
  const r = expectCode(run(['record', 'run', 'start', ...target({ '--run': 'manual__2025-04-07T03:00:00+00:00' }), '--at', '2025-04-07T03:00:00Z'], { cwd: tmp.dir }), 0);
  assert.equal(r.stdout, 'run:ml-pipeline.manual-2025-04-07t03-00-00-00-00\n');
});

test('read commands find a run by the name it was recorded under, and a project by its name', () => {
  const snap = expectCode(run(['snapshot', AIRFLOW, '--project', PROJECT, '--json'], { cwd: tmp.dir }), 0).json();
  assert.equal(snap.run.run_ref, `run:ml-pipeline.${AIRFLOW_REF}`);
  const byRef = expectCode(run(['snapshot', AIRFLOW_REF, '--json'], { cwd: tmp.dir }), 0).json();
  assert.equal(byRef.run.run_ref, snap.run.run_ref);
  const diag = expectCode(run(['diagnose', AIRFLOW, '--json'], { cwd: tmp.dir }), 0).json();
  assert.deepEqual(diag.runs.map((r: { run_ref: string }) => r.run_ref), [`run:ml-pipeline.${AIRFLOW_REF}`]);
  const runs = expectCode(run(['runs', '--project', PROJECT, '--json'], { cwd: tmp.dir }), 0).json();
  assert.equal(runs.runs.length, 2);
  // Another spelling of the same component is not the recorded name: unknown, exit 3.
  expectCode(run(['snapshot', 'SCHEDULED__2025-04-07T02:00:00+00:00'], { cwd: tmp.dir }), 3);
});

test('names with nothing to derive a ref from are refused, naming the source: exit 2, no workspace created', () => {
  const fresh = tempWorkspace();
  const cases: [string[], Record<string, string>, string][] = [
    [['record', 'metric', 'rows', '1', '--project', '***', '--run', 'r'], {}, '--project "***" has no letter or digit'],
    [['record', 'run', 'start', '--project', 'p'], { CONTEXTA_RUN: '../..' }, 'CONTEXTA_RUN "../.." has no letter or digit'],
    [['record', 'stage', 'start', '--project', 'p', '--run', 'r', '--stage', 'a\u001b[2Jb'], {}, '--stage'],
    [['record', 'event', 'k', 'm', '--project', 'p', '--run', 'x'.repeat(256)], {}, 'at most 255'],
  ];
  for (const [args, env, says] of cases) {
    const r = expectCode(run(args, { cwd: fresh.dir, env }), 2);
    assert.ok(r.stderr.includes(says), r.stderr);
  }
  assert.deepEqual(treeSnapshot(fresh.dir), {});
});
