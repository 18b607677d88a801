/**
 * Recording from shell, one call per fact, then gating on `diagnose`:
 * a healthy run passes, degraded records and failed stages fail it at the
 * documented thresholds; attributes are typed; context comes from the
 * environment; parallel writers lose nothing.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  expectCode,
  readJson,
  readNdjson,
  run,
  runAsync,
  runDir,
  tempWorkspace,
  treeSnapshot,
  type Env,
  type TempWorkspace,
} from './helpers';

const RECORD_REF = /^record:[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$/;

let tmp: TempWorkspace;

/** `contexta record …` in the shared workspace, expecting success and one line (a ref) on stdout. */
async function rec(args: string[], env: Env): Promise<string> {
  const r = expectCode(await runAsync(['record', ...args], { cwd: tmp.dir, env }), 0);
  assert.equal(r.stderr, '');
  assert.ok(r.stdout.endsWith('\n') && r.stdout.split('\n').length === 2, `one line on stdout: ${JSON.stringify(r.stdout)}`);
  return r.stdout.trimEnd();
}

function diagnose(project: string, runName: string, ...flags: string[]) {
  return runAsync(['diagnose', runName, '--project', project, '--json', ...flags], { cwd: tmp.dir });
}

/** Several gate checks at once: [flags, expected exit code]. */
async function gate(project: string, runName: string, cases: [string[], number][]): Promise<void> {
  const results = await Promise.all(cases.map(([flags]) => diagnose(project, runName, ...flags)));
  results.forEach((r, i) => expectCode(r, cases[i][1]));
}

/**
 * A whole pipeline from shell, the way stage scripts record it: run start,
 * then per stage start / metric / end, then run end.
 */
async function pipeline(
  project: string,
  runName: string,
  stages: string[],
  opts: { stageStatus?: Record<string, string>; runStatus?: string } = {},
): Promise<void> {
  const env = { CONTEXTA_PROJECT: project, CONTEXTA_RUN: runName };
  assert.equal(await rec(['run', 'start', '--at', '2025-04-01T01:00:00Z', '--description', 'nightly'], env), `run:${project}.${runName}`);
  for (const [i, stage] of stages.entries()) {
    const t = (m: number) => `2025-04-01T01:${String(i * 10 + m).padStart(2, '0')}:00Z`;
    assert.equal(await rec(['stage', 'start', '--stage', stage, '--at', t(0)], env), `stage:${project}.${runName}.${stage}`);
    assert.match(await rec(['metric', `${stage}.rows`, String(100 + i), '--stage', stage, '--unit', 'rows', '--at', t(5)], env), RECORD_REF);
    const status = opts.stageStatus?.[stage];
    await rec(['stage', 'end', '--stage', stage, '--at', t(9), ...(status ? ['--status', status] : [])], env);
  }
  const runStatus = opts.runStatus ? ['--status', opts.runStatus] : [];
  assert.equal(await rec(['run', 'end', '--at', '2025-04-01T01:30:00Z', ...runStatus], env), `run:${project}.${runName}`);
}

before(async () => {
  tmp = tempWorkspace();
  expectCode(run(['init', '--project', 'shop'], { cwd: tmp.dir }), 0);
  // Independent scenarios (one project each, so no cross-run history) are recorded side by side.
  await Promise.all([
    pipeline('shop', 'healthy', ['extract', 'transform', 'load']),
    pipeline('lab', 'broken', ['prepare', 'train'], { stageStatus: { train: 'failed' }, runStatus: 'failed' }),
    // Ended "completed" (the default) over a failed stage.
    pipeline('claim', 'overclaimed', ['prepare', 'train'], { stageStatus: { train: 'failed' } }),
    (async () => {
      const env = { CONTEXTA_PROJECT: 'dock', CONTEXTA_RUN: 'dangling' };
      await rec(['stage', 'start', '--stage', 'export', '--at', '2025-04-01T01:00:00Z'], env);
      await rec(['metric', 'export.rows', '3', '--stage', 'export', '--at', '2025-04-01T01:01:00Z'], env);
      await rec(['stage', 'start', '--stage', 'notify', '--at', '2025-04-01T01:02:00Z'], env);
      await rec(['stage', 'end', '--stage', 'notify', '--at', '2025-04-01T01:03:00Z'], env);
      await rec(['run', 'end', '--at', '2025-04-01T01:05:00Z'], env);
    })(),
  ]);
});

test('a healthy run recorded from shell passes the default gate, and every threshold', async (t) => {
  await t.test('diagnose: no issues at all, exit 0 even with --fail-on info', async () => {
    const [doc] = await Promise.all([diagnose('shop', 'healthy'), gate('shop', 'healthy', [[['--fail-on', 'info'], 0]])]);
    expectCode(doc, 0);
    assert.deepEqual(doc.json().issues, []);
    assert.deepEqual(doc.json().counts, { error: 0, warning: 0, info: 0 });
  });

  await t.test('snapshot shows what was recorded: statuses, --at timestamps, order, counts', () => {
    const snap = expectCode(run(['snapshot', 'run:shop.healthy', '--json'], { cwd: tmp.dir }), 0).json();
    assert.equal(snap.run.run_ref, 'run:shop.healthy');
    assert.equal(snap.run.status, 'completed');
    assert.equal(snap.run.started_at, '2025-04-01T01:00:00Z');
    assert.equal(snap.run.ended_at, '2025-04-01T01:30:00Z');
    assert.equal(snap.run.description, 'nightly');
    assert.deepEqual(
      snap.stages.map((s: any) => [s.stage_name, s.status, s.started_at, s.ended_at, s.order_index, s.record_counts]),
      [
        ['extract', 'completed', '2025-04-01T01:00:00Z', '2025-04-01T01:09:00Z', 0, { event: 0, metric: 1, span: 0, degraded: 0 }],
        ['transform', 'completed', '2025-04-01T01:10:00Z', '2025-04-01T01:19:00Z', 1, { event: 0, metric: 1, span: 0, degraded: 0 }],
        ['load', 'completed', '2025-04-01T01:20:00Z', '2025-04-01T01:29:00Z', 2, { event: 0, metric: 1, span: 0, degraded: 0 }],
      ],
    );
    const metric = snap.records[0];
    assert.deepEqual(metric.payload, {
      metric_key: 'extract.rows',
      value: 100,
      value_type: 'integer',
      unit: 'rows',
      aggregation_scope: 'stage',
      tags: {},
    });
    assert.equal(metric.envelope.observed_at, '2025-04-01T01:05:00Z');
    assert.equal(metric.envelope.stage_execution_ref, 'stage:shop.healthy.extract');
  });

  await t.test('a degraded warning fails only --fail-on warning', async () => {
    const ref = await rec(
      ['degraded', 'load.late_partition', '--run', 'healthy', '--stage', 'load',
        '--summary', 'one partition arrived late and was skipped', '--severity', 'warning'],
      { CONTEXTA_PROJECT: 'shop' },
    );
    assert.match(ref, /^record:shop\.healthy\./);
    const [doc] = await Promise.all([
      diagnose('shop', 'healthy'),
      gate('shop', 'healthy', [[['--fail-on', 'warning'], 1], [['--fail-on', 'error'], 0], [['--fail-on', 'info'], 1]]),
    ]);
    expectCode(doc, 0);
    assert.deepEqual(
      doc.json().issues.map((i: any) => [i.severity, i.code, i.stage, i.summary, i.evidence]),
      [['warning', 'degraded_record', 'load', 'one partition arrived late and was skipped', [ref]]],
    );
  });

  await t.test('a degraded error fails the default gate, with the payload severity and summary', async () => {
    const ref = await rec(
      ['degraded', 'load.empty_write', '--run', 'healthy', '--stage', 'load', '--severity', 'error',
        '--summary', 'wrote 0 rows', '--category', 'verification', '--marker', 'capture_gap', '--attr', 'rows=0'],
      { CONTEXTA_PROJECT: 'shop' },
    );
    const [r] = await Promise.all([diagnose('shop', 'healthy'), gate('shop', 'healthy', [[['--fail-on', 'never'], 0]])]);
    expectCode(r, 1);
    const errors = r.json().issues.filter((i: any) => i.severity === 'error');
    assert.deepEqual(errors, [
      {
        severity: 'error',
        code: 'degraded_record',
        summary: 'wrote 0 rows',
        run_ref: 'run:shop.healthy',
        stage: 'load',
        subject_ref: 'stage:shop.healthy.load',
        details: {
          issue_key: 'load.empty_write',
          category: 'verification',
          completeness_marker: 'partial',
          degradation_marker: 'capture_gap',
          origin_marker: 'explicit_capture',
          attributes: { rows: 0 },
        },
        evidence: [ref],
      },
    ]);
  });
});

test('a failed stage fails the gate even though the process exited 0', async (t) => {
  await t.test('run failed, stage failed: exactly one stage_failed error', async () => {
    const doc = expectCode(await diagnose('lab', 'broken'), 1).json();
    assert.deepEqual(
      doc.issues.map((i: any) => [i.severity, i.code, i.stage, i.subject_ref]),
      [['error', 'stage_failed', 'train', 'stage:lab.broken.train']],
    );
  });

  await t.test('an ended run keeps its status: flipping failed to completed is refused (exit 2)', async () => {
    const flip = await runAsync(['record', 'run', 'end', '--run', 'broken', '--at', '2025-04-01T01:31:00Z'], { cwd: tmp.dir, env: { CONTEXTA_PROJECT: 'lab' } });
    expectCode(flip, 2);
    assert.match(flip.stderr, /already ended as failed .*refusing to change it to completed/);
    const doc = expectCode(await diagnose('lab', 'broken'), 1).json();
    assert.deepEqual(doc.issues.map((i: any) => i.code), ['stage_failed']);
  });

  await t.test('run claiming completed over a failed stage: also a run_status_contradiction error', async () => {
    const doc = expectCode(await diagnose('claim', 'overclaimed'), 1).json();
    assert.deepEqual(
      doc.issues.map((i: any) => [i.severity, i.code, i.stage]),
      [
        ['error', 'run_status_contradiction', null],
        ['error', 'stage_failed', 'train'],
      ],
    );
  });

  await t.test('a stage left open after the run ended is a warning; a completed stage without metrics is info', async () => {
    const [r] = await Promise.all([
      diagnose('dock', 'dangling'),
      gate('dock', 'dangling', [[['--fail-on', 'warning'], 1], [['--fail-on', 'info'], 1]]),
    ]);
    expectCode(r, 0);
    assert.deepEqual(
      r.json().issues.map((i: any) => [i.severity, i.code, i.stage]),
      [
        ['warning', 'stage_not_finished', 'export'],
        ['info', 'stage_without_metrics', 'notify'],
      ],
    );
  });
});

test('--attr values that look like numbers or booleans are stored typed; --tag values stay strings (the contract allows only strings there)', async () => {
  const env = { CONTEXTA_PROJECT: 'shop', CONTEXTA_RUN: 'typed' };
  const eventRef = await rec(
    ['event', 'train.finished', 'done', '--attr', 'n=5', '--attr', 'ok=true', '--attr', 's=abc', '--attr', 'f=1.5',
      '--attr', 'neg=-2', '--attr', 'off=false', '--attr', 'zip=007', '--attr', 'eq=a=b', '--attr', 'empty='],
    env,
  );
  const metricRef = await rec(['metric', 'train.loss', '2.50', '--tag', 'shard=3', '--tag', 'region=eu', '--tag', 'warm=true'], env);
  const negativeRef = await rec(['metric', 'train.loss-delta', '-0.5'], env);
  const snap = expectCode(run(['snapshot', 'typed', '--project', 'shop', '--json'], { cwd: tmp.dir }), 0).json();
  const byRef = new Map(snap.records.map((r: any) => [r.envelope.record_ref, r]));

  const attrs = (byRef.get(eventRef) as any).payload.attributes;
  assert.deepEqual(attrs, { n: 5, ok: true, s: 'abc', f: 1.5, neg: -2, off: false, zip: '007', eq: 'a=b', empty: '' });
  assert.equal(typeof attrs.n, 'number');
  assert.equal(typeof attrs.ok, 'boolean');
  assert.equal(typeof attrs.s, 'string');
  assert.equal((byRef.get(eventRef) as any).payload.level, 'info');

  const metric = (byRef.get(metricRef) as any).payload;
  assert.deepEqual(metric.tags, { shard: '3', region: 'eu', warm: 'true' });
  assert.equal(metric.value, 2.5);
  assert.equal(metric.value_type, 'float');
  assert.equal(metric.aggregation_scope, 'run', 'no stage: a run-scoped metric');
  assert.equal((byRef.get(negativeRef) as any).payload.value, -0.5);
});

test('context from CONTEXTA_PROJECT/RUN/STAGE: `contexta record metric rows 0` alone', async () => {
  const env = { CONTEXTA_PROJECT: 'envproj', CONTEXTA_RUN: 'env-run', CONTEXTA_STAGE: 'validate' };
  const ref = await rec(['metric', 'rows', '0'], env);
  assert.match(ref, /^record:envproj\.env-run\.[a-z0-9-]+$/);
  const dir = runDir(tmp.ws, 'envproj', 'env-run');
  const [record] = readNdjson(path.join(dir, 'records.ndjson'));
  assert.equal(record.envelope.record_ref, ref);
  assert.equal(record.envelope.run_ref, 'run:envproj.env-run');
  assert.equal(record.envelope.stage_execution_ref, 'stage:envproj.env-run.validate');
  assert.equal(record.envelope.record_type, 'metric');
  assert.equal(record.envelope.degradation_marker, 'none');
  assert.equal(record.envelope.completeness_marker, 'complete');
  assert.equal(record.envelope.schema_version, '1.0.0');
  assert.deepEqual(record.envelope.correlation_refs, {});
  assert.deepEqual(record.envelope.extensions, []);
  assert.deepEqual(record.payload, { metric_key: 'rows', value: 0, value_type: 'integer', aggregation_scope: 'stage', tags: {} });
  // Missing entries were created, open.
  assert.equal(readJson(path.join(tmp.ws, 'projects', 'envproj', 'project.json')).project_ref, 'project:envproj');
  assert.equal(readJson(path.join(dir, 'run.json')).status, 'open');
  const stage = readJson(path.join(dir, 'stages', 'validate.json'));
  assert.deepEqual(
    [stage.stage_execution_ref, stage.run_ref, stage.status, stage.order_index],
    ['stage:envproj.env-run.validate', 'run:envproj.env-run', 'open', 0],
  );

  // Flags win over the environment.
  const other = await rec(['metric', 'rows', '1', '--run', 'flag-run', '--stage', 'train'], env);
  assert.match(other, /^record:envproj\.flag-run\./);
  assert.equal(readNdjson(path.join(runDir(tmp.ws, 'envproj', 'flag-run'), 'records.ndjson'))[0].envelope.stage_execution_ref, 'stage:envproj.flag-run.train');
  assert.equal(readNdjson(path.join(dir, 'records.ndjson')).length, 1, 'the flag-run metric went elsewhere');

  // A degraded record with only --summary gets the documented defaults.
  const degradedRef = await rec(['degraded', 'validate.suspicious', '--summary', 'fewer rows than usual'], env);
  const degraded = readNdjson(path.join(dir, 'records.ndjson'))[1];
  assert.equal(degraded.envelope.record_ref, degradedRef);
  assert.deepEqual(
    [degraded.envelope.record_type, degraded.envelope.degradation_marker, degraded.envelope.completeness_marker],
    ['degraded', 'partial_failure', 'partial'],
  );
  assert.deepEqual(degraded.payload, {
    issue_key: 'validate.suspicious',
    category: 'capture',
    severity: 'warning',
    summary: 'fewer rows than usual',
    origin_marker: 'explicit_capture',
    attributes: {},
  });

  // CONTEXTA_WORKSPACE is honoured from anywhere.
  const elsewhere = tempWorkspace();
  const viaEnv = expectCode(
    run(['record', 'event', 'validate.done', 'ok'], { cwd: elsewhere.dir, env: { ...env, CONTEXTA_WORKSPACE: tmp.ws } }),
    0,
  ).stdout.trimEnd();
  assert.equal(readNdjson(path.join(dir, 'records.ndjson'))[2].envelope.record_ref, viaEnv);
  assert.deepEqual(treeSnapshot(elsewhere.dir), {});
});

test('no project or run given anywhere: exit 2 naming the flag and the variable, nothing written', () => {
  const before = treeSnapshot(tmp.dir);
  const r = expectCode(run(['record', 'metric', 'rows', '0'], { cwd: tmp.dir }), 2);
  assert.match(r.stderr, /--project/);
  assert.match(r.stderr, /CONTEXTA_PROJECT/);
  assert.equal(r.stdout, '');
  const s = expectCode(run(['record', 'stage', 'start'], { cwd: tmp.dir, env: { CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r' } }), 2);
  assert.match(s.stderr, /--stage/);
  assert.match(s.stderr, /CONTEXTA_STAGE/);
  assert.deepEqual(treeSnapshot(tmp.dir), before);
});

test('spans are recorded with the span payload fields (times in the stored UTC form)', async () => {
  const env = { CONTEXTA_PROJECT: 'shop', CONTEXTA_RUN: 'spans', CONTEXTA_STAGE: 'extract' };
  const ref = await rec(
    ['span', 'load-partition', '--start', '2025-03-18T02:00:00Z', '--end', '2025-03-18T02:04:00.250Z', '--kind', 'io',
      '--status', 'timeout', '--span-id', 'abc123', '--trace-id', 'trace-1', '--parent', 'root-span', '--attr', 'bytes=1024',
      '--link', 'run:shop.healthy'],
    env,
  );
  const [record] = readNdjson(path.join(runDir(tmp.ws, 'shop', 'spans'), 'records.ndjson'));
  assert.equal(record.envelope.record_ref, ref);
  assert.equal(record.envelope.record_type, 'span');
  assert.deepEqual(record.payload, {
    span_id: 'abc123',
    trace_id: 'trace-1',
    parent_span_id: 'root-span',
    span_name: 'load-partition',
    started_at: '2025-03-18T02:00:00Z',
    ended_at: '2025-03-18T02:04:00.250000Z', // microseconds, as the Python library writes them
    status: 'timeout',
    span_kind: 'io',
    attributes: { bytes: 1024 },
    linked_refs: ['run:shop.healthy'],
  });
});

test('20 parallel writers into a fresh directory: unique record refs, nothing lost, whole lines, ordered stages', async () => {
  const fresh = tempWorkspace();
  const env = { CONTEXTA_PROJECT: 'par', CONTEXTA_RUN: 'burst' };
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      runAsync(['record', 'event', `e.n${i}`, `message ${i}`, '--stage', `s${i % 4}`, '--attr', `i=${i}`], { cwd: fresh.dir, env }),
    ),
  );
  for (const r of results) expectCode(r, 0);
  const refs = results.map((r) => r.stdout.trimEnd());
  refs.forEach((ref) => assert.match(ref, /^record:par\.burst\./));
  assert.equal(new Set(refs).size, 20, 'record refs must be unique');

  const dir = runDir(fresh.ws, 'par', 'burst');
  const text = fs.readFileSync(path.join(dir, 'records.ndjson'), 'utf8');
  const records = readNdjson(path.join(dir, 'records.ndjson'));
  assert.equal(text.split('\n').length, 21);
  assert.equal(records.length, 20);
  assert.deepEqual(new Set(records.map((r) => r.envelope.record_ref)), new Set(refs));
  assert.deepEqual(
    records.map((r) => r.payload.attributes.i).sort((a, b) => a - b),
    Array.from({ length: 20 }, (_, i) => i),
  );
  // Four stages created concurrently: each once, with distinct positions 0..3.
  const stages = fs.readdirSync(path.join(dir, 'stages')).sort();
  assert.deepEqual(stages, ['s0.json', 's1.json', 's2.json', 's3.json']);
  assert.deepEqual(
    stages.map((f) => readJson(path.join(dir, 'stages', f)).order_index).sort(),
    [0, 1, 2, 3],
  );
  // No temp or lock files left behind.
  for (const file of Object.keys(treeSnapshot(fresh.dir))) assert.doesNotMatch(file, /\.(tmp|lock)$/, file);
  const snap = expectCode(run(['snapshot', 'burst', '--json'], { cwd: fresh.dir }), 0).json();
  assert.equal(snap.records.length, 20);
  assert.deepEqual(snap.unreadable, []);
});
