/**
 * `record import`: the Python library's RecordStore lines (wrapped, sorted
 * keys, nulls omitted, fractional-second timestamps) and bare canonical lines,
 * from a file or standard input, creating runs and stages as needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  expectCode,
  FIXTURES,
  readJson,
  readNdjson,
  REPO_ROOT,
  run,
  runAsync,
  runDir,
  tempWorkspace,
} from './helpers';

const PY_FILE = path.join(FIXTURES, 'python-export.ndjson');
const CANON_FILE = path.join(FIXTURES, 'canonical-records.ndjson');
const PY_RUN = 'run:python-pipeline.nightly-day4';
const CANON_RUN = 'run:batch-etl.backfill-0322';
const PY_SUMMARY =
  'Validate stage received 0 rows after schema migration (python export). Empty DataFrame passed to train stage without raising an exception.';

const pyLines = () => readNdjson(PY_FILE);

test('the Python fixture is what the Python library writes (its RecordStore lines, made by fixtures/generate-python-export.py)', () => {
  const lines = pyLines();
  assert.equal(lines.length, 8);
  lines.forEach((line, i) => {
    assert.deepEqual(Object.keys(line), ['appended_at', 'record', 'sequence']);
    assert.equal(line.sequence, i + 1);
    assert.match(line.appended_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(line.record.envelope.producer_ref, 'sdk.python.local');
    assert.match(line.record.envelope.observed_at, /Z$/);
  });
  const types = lines.map((l) => l.record.envelope.record_type);
  assert.deepEqual([...new Set(types)].sort(), ['degraded', 'event', 'metric', 'span']);
  // Python's own number forms survive: 2.0 stays a float, 1e-07 and 1e+16 keep their exponent.
  const text = fs.readFileSync(PY_FILE, 'utf8');
  for (const form of ['"ratio":2.0', '"tiny":1e-07', '"value":1e+16', '日本語']) assert.ok(text.includes(form), form);
});

test('import a Python export from a file: runs and stages created, records stored byte for byte, diagnose finds the degraded error', async () => {
  const tmp = tempWorkspace();
  // The file named relative to the current directory, the workspace by flag.
  const r = expectCode(
    run(['--workspace', tmp.ws, 'record', 'import', 'fixtures/python-export.ndjson'], { cwd: REPO_ROOT }),
    0,
  );
  assert.equal(r.stdout, `imported 8 records into ${PY_RUN}\n`);

  const dir = runDir(tmp.ws, 'python-pipeline', 'nightly-day4');
  assert.deepEqual(readJson(path.join(dir, 'run.json')), {
    extensions: [],
    name: 'nightly-day4',
    project_ref: 'project:python-pipeline',
    run_ref: PY_RUN,
    schema_version: '1.0.0',
    started_at: '2025-03-21T02:00:00.123456Z',
    status: 'open',
  });
  assert.deepEqual(fs.readdirSync(path.join(dir, 'stages')).sort(), ['ingest.json', 'train.json', 'validate.json']);
  const stage = (name: string) => readJson(path.join(dir, 'stages', `${name}.json`));
  assert.deepEqual(
    ['ingest', 'validate', 'train'].map((n) => [stage(n).stage_execution_ref, stage(n).status, stage(n).started_at, stage(n).order_index]),
    [
      ['stage:python-pipeline.nightly-day4.ingest', 'open', '2025-03-21T02:00:00.123456Z', 0],
      ['stage:python-pipeline.nightly-day4.validate', 'open', '2025-03-21T02:14:30.250000Z', 1],
      ['stage:python-pipeline.nightly-day4.train', 'open', '2025-03-21T02:20:00Z', 2],
    ],
  );
  // Each stored line is the `record` of the library's line, byte for byte.
  const recordText = (line: string) => line.slice(line.indexOf('"record":') + 9, line.lastIndexOf(',"sequence"'));
  assert.equal(
    fs.readFileSync(path.join(dir, 'records.ndjson'), 'utf8'),
    fs.readFileSync(PY_FILE, 'utf8').trim().split('\n').map((l) => `${recordText(l)}\n`).join(''),
  );
  // Stored as bare canonical records (the wrapper dropped), one per line, in order.
  const stored = readNdjson(path.join(dir, 'records.ndjson'));
  assert.deepEqual(stored, pyLines().map((l) => l.record));

  const [diag, snap, runs] = await Promise.all([
    runAsync(['diagnose', 'nightly-day4', '--json'], { cwd: tmp.dir }),
    runAsync(['snapshot', PY_RUN, '--json'], { cwd: tmp.dir }),
    runAsync(['runs', '--json'], { cwd: tmp.dir }),
  ]);
  const doc = expectCode(diag, 1).json();
  assert.deepEqual(
    doc.issues.map((i: any) => [i.severity, i.code, i.stage, i.run_ref]),
    [
      ['error', 'degraded_record', 'validate', PY_RUN],
      ['warning', 'event_warning', 'validate', PY_RUN],
    ],
  );
  const degraded = doc.issues[0];
  assert.equal(degraded.summary, PY_SUMMARY);
  assert.deepEqual(degraded.evidence, ['record:python-pipeline.nightly-day4.py-005']);
  assert.deepEqual(degraded.details, {
    issue_key: 'validate.empty_dataframe_passthrough',
    category: 'capture',
    completeness_marker: 'partial',
    degradation_marker: 'capture_gap',
    origin_marker: 'explicit_capture',
    attributes: { row_count: 0, expected_minimum_rows: 10000 },
  });

  const s = expectCode(snap, 0).json();
  assert.deepEqual(
    s.stages.map((x: any) => [x.stage_name, x.record_counts]),
    [
      ['ingest', { event: 1, metric: 2, span: 0, degraded: 0 }],
      ['validate', { event: 1, metric: 0, span: 0, degraded: 1 }],
      ['train', { event: 0, metric: 2, span: 1, degraded: 0 }],
    ],
  );
  assert.deepEqual(s.records, pyLines().map((l) => l.record));

  const row = expectCode(runs, 0).json().runs[0];
  assert.deepEqual(
    [row.run_ref, row.status, row.issue_counts, row.stages.map((x: any) => x.name)],
    [PY_RUN, 'open', { error: 1, warning: 1, info: 0 }, ['ingest', 'validate', 'train']],
  );
});

test('import from standard input (`-` and no argument) stores the same bytes as from the file', async () => {
  const viaFile = tempWorkspace();
  const viaDash = tempWorkspace();
  const viaDefault = tempWorkspace();
  const input = fs.readFileSync(PY_FILE);
  const [file, dash, dflt] = await Promise.all([
    runAsync(['record', 'import', PY_FILE, '--json'], { cwd: viaFile.dir }),
    runAsync(['record', 'import', '-', '--json'], { cwd: viaDash.dir, input }),
    runAsync(['record', 'import'], { cwd: viaDefault.dir, input }),
  ]);
  assert.deepEqual(expectCode(file, 0).json(), { imported: 8, already_present: 0, runs: [PY_RUN] });
  assert.deepEqual(expectCode(dash, 0).json(), { imported: 8, already_present: 0, runs: [PY_RUN] });
  expectCode(dflt, 0);
  const log = (ws: string) => fs.readFileSync(path.join(runDir(ws, 'python-pipeline', 'nightly-day4'), 'records.ndjson'));
  assert.ok(log(viaDash.ws).equals(log(viaFile.ws)));
  assert.ok(log(viaDefault.ws).equals(log(viaFile.ws)));
});

test('import bare canonical lines: stored byte for byte; diagnose reports the marker and the error event', () => {
  const tmp = tempWorkspace();
  const r = expectCode(run(['record', 'import', CANON_FILE, '--json'], { cwd: tmp.dir }), 0);
  assert.deepEqual(r.json(), { imported: 4, already_present: 0, runs: [CANON_RUN] });
  const dir = runDir(tmp.ws, 'batch-etl', 'backfill-0322');
  assert.ok(fs.readFileSync(path.join(dir, 'records.ndjson')).equals(fs.readFileSync(CANON_FILE)), 'stored lines differ from canonical input');
  assert.deepEqual(fs.readdirSync(path.join(dir, 'stages')).sort(), ['extract.json', 'load.json']);
  assert.equal(readJson(path.join(dir, 'run.json')).started_at, '2025-03-22T01:00:00Z');

  const doc = expectCode(run(['diagnose', CANON_RUN, '--json'], { cwd: tmp.dir }), 1).json();
  assert.deepEqual(
    doc.issues.map((i: any) => [i.severity, i.code, i.stage, i.evidence]),
    [
      ['warning', 'degradation_marker', 'extract', ['record:batch-etl.backfill-0322.c002']],
      ['error', 'event_error', 'load', ['record:batch-etl.backfill-0322.c003']],
    ],
  );
  assert.equal(doc.issues[1].summary, 'load.write-failed: 2 partitions rejected by the warehouse');
});

test('one import may mix wrapped and bare lines of several runs; snapshot records re-import byte-identically', async () => {
  const a = tempWorkspace();
  const input = Buffer.concat([fs.readFileSync(CANON_FILE), fs.readFileSync(PY_FILE)]);
  const r = expectCode(run(['record', 'import', '-', '--json'], { cwd: a.dir, input }), 0).json();
  assert.deepEqual(r, { imported: 12, already_present: 0, runs: [CANON_RUN, PY_RUN] });

  // import → snapshot → import: the same stored bytes (for records without integral floats such
  // as 2.0: snapshot --json prints JSON numbers, which cannot say "float"; see docs/contract.md).
  const snap = expectCode(run(['snapshot', CANON_RUN, '--json'], { cwd: a.dir }), 0).json();
  const b = tempWorkspace();
  const again = snap.records.map((rec: unknown) => `${JSON.stringify(rec)}\n`).join('');
  expectCode(await runAsync(['record', 'import', '-'], { cwd: b.dir, input: again }), 0);
  const log = (ws: string) => fs.readFileSync(path.join(runDir(ws, 'batch-etl', 'backfill-0322'), 'records.ndjson'));
  assert.ok(log(b.ws).equals(log(a.ws)));
});

test('import takes the library\'s project, run and stage documents: the run keeps its status, times and stage order; idempotent', () => {
  const tmp = tempWorkspace();
  const both = Buffer.concat([fs.readFileSync(path.join(FIXTURES, 'python-entities.ndjson')), fs.readFileSync(PY_FILE)]);
  const r = expectCode(run(['record', 'import', '-', '--json'], { cwd: tmp.dir, input: both }), 0).json();
  assert.deepEqual(r, { imported: 8, already_present: 0, runs: [PY_RUN], documents: { created: 5, updated: 0, unchanged: 0 } });
  const dir = runDir(tmp.ws, 'python-pipeline', 'nightly-day4');
  const runDoc = readJson(path.join(dir, 'run.json'));
  assert.deepEqual([runDoc.status, runDoc.started_at, runDoc.ended_at], ['failed', '2025-03-21T02:00:00Z', '2025-03-21T02:30:00.500000Z']);
  // Each document is stored as the library serialized it (pretty-printed, same fields and values).
  const docs = fs.readFileSync(path.join(FIXTURES, 'python-entities.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(readJson(path.join(tmp.ws, 'projects', 'python-pipeline', 'project.json')), docs[0]);
  assert.deepEqual(runDoc, docs[1]);
  assert.deepEqual(['ingest', 'validate', 'train'].map((s) => readJson(path.join(dir, 'stages', `${s}.json`))), docs.slice(2));
  const rows = expectCode(run(['runs', '--json'], { cwd: tmp.dir }), 0).json().runs;
  assert.deepEqual([rows[0].status, rows[0].stages.map((s: any) => [s.name, s.status])], ['failed', [['ingest', 'completed'], ['validate', 'completed'], ['train', 'failed']]]);
  // Again: nothing added, nothing rewritten.
  const again = expectCode(run(['record', 'import', '-', '--json'], { cwd: tmp.dir, input: both }), 0).json();
  assert.deepEqual(again, { imported: 0, already_present: 8, runs: [PY_RUN], documents: { created: 0, updated: 0, unchanged: 5 } });
  // A bad document refuses the whole batch (exit 2, nothing written).
  const fresh = tempWorkspace();
  const bad = Buffer.concat([both, Buffer.from('{"run_ref":"run:python-pipeline.other","project_ref":"project:python-pipeline","name":"x","status":"completed","started_at":"2025-03-21T02:00:00Z"}\n')]);
  const refused = expectCode(run(['record', 'import', '-'], { cwd: fresh.dir, input: bad }), 2);
  assert.match(refused.stderr, /line 14: ended_at is required when status is "completed"/);
  assert.equal(fs.existsSync(fresh.ws), false);
});

test('import problems that are not the records: missing file and a directory exit 3; empty input exits 2; nothing created', async () => {
  const tmp = tempWorkspace();
  const [missing, directory, empty] = await Promise.all([
    runAsync(['record', 'import', 'no-such-file.ndjson'], { cwd: tmp.dir }),
    runAsync(['record', 'import', FIXTURES], { cwd: tmp.dir }),
    runAsync(['record', 'import', '-'], { cwd: tmp.dir, input: '\n\n' }),
  ]);
  expectCode(missing, 3);
  assert.match(missing.stderr, /no-such-file\.ndjson/);
  expectCode(directory, 3);
  assert.ok(directory.stderr.includes(FIXTURES), directory.stderr);
  assert.match(directory.stderr, /is a directory/);
  expectCode(empty, 2);
  assert.match(empty.stderr, /no records/);
  assert.deepEqual(fs.readdirSync(tmp.dir), []);
});

test('a re-import adds nothing: records already in the run are skipped and counted', async () => {
  const a = tempWorkspace();
  expectCode(run(['record', 'import', PY_FILE], { cwd: a.dir }), 0);
  const log = path.join(runDir(a.ws, 'python-pipeline', 'nightly-day4'), 'records.ndjson');
  const before = fs.readFileSync(log);
  const again = expectCode(run(['record', 'import', PY_FILE, '--json'], { cwd: a.dir }), 0).json();
  assert.deepEqual(again, { imported: 0, already_present: 8, runs: [PY_RUN] });
  assert.ok(fs.readFileSync(log).equals(before), 'the log changed on a re-import');
  // A batch mixing old and new records appends only the new ones.
  const canon = fs.readFileSync(CANON_FILE);
  const mixed = expectCode(await runAsync(['record', 'import', '-'], { cwd: a.dir, input: Buffer.concat([fs.readFileSync(PY_FILE), canon]) }), 0);
  assert.equal(mixed.stdout, `imported 4 records into ${PY_RUN}, ${CANON_RUN} (8 already present, skipped)\n`);
  assert.ok(fs.readFileSync(log).equals(before));
});
