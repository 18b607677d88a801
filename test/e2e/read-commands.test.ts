/**
 * Read commands (runs, snapshot, diagnose) and how they find things:
 * workspace discovery like git, run naming by ref or short name, the
 * documented JSON shapes, filters, and "no workspace" without side effects.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  assertNoAncestorWorkspace,
  expectCode,
  run,
  runAsync,
  runMany,
  SEED_PROJECT,
  SEED_STAGES,
  SEED_SUMMARY,
  seededWorkspace,
  tempWorkspace,
  treeSnapshot,
  type TempWorkspace,
} from './helpers';

let seeded: TempWorkspace;

before(() => {
  seeded = seededWorkspace();
});

test('workspace discovery: --workspace, then CONTEXTA_WORKSPACE, then the nearest .contexta/ upwards', async () => {
  const elsewhere = tempWorkspace();
  const empty = tempWorkspace();
  const nested = path.join(seeded.dir, 'a', 'b', 'c');
  fs.mkdirSync(nested, { recursive: true });
  const [flag, env, both, found] = await Promise.all([
    runAsync(['--workspace', seeded.ws, 'runs', '--json'], { cwd: elsewhere.dir }),
    runAsync(['runs', '--json'], { cwd: elsewhere.dir, env: { CONTEXTA_WORKSPACE: seeded.ws } }),
    // The flag wins over the variable (which points at nothing).
    runAsync(['-w', seeded.ws, 'runs', '--json'], { cwd: elsewhere.dir, env: { CONTEXTA_WORKSPACE: empty.ws } }),
    runAsync(['runs', '--json'], { cwd: nested }),
  ]);
  for (const r of [flag, env, both, found]) {
    const doc = expectCode(r, 0).json();
    assert.equal(doc.workspace, seeded.ws);
    assert.equal(doc.runs.length, 3);
  }
  // A relative --workspace is resolved against the current directory.
  const relative = expectCode(run(['--workspace', '../../../.contexta', 'runs', '--json'], { cwd: nested }), 0).json();
  assert.equal(relative.workspace, seeded.ws);
  assert.deepEqual(treeSnapshot(elsewhere.dir), {});
  assert.deepEqual(treeSnapshot(empty.dir), {});
});

test('a writer in a nested directory appends to the parent workspace, not a new ./.contexta', () => {
  const tmp = seededWorkspace();
  const nested = path.join(tmp.dir, 'jobs', 'validate');
  fs.mkdirSync(nested, { recursive: true });
  const ref = expectCode(run(['record', 'metric', 'rows', '7', '--project', 'nested', '--run', 'r1'], { cwd: nested }), 0);
  assert.match(ref.stdout, /^record:nested\.r1\./);
  assert.deepEqual(fs.readdirSync(nested), []);
  assert.ok(fs.existsSync(path.join(tmp.ws, 'projects', 'nested', 'runs', 'r1', 'records.ndjson')));
});

test('default ./.contexta: init creates it here; a first record creates it too; init is idempotent', async () => {
  const a = tempWorkspace();
  assertNoAncestorWorkspace(a.dir);
  const first = expectCode(run(['init', '--json'], { cwd: a.dir }), 0).json();
  assert.deepEqual(first, { workspace: a.ws, created: true, project: null });
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(a.ws, 'workspace.json'), 'utf8')), {
    format: 'contexta-workspace',
    format_version: 2,
  });
  const tree = treeSnapshot(a.dir, { mtimes: true });
  const [again, text] = await Promise.all([
    runAsync(['init', '--json'], { cwd: a.dir }),
    runAsync(['init'], { cwd: a.dir }),
  ]);
  assert.deepEqual(expectCode(again, 0).json(), { workspace: a.ws, created: false, project: null });
  expectCode(text, 0);
  assert.deepEqual(treeSnapshot(a.dir, { mtimes: true }), tree, 'a second init changed files');

  // An empty workspace reads fine: no runs, no issues, gate passes.
  const [runs, diag] = await runMany([
    [['runs', '--json'], { cwd: a.dir }],
    [['diagnose', '--json'], { cwd: a.dir }],
  ]);
  assert.deepEqual(expectCode(runs, 0).json().runs, []);
  assert.deepEqual(expectCode(diag, 0).json().issues, []);

  // init --project adds the project once; repeating it changes nothing.
  expectCode(run(['init', '--project', 'p1'], { cwd: a.dir }), 0);
  const withProject = treeSnapshot(a.dir, { mtimes: true });
  assert.ok('.contexta/projects/p1/project.json' in withProject);
  expectCode(run(['init', '--project', 'p1'], { cwd: a.dir }), 0);
  assert.deepEqual(treeSnapshot(a.dir, { mtimes: true }), withProject);

  // init never clobbers a seeded workspace.
  const s = seededWorkspace();
  const seededTree = treeSnapshot(s.dir, { mtimes: true });
  expectCode(run(['init', '--project', SEED_PROJECT], { cwd: s.dir }), 0);
  assert.deepEqual(treeSnapshot(s.dir, { mtimes: true }), seededTree);

  // A writer with no workspace anywhere creates ./.contexta.
  const b = tempWorkspace();
  expectCode(run(['record', 'event', 'k', 'm', '--project', 'p', '--run', 'r'], { cwd: b.dir }), 0);
  assert.deepEqual(fs.readdirSync(b.dir), ['.contexta']);
  assert.ok(fs.existsSync(path.join(b.ws, 'workspace.json')));
});

test('read commands with no workspace: exit 3, a message naming the fix, and nothing created', async () => {
  const tmp = tempWorkspace();
  assertNoAncestorWorkspace(tmp.dir);
  const cases = [
    ['runs'],
    ['runs', '--json'],
    ['snapshot', 'nightly-day1'],
    ['diagnose'],
    ['diagnose', '--all', '--json'],
    ['diagnose', '--ndjson'],
  ];
  const results = await Promise.all(cases.map((args) => runAsync(args, { cwd: tmp.dir })));
  for (const r of results) {
    expectCode(r, 3);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /contexta init/);
    if (r.args.includes('--json') || r.args.includes('--ndjson')) {
      const err = JSON.parse(r.stderr).error;
      assert.equal(err.code, 'workspace');
      assert.equal(err.details.workspace, tmp.ws);
    }
  }
  // An explicit workspace that does not exist is the same error, also without creating it.
  expectCode(run(['--workspace', 'nope/.contexta', 'runs'], { cwd: tmp.dir }), 3);
  assert.deepEqual(fs.readdirSync(tmp.dir), []);
});

test('a workspace written by a newer format is refused (exit 3), never rewritten', async () => {
  const tmp = tempWorkspace();
  fs.mkdirSync(tmp.ws);
  fs.writeFileSync(path.join(tmp.ws, 'workspace.json'), '{"format": "contexta-workspace", "format_version": 99}\n');
  const before = treeSnapshot(tmp.dir, { mtimes: true });
  const results = await Promise.all(
    [['init'], ['seed'], ['runs'], ['record', 'metric', 'rows', '1', '--project', 'p', '--run', 'r']].map((args) =>
      runAsync(args, { cwd: tmp.dir }),
    ),
  );
  for (const r of results) {
    expectCode(r, 3);
    assert.match(r.stderr, /format version 99/);
  }
  assert.deepEqual(treeSnapshot(tmp.dir, { mtimes: true }), before);
});

test('run naming: canonical ref and short name name the same run, for snapshot and diagnose', async () => {
  const [byRef, byName, byProject, dRef, dName] = await Promise.all([
    runAsync(['snapshot', `run:${SEED_PROJECT}.nightly-day2`, '--json'], { cwd: seeded.dir }),
    runAsync(['snapshot', 'nightly-day2', '--json'], { cwd: seeded.dir }),
    runAsync(['snapshot', 'nightly-day2', '--project', SEED_PROJECT, '--json'], { cwd: seeded.dir }),
    runAsync(['diagnose', `run:${SEED_PROJECT}.nightly-day2`, '--json'], { cwd: seeded.dir }),
    runAsync(['diagnose', 'nightly-day2', '--json'], { cwd: seeded.dir }),
  ]);
  assert.equal(expectCode(byRef, 0).json().run.run_ref, `run:${SEED_PROJECT}.nightly-day2`);
  assert.equal(expectCode(byName, 0).stdout, byRef.stdout);
  assert.equal(expectCode(byProject, 0).stdout, byRef.stdout);
  assert.equal(expectCode(dRef, 1).json().runs[0].run_ref, `run:${SEED_PROJECT}.nightly-day2`);
  assert.equal(expectCode(dName, 1).stdout, dRef.stdout);
  // Naming the same run twice diagnoses it once; naming two runs diagnoses both.
  const twice = expectCode(run(['diagnose', 'nightly-day2', `run:${SEED_PROJECT}.nightly-day2`, '--json'], { cwd: seeded.dir }), 1);
  assert.equal(twice.stdout, dRef.stdout);
  const two = expectCode(run(['diagnose', 'nightly-day1', 'nightly-day3', '--json'], { cwd: seeded.dir }), 1).json();
  assert.deepEqual(
    two.runs.map((r: any) => r.run_ref),
    [`run:${SEED_PROJECT}.nightly-day1`, `run:${SEED_PROJECT}.nightly-day3`],
  );
});

test('an ambiguous short name exits 2 listing both run: refs; --project disambiguates; unknown runs exit 3', async () => {
  const tmp = seededWorkspace();
  expectCode(run(['record', 'run', 'start', '--project', 'other-team', '--run', 'nightly-day1'], { cwd: tmp.dir }), 0);
  const before = treeSnapshot(tmp.dir, { mtimes: true });
  const [snap, diag, snapJson, picked, pickedOther, unknownName, unknownRef, unknownInProject, badRef, wrongProject] =
    await Promise.all([
      runAsync(['snapshot', 'nightly-day1'], { cwd: tmp.dir }),
      runAsync(['diagnose', 'nightly-day1'], { cwd: tmp.dir }),
      runAsync(['snapshot', 'nightly-day1', '--json'], { cwd: tmp.dir }),
      runAsync(['snapshot', 'nightly-day1', '--project', SEED_PROJECT, '--json'], { cwd: tmp.dir }),
      runAsync(['diagnose', 'nightly-day1', '--project', 'other-team', '--json'], { cwd: tmp.dir }),
      runAsync(['snapshot', 'nightly-day9'], { cwd: tmp.dir }),
      runAsync(['diagnose', `run:${SEED_PROJECT}.nightly-day9`], { cwd: tmp.dir }),
      runAsync(['snapshot', 'nightly-day2', '--project', 'other-team'], { cwd: tmp.dir }),
      runAsync(['snapshot', 'run:Bad.Ref'], { cwd: tmp.dir }),
      runAsync(['snapshot', `run:${SEED_PROJECT}.nightly-day1`, '--project', 'other-team'], { cwd: tmp.dir }),
    ]);
  for (const r of [snap, diag]) {
    expectCode(r, 2);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.includes('run:nightly-ml-pipeline.nightly-day1'), r.stderr);
    assert.ok(r.stderr.includes('run:other-team.nightly-day1'), r.stderr);
    assert.match(r.stderr, /ambiguous/);
  }
  const err = JSON.parse(expectCode(snapJson, 2).stderr).error;
  assert.equal(err.code, 'usage');
  assert.deepEqual(err.details.candidates.sort(), ['run:nightly-ml-pipeline.nightly-day1', 'run:other-team.nightly-day1']);
  assert.equal(snapJson.stdout, '');

  assert.equal(expectCode(picked, 0).json().run.run_ref, 'run:nightly-ml-pipeline.nightly-day1');
  const other = expectCode(pickedOther, 0).json();
  assert.deepEqual(other.runs.map((r: any) => r.run_ref), ['run:other-team.nightly-day1']);
  assert.deepEqual(other.issues, []);

  for (const r of [unknownName, unknownRef, unknownInProject]) {
    expectCode(r, 3);
    assert.match(r.stderr, /unknown run/);
    assert.equal(r.stdout, '');
  }
  expectCode(badRef, 2);
  expectCode(wrongProject, 2);
  assert.deepEqual(treeSnapshot(tmp.dir, { mtimes: true }), before, 'read commands wrote something');
});

test('snapshot --json shape: {run, stages[...], records[{envelope, payload}]} with exact seed values', () => {
  const snap = expectCode(run(['snapshot', 'nightly-day1', '--json'], { cwd: seeded.dir }), 0).json();
  for (const key of ['run', 'stages', 'records']) assert.ok(key in snap, `snapshot lacks ${key}`);
  assert.equal(snap.run.run_ref, `run:${SEED_PROJECT}.nightly-day1`);
  assert.equal(snap.run.project_ref, `project:${SEED_PROJECT}`);
  assert.equal(snap.run.name, 'nightly-day1');
  assert.equal(snap.run.status, 'completed');
  assert.equal(snap.run.started_at, '2025-03-18T02:00:00Z');
  assert.equal(snap.run.ended_at, '2025-03-18T04:30:00Z');

  const times = [['02:00', '02:20'], ['02:20', '02:50'], ['02:50', '03:00'], ['03:00', '04:00'], ['04:00', '04:30']];
  const at = (t: string) => `2025-03-18T${t}:00Z`;
  const counts = [
    { event: 1, metric: 0, span: 0, degraded: 0 },
    { event: 1, metric: 0, span: 0, degraded: 0 },
    { event: 1, metric: 0, span: 0, degraded: 1 },
    { event: 1, metric: 2, span: 0, degraded: 0 },
    { event: 1, metric: 1, span: 0, degraded: 0 },
  ];
  assert.equal(snap.stages.length, 5);
  snap.stages.forEach((s: any, i: number) => {
    const picked = {
      stage_execution_ref: s.stage_execution_ref,
      stage_name: s.stage_name,
      status: s.status,
      started_at: s.started_at,
      ended_at: s.ended_at,
      order_index: s.order_index,
      record_counts: s.record_counts,
    };
    assert.deepEqual(picked, {
      stage_execution_ref: `stage:${SEED_PROJECT}.nightly-day1.${SEED_STAGES[i]}`,
      stage_name: SEED_STAGES[i],
      status: 'completed',
      started_at: at(times[i][0]),
      ended_at: at(times[i][1]),
      order_index: i,
      record_counts: counts[i],
    });
  });

  assert.equal(snap.records.length, 9);
  for (const record of snap.records) {
    assert.deepEqual(Object.keys(record).sort(), ['envelope', 'payload']);
    assert.equal(record.envelope.run_ref, `run:${SEED_PROJECT}.nightly-day1`);
  }
  const degraded = snap.records.filter((r: any) => r.envelope.record_type === 'degraded');
  assert.equal(degraded.length, 1);
  assert.deepEqual(degraded[0].payload, {
    issue_key: 'validate.empty_dataframe_passthrough',
    category: 'capture',
    severity: 'error',
    summary: SEED_SUMMARY,
    origin_marker: 'explicit_capture',
    attributes: { row_count: 0, expected_minimum_rows: 10000, stage: 'validate' },
  });
  assert.equal(degraded[0].envelope.degradation_marker, 'capture_gap');
  assert.equal(degraded[0].envelope.completeness_marker, 'partial');
  assert.equal(degraded[0].envelope.stage_execution_ref, `stage:${SEED_PROJECT}.nightly-day1.validate`);
  const metrics = Object.fromEntries(
    snap.records.filter((r: any) => r.envelope.record_type === 'metric').map((r: any) => [r.payload.metric_key, r.payload.value]),
  );
  assert.deepEqual(metrics, {
    'train.loss': 2.31,
    'train.accuracy': 0.11,
    'eval.accuracy': 0.12,
  });
  const warnings = snap.records
    .filter((r: any) => r.envelope.record_type === 'event' && r.payload.level === 'warning')
    .map((r: any) => r.envelope.stage_execution_ref);
  assert.deepEqual(warnings, [`stage:${SEED_PROJECT}.nightly-day1.validate`, `stage:${SEED_PROJECT}.nightly-day1.evaluate`]);

  // Text form for people names the same things.
  const text = expectCode(run(['snapshot', 'nightly-day1'], { cwd: seeded.dir }), 0).stdout;
  for (const s of [...SEED_STAGES, 'validate.empty_dataframe_passthrough', 'train.loss', '2.31']) {
    assert.ok(text.includes(s), `text snapshot lacks ${s}`);
  }
});

test('runs filters: --project, --status, --since/--until, --limit', async () => {
  const names = (r: { json(): any }) => r.json().runs.map((x: any) => x.name);
  const [since, until, limit, status, project, noProject, window] = await Promise.all([
    runAsync(['runs', '--since', '2025-03-19T00:00:00Z', '--json'], { cwd: seeded.dir }),
    runAsync(['runs', '--until', '2025-03-19T00:00:00Z', '--json'], { cwd: seeded.dir }),
    runAsync(['runs', '--limit', '1', '--json'], { cwd: seeded.dir }),
    runAsync(['runs', '--status', 'failed', '--json'], { cwd: seeded.dir }),
    runAsync(['runs', '--project', SEED_PROJECT, '--limit', '2', '--json'], { cwd: seeded.dir }),
    runAsync(['runs', '--project', 'no-such-project', '--json'], { cwd: seeded.dir }),
    runAsync(['runs', '--since', '2025-03-19T02:00:00Z', '--until', '2025-03-19T02:00:00Z', '--json'], { cwd: seeded.dir }),
  ]);
  assert.deepEqual(names(expectCode(since, 0)), ['nightly-day3', 'nightly-day2']);
  assert.deepEqual(names(expectCode(until, 0)), ['nightly-day1']);
  assert.deepEqual(names(expectCode(limit, 0)), ['nightly-day3']);
  assert.deepEqual(names(expectCode(status, 0)), []);
  assert.deepEqual(names(expectCode(project, 0)), ['nightly-day3', 'nightly-day2']);
  // An unknown project is a mistake worth saying (exit 3), not an empty list.
  assert.match(expectCode(noProject, 3).stderr, /unknown project \\"no-such-project\\".*projects: nightly-ml-pipeline/);
  assert.deepEqual(names(expectCode(window, 0)), ['nightly-day2']);
});

test('a torn record line is reported with its file and line number; the rest of the run is still diagnosed', () => {
  const tmp = seededWorkspace();
  const log = path.join(tmp.ws, 'projects', SEED_PROJECT, 'runs', 'nightly-day2', 'records.ndjson');
  const lines = fs.readFileSync(log, 'utf8').split('\n').length - 1;
  fs.appendFileSync(log, '{"envelope": {"record_ref": "record:nightly-ml-pipe');
  const doc = expectCode(run(['diagnose', 'nightly-day2', '--json'], { cwd: tmp.dir }), 1).json();
  const torn = doc.issues.filter((i: any) => i.code === 'unreadable_record');
  assert.equal(torn.length, 1);
  assert.equal(torn[0].severity, 'error');
  assert.equal(torn[0].details.file, log);
  assert.equal(torn[0].details.line, lines + 1);
  assert.ok(doc.issues.some((i: any) => i.code === 'degraded_record' && i.summary === SEED_SUMMARY));
  const snap = expectCode(run(['snapshot', 'nightly-day2', '--json'], { cwd: tmp.dir }), 0).json();
  assert.equal(snap.records.length, 9);
});

test('runs are ordered by when they started, whatever zone offset their timestamps carry', async () => {
  const tmp = tempWorkspace();
  // 03:00+02:00 is 01:00Z: `early` started an hour before `late`, though its string sorts after.
  await runMany([
    [['record', 'stage', 'start', '--project', 'tz', '--run', 'early', '--stage', 'a', '--at', '2025-03-21T03:00:00+02:00'], { cwd: tmp.dir }],
    [['record', 'stage', 'start', '--project', 'tz', '--run', 'late', '--stage', 'a', '--at', '2025-03-21T02:00:00Z'], { cwd: tmp.dir }],
  ]).then((rs) => rs.forEach((r) => expectCode(r, 0)));
  await runMany([
    [['record', 'stage', 'start', '--project', 'tz', '--run', 'early', '--stage', 'b', '--at', '2025-03-21T03:10:00+02:00'], { cwd: tmp.dir }],
    [['record', 'run', 'end', '--project', 'tz', '--run', 'late', '--at', '2025-03-21T02:30:00Z', '--status', 'cancelled'], { cwd: tmp.dir }],
  ]).then((rs) => rs.forEach((r) => expectCode(r, 0)));
  const [all, newest, diag] = await runMany([
    [['runs', '--json'], { cwd: tmp.dir }],
    [['runs', '--limit', '1', '--json'], { cwd: tmp.dir }],
    [['diagnose', 'late', '--json'], { cwd: tmp.dir }],
  ]);
  assert.deepEqual(expectCode(all, 0).json().runs.map((r: any) => r.name), ['late', 'early']);
  assert.deepEqual(expectCode(newest, 0).json().runs.map((r: any) => r.name), ['late']);
  // `late` is compared with the run before it (`early`, which had stage b).
  const issues = expectCode(diag, 0).json().issues.filter((i: any) => i.code === 'expected_stage_missing');
  assert.deepEqual(
    issues.map((i: any) => [i.severity, i.stage, i.details.seen_in]),
    [['info', 'b', 'run:tz.early']],
  );
});

test('the read cache: outside the workspace, same answers warm, invalidated by a new record', async () => {
  const s = seededWorkspace();
  const cacheDir = path.join(tempWorkspace().dir, 'cache');
  const env = { CONTEXTA_CACHE_DIR: cacheDir };
  // Files changed in the last 2 s are never cached (a second change in the same mtime tick would not show).
  await new Promise((resolve) => setTimeout(resolve, 2100));
  const tree = treeSnapshot(s.dir, { mtimes: true });
  const cold = expectCode(run(['runs', '--json'], { cwd: s.dir, env }), 0).json();
  assert.equal(fs.readdirSync(cacheDir).length, 1, 'one cache file for the workspace');
  const warm = expectCode(run(['runs', '--json'], { cwd: s.dir, env }), 0).json();
  assert.deepEqual(warm, cold);
  assert.deepEqual(treeSnapshot(s.dir, { mtimes: true }), tree, 'read commands wrote into the workspace');
  expectCode(run(['record', 'metric', 'late.metric', '1', '--project', SEED_PROJECT, '--run', 'nightly-day2'], { cwd: s.dir, env }), 0);
  const after = expectCode(run(['runs', '--json'], { cwd: s.dir, env }), 0).json() as { runs: { name: string; record_count: number }[] };
  assert.equal(after.runs.find((r) => r.name === 'nightly-day2')!.record_count, 10);
  const off = expectCode(run(['runs', '--json'], { cwd: s.dir, env: { CONTEXTA_CACHE: 'off' } }), 0).json();
  assert.deepEqual(off, after);
});
