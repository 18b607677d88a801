/**
 * The case study end to end: `init` + `seed` writes Nina's three silent
 * nights, `runs` shows them, `diagnose` finds the empty DataFrame on day 1,
 * and the CI gate, JSON and NDJSON outputs behave as documented.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  expectCode,
  fileList,
  REPO_ROOT,
  run,
  SEED_PROJECT,
  SEED_STAGES,
  SEED_SUMMARY,
  tempWorkspace,
  treeSnapshot,
  type TempWorkspace,
} from './helpers';

const DAYS = ['2025-03-18', '2025-03-19', '2025-03-20'];
const runRef = (n: number) => `run:${SEED_PROJECT}.nightly-day${n}`;

let tmp: TempWorkspace;

before(() => {
  tmp = tempWorkspace();
  const init = expectCode(run(['init'], { cwd: tmp.dir }), 0);
  assert.equal(init.stderr, '');
  const seed = expectCode(run(['seed', '--json'], { cwd: tmp.dir }), 0);
  assert.deepEqual(seed.json(), { workspace: tmp.ws, outcome: 'created', project: SEED_PROJECT, files: 23 });
});

test('runs --json lists the three completed runs, newest first, five completed stages each in pipeline order', () => {
  const doc = expectCode(run(['runs', '--json'], { cwd: tmp.dir }), 0).json();
  assert.equal(doc.runs.length, 3);
  assert.deepEqual(
    doc.runs.map((r: any) => r.run_ref),
    [runRef(3), runRef(2), runRef(1)],
  );
  doc.runs.forEach((r: any, i: number) => {
    const day = 3 - i;
    assert.equal(r.project, SEED_PROJECT);
    assert.equal(r.name, `nightly-day${day}`);
    assert.equal(r.status, 'completed');
    assert.equal(r.started_at, `${DAYS[day - 1]}T02:00:00Z`);
    assert.equal(r.ended_at, `${DAYS[day - 1]}T04:30:00Z`);
    assert.deepEqual(
      r.stages.map((s: any) => ({ name: s.name, status: s.status })),
      SEED_STAGES.map((name) => ({ name, status: 'completed' })),
    );
    // The bad stage is visible at a glance: validate carries the error. Three nights of the
    // same warnings make them recurring_issue errors on night 3; nights 2 and 3 are still learning.
    // ingest, preprocess and validate record no metric: one info each (the library's own case study).
    assert.deepEqual(r.issue_counts, { error: day === 3 ? 3 : 1, warning: 2, info: day === 1 ? 3 : 4 });
    assert.deepEqual(
      r.stages.find((s: any) => s.name === 'validate').issue_counts,
      { error: day === 3 ? 2 : 1, warning: 1, info: 1 },
    );
  });
});

test('runs --ndjson streams the same rows as runs --json, one object per line', () => {
  const json = run(['runs', '--json'], { cwd: tmp.dir }).json();
  const nd = expectCode(run(['runs', '--ndjson'], { cwd: tmp.dir }), 0);
  assert.equal(nd.stdout.split('\n').length, 4, 'three lines and a final newline');
  assert.deepEqual(nd.ndjson(), json.runs);
});

test('diagnose nightly-day1 --json: exactly one error, the degraded record in validate, with the seed summary', () => {
  const r = expectCode(run(['diagnose', 'nightly-day1', '--json'], { cwd: tmp.dir }), 1);
  assert.equal(r.stderr, '');
  const doc = r.json();
  const errors = doc.issues.filter((i: any) => i.severity === 'error');
  assert.equal(errors.length, 1);
  assert.deepEqual(errors[0], {
    severity: 'error',
    code: 'degraded_record',
    summary: SEED_SUMMARY,
    run_ref: runRef(1),
    stage: 'validate',
    subject_ref: `stage:${SEED_PROJECT}.nightly-day1.validate`,
    details: {
      issue_key: 'validate.empty_dataframe_passthrough',
      category: 'capture',
      completeness_marker: 'partial',
      degradation_marker: 'capture_gap',
      origin_marker: 'explicit_capture',
      attributes: { row_count: 0, expected_minimum_rows: 10000, stage: 'validate' },
    },
    evidence: [`record:${SEED_PROJECT}.nightly-day1.r00003`],
  });
  // Issues in pipeline order: the two warning events of the case study, and stages without metrics.
  assert.deepEqual(
    doc.issues.map((i: any) => [i.severity, i.code, i.stage]),
    [
      ['info', 'stage_without_metrics', 'ingest'],
      ['info', 'stage_without_metrics', 'preprocess'],
      ['error', 'degraded_record', 'validate'],
      ['warning', 'event_warning', 'validate'],
      ['info', 'stage_without_metrics', 'validate'],
      ['warning', 'event_warning', 'evaluate'],
    ],
  );
  assert.deepEqual(doc.counts, { error: 1, warning: 2, info: 3 });
  assert.deepEqual(
    doc.runs.map((x: any) => ({ run_ref: x.run_ref, counts: x.counts })),
    [{ run_ref: runRef(1), counts: { error: 1, warning: 2, info: 3 } }],
  );
});

test('the gate: diagnose --all exits 1; --fail-on never exits 0; --fail-on warning and info exit 1', () => {
  const all = expectCode(run(['diagnose', '--all'], { cwd: tmp.dir }), 1);
  assert.ok(all.stdout.includes(SEED_SUMMARY), all.stdout);
  for (const day of [1, 2, 3]) assert.ok(all.stdout.includes(`nightly-day${day}`), all.stdout);
  assert.doesNotMatch(all.stdout, /\x1b\[/, 'no colour codes with NO_COLOR');
  expectCode(run(['diagnose', '--all', '--fail-on', 'never'], { cwd: tmp.dir }), 0);
  expectCode(run(['diagnose', '--all', '--fail-on', 'warning', '--json'], { cwd: tmp.dir }), 1);
  expectCode(run(['diagnose', '--fail-on', 'info', '--project', SEED_PROJECT, '--json'], { cwd: tmp.dir }), 1);
});

test('text output on a pipe has no colour even without NO_COLOR (colour only on a TTY)', () => {
  const r = expectCode(run(['runs'], { cwd: tmp.dir, env: { NO_COLOR: undefined } }), 0);
  assert.doesNotMatch(r.stdout, /\x1b\[/);
  assert.ok(r.stdout.includes('nightly-ml-pipeline'), r.stdout);
});

test('diagnose --all --json works for jq: every issue carries its run_ref; selecting errors gives one per night', () => {
  const doc = expectCode(run(['diagnose', '--all', '--json'], { cwd: tmp.dir }), 1).json();
  assert.equal(doc.issues.length, 22);
  for (const issue of doc.issues) {
    assert.ok([runRef(1), runRef(2), runRef(3)].includes(issue.run_ref), JSON.stringify(issue));
    for (const key of ['severity', 'code', 'summary', 'run_ref', 'stage', 'subject_ref', 'details', 'evidence']) {
      assert.ok(key in issue, `issue lacks ${key}: ${JSON.stringify(issue)}`);
    }
  }
  // jq '.issues[] | select(.severity == "error")'
  const errors = doc.issues.filter((i: any) => i.severity === 'error');
  assert.deepEqual(
    errors.filter((i: any) => i.code === 'degraded_record').map((i: any) => [i.run_ref, i.code, i.stage, i.summary]),
    [1, 2, 3].map((n) => [runRef(n), 'degraded_record', 'validate', SEED_SUMMARY]),
  );
  // The same two warnings three nights in a row: recurring_issue errors on night 3, on their stages.
  assert.deepEqual(
    errors.filter((i: any) => i.code === 'recurring_issue').map((i: any) => [i.run_ref, i.stage, i.details.consecutive]),
    [[runRef(3), 'validate', 3], [runRef(3), 'evaluate', 3]],
  );
  assert.deepEqual(doc.counts, { error: 5, warning: 6, info: 11 });
  assert.deepEqual(
    doc.runs.map((x: any) => [x.run_ref, x.counts]),
    [1, 2, 3].map((n) => [runRef(n), { error: n === 3 ? 3 : 1, warning: 2, info: n === 1 ? 3 : 4 }]),
  );
});

test('diagnose --ndjson: one JSON object per line, the same issues as --json, same gate', () => {
  const json = run(['diagnose', '--all', '--json'], { cwd: tmp.dir }).json();
  const nd = expectCode(run(['diagnose', '--all', '--ndjson'], { cwd: tmp.dir }), 1);
  const lines = nd.stdout.split('\n');
  assert.equal(lines.pop(), '', 'ends with a newline');
  assert.equal(lines.length, 22);
  for (const line of lines) {
    assert.ok(line.startsWith('{') && line.endsWith('}'), line);
  }
  assert.deepEqual(nd.ndjson(), json.issues);
  expectCode(run(['diagnose', '--all', '--ndjson', '--fail-on', 'never'], { cwd: tmp.dir }), 0);
});

test('seed is deterministic: two fresh seeds are byte-identical; seeding again changes nothing', () => {
  const a = tempWorkspace();
  const b = tempWorkspace();
  expectCode(run(['seed'], { cwd: a.dir }), 0);
  expectCode(run(['--workspace', b.ws, 'seed'], { cwd: a.dir }), 0);
  const first = treeSnapshot(a.ws, { mtimes: true });
  assert.deepEqual(treeSnapshot(b.ws), treeSnapshot(a.ws));
  assert.equal(fileList(a.ws).length, 1 + 1 + 3 * 7);

  const again = expectCode(run(['seed', '--json'], { cwd: a.dir }), 0);
  assert.equal(again.json().outcome, 'already_seeded');
  assert.deepEqual(treeSnapshot(a.ws, { mtimes: true }), first, 'second seed rewrote or added files');
  // And the workspace the case study ran in (init, then seed) is the same bytes too.
  assert.deepEqual(treeSnapshot(tmp.ws), treeSnapshot(a.ws));
  // Like init, seed creates a --workspace whose parent directories do not exist yet.
  const deep = b.at('new', 'nested', '.contexta');
  expectCode(run(['--workspace', deep, 'seed'], { cwd: b.dir }), 0);
  assert.deepEqual(treeSnapshot(deep), treeSnapshot(a.ws));
});

test('.contexta.example/ in the repository is exactly what seed writes', () => {
  const example = path.join(REPO_ROOT, '.contexta.example');
  const seeded = tempWorkspace();
  expectCode(run(['seed'], { cwd: seeded.dir }), 0);
  assert.deepEqual(fileList(example), fileList(seeded.ws));
  for (const file of fileList(example)) {
    const want = fs.readFileSync(path.join(seeded.ws, file));
    const got = fs.readFileSync(path.join(example, file));
    assert.ok(got.equals(want), `.contexta.example/${file} differs from seed output`);
  }
  assert.deepEqual(treeSnapshot(example), treeSnapshot(seeded.ws));
});

test('the checked-in example workspace is readable in place (--workspace) and diagnoses the same', () => {
  const example = path.join(REPO_ROOT, '.contexta.example');
  const before = treeSnapshot(example, { mtimes: true });
  const fromExample = expectCode(run(['--workspace', example, 'diagnose', '--json'], { cwd: tmp.dir }), 1).json();
  const fromSeed = run(['diagnose', '--json'], { cwd: tmp.dir }).json();
  assert.deepEqual(
    fromExample.issues.map((i: any) => ({ ...i, details: { ...i.details, file: undefined } })),
    fromSeed.issues.map((i: any) => ({ ...i, details: { ...i.details, file: undefined } })),
  );
  assert.deepEqual(treeSnapshot(example, { mtimes: true }), before, 'a read command wrote into the workspace');
});

test('seed never clobbers: a case-study run with an extra record makes seed refuse (exit 3), nothing written', () => {
  const ws = tempWorkspace();
  expectCode(run(['seed'], { cwd: ws.dir }), 0);
  expectCode(run(['record', 'metric', 'rows', '1', '--project', SEED_PROJECT, '--run', 'nightly-day1'], { cwd: ws.dir }), 0);
  const before = treeSnapshot(ws.dir, { mtimes: true });
  const r = expectCode(run(['seed'], { cwd: ws.dir }), 3);
  assert.match(r.stderr, /refusing to seed/);
  assert.ok(r.stderr.includes('projects/nightly-ml-pipeline/runs/nightly-day1/records.ndjson'), r.stderr);
  assert.equal(r.stdout, '');
  assert.deepEqual(treeSnapshot(ws.dir, { mtimes: true }), before);
});
