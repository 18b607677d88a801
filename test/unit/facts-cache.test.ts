/** The read cache must never serve stale facts: every change to a run's files invalidates its entry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachedReader } from '../../src/core/reading/cache/cached-reader';
import { diskReader, type RunReader } from '../../src/core/reading/run-reader';
import { runsRowJson } from '../../src/render/runs-json';
import { buildDiagnoseReport } from '../../src/core/reading/reports-build';
import { buildRunsReport } from '../../src/core/reading/runs-build';
import { listRunIds } from '../../src/core/reading/catalog';
import { writeSeed } from '../../src/core/writing/seed';
import { openWorkspace } from '../../src/core/storage/workspace';
import { writeManyRuns } from '../../bench/lib/gen';
import { updateRun, updateStage } from '../../src/core/storage/store';
import { loadChecks } from '../../src/core/diagnosis/checks-file';
import { addReset } from '../../src/core/diagnosis/resets-file';
import type { DiagnoseSettings } from '../../src/core/reading/diagnoser';
import { appendLines } from '../../src/core/storage/append';

function seeded() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-cache-'));
  const root = path.join(dir, '.contexta');
  writeSeed(root);
  return { ws: openWorkspace(root), cache: path.join(dir, 'cache', 'runs.json') };
}

/** "Now" far enough ahead that every file counts as settled (not racily clean). */
const LATER = Date.now() + 60_000;

test('a warm cache answers from stats alone and gives the same report', () => {
  const { ws, cache } = seeded();
  const cold = cachedReader(ws, cache, LATER);
  const first = buildRunsReport(ws, {}, runsRowJson, cold);
  cold.save();
  assert.deepEqual(cold.stats, { hits: 0, misses: 3, recalled: 0, bodies_read: 3 });
  assert.ok(fs.existsSync(cache));
  const warm = cachedReader(ws, cache, LATER);
  assert.deepEqual(buildRunsReport(ws, {}, runsRowJson, warm), first);
  assert.deepEqual(warm.stats, { hits: 3, misses: 0, recalled: 3, bodies_read: 0 });
  assert.deepEqual(buildRunsReport(ws, {}, runsRowJson, diskReader(ws)), first);
});

test('appending a record, rewriting a stage, adding a stage or corrupting a line invalidates', () => {
  const { ws, cache } = seeded();
  const prime = () => {
    const r = cachedReader(ws, cache, LATER);
    buildDiagnoseReport(ws, listRunIds(ws), 'error', r);
    r.save();
  };
  const check = (what: string) => {
    const r = cachedReader(ws, cache, LATER);
    const viaCache = buildDiagnoseReport(ws, listRunIds(ws), 'error', r);
    assert.deepEqual(viaCache, buildDiagnoseReport(ws, listRunIds(ws), 'error', diskReader(ws)), what);
    assert.equal(r.stats.misses, 1, `${what}: exactly the changed run is re-read`);
    return viaCache;
  };
  const day1 = path.join(ws.root, 'projects/nightly-ml-pipeline/runs/nightly-day1');
  prime();
  appendLines(path.join(day1, 'records.ndjson'), ['not json']);
  // 3 degraded records, the torn line, and night 3's two recurring warnings (recurring_issue).
  assert.equal(check('torn line').counts.error, 6);
  prime();
  updateStage(ws, 'nightly-ml-pipeline', 'nightly-day1', 'train', (s) => ({ ...s, status: 'failed' }));
  assert.ok(check('stage failed').issues.some((i) => i.code === 'stage_failed'));
  prime();
  fs.writeFileSync(path.join(day1, 'stages', 'extra.json'), fs.readFileSync(path.join(day1, 'stages', 'train.json'), 'utf8').replaceAll('train', 'extra'));
  assert.ok(check('stage added').runs[0].stages.includes('extra'));
});

test('files changed within the racy window are not cached', () => {
  const { ws, cache } = seeded();
  const r = cachedReader(ws, cache, Date.now());
  buildRunsReport(ws, {}, runsRowJson, r);
  r.save();
  assert.equal(fs.existsSync(cache), false, 'nothing settled, nothing written');
});

test('an unreadable or foreign cache file is ignored', () => {
  const { ws, cache } = seeded();
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  for (const junk of ['{not json', JSON.stringify({ format: 1, workspace: '/elsewhere', runs: {} })]) {
    fs.writeFileSync(cache, junk);
    const r = cachedReader(ws, cache, LATER);
    assert.deepEqual(buildRunsReport(ws, {}, runsRowJson, r), buildRunsReport(ws, {}, runsRowJson, diskReader(ws)));
    assert.equal(r.stats.hits, 0);
  }
});

function memoProbe() {
  const { ws, cache } = seeded();
  const diagnose = (settings: DiagnoseSettings = {}, now = LATER) => {
    const r = cachedReader(ws, cache, LATER);
    const viaCache = buildDiagnoseReport(ws, listRunIds(ws), 'error', r, { now, ...settings });
    r.save();
    assert.deepEqual(viaCache, buildDiagnoseReport(ws, listRunIds(ws), 'error', diskReader(ws), { now, ...settings }));
    codes = viaCache.issues.map((i) => i.code);
    return r.stats.recalled;
  };
  let codes: string[] = [];
  return { ws, diagnose, codes: () => codes };
}

test('a remembered diagnosis is recalled only under the same inputs: history, contexta.yml, resets', () => {
  const { ws, diagnose } = memoProbe();
  const project = 'nightly-ml-pipeline';
  assert.equal(diagnose(), 0, 'cold');
  assert.equal(diagnose(), 3, 'warm: every diagnosis is recalled');
  const yml = path.join(path.dirname(ws.root), 'contexta.yml');
  fs.writeFileSync(yml, 'rules:\n  degraded_record: off\n');
  const checks = loadChecks(yml);
  assert.equal(diagnose({ checks }), 0, 'another contexta.yml');
  assert.equal(diagnose({ checks }), 3);
  addReset(ws, project, { metric: 'validate.*', from: '2025-03-19T00:00:00Z', recorded_at: '2025-03-20T00:00:00Z' });
  assert.equal(diagnose({ checks }), 0, 'a baseline reset');
  assert.equal(diagnose({ checks }), 3);
  // The newest run changed: the two before it do not learn from it, so only it is diagnosed again.
  const runs = path.join(ws.root, 'projects', project, 'runs');
  appendLines(path.join(runs, 'nightly-day3', 'records.ndjson'), ['not json']);
  assert.equal(diagnose({ checks }), 2, 'the newest run changed');
  // The oldest changed: every later run learned from it.
  appendLines(path.join(runs, 'nightly-day1', 'records.ndjson'), ['not json']);
  assert.equal(diagnose({ checks }), 0, 'a run in every history changed');
});

test('a diagnosis that read the clock is never remembered (freshness of the newest run)', () => {
  const { ws, diagnose, codes } = memoProbe();
  const yml = path.join(path.dirname(ws.root), 'contexta.yml');
  fs.writeFileSync(yml, 'version: 1\nprojects:\n  nightly-ml-pipeline:\n    freshness: { warn_after: 26h }\n');
  const checks = loadChecks(yml);
  const runJson = path.join(ws.root, 'projects', 'nightly-ml-pipeline', 'runs', 'nightly-day3', 'run.json');
  const started = Date.parse(JSON.parse(fs.readFileSync(runJson, 'utf8')).started_at);
  assert.equal(diagnose({ checks }, started + 60_000), 0, 'cold');
  assert.equal(diagnose({ checks }, started + 60_000), 2, 'the two older runs are recalled, the newest is judged again');
  assert.ok(!codes().includes('freshness'), 'a minute after it started, the newest run is fresh');
  assert.equal(diagnose({ checks }, started + 30 * 3_600_000), 2);
  assert.ok(codes().includes('freshness'), 'thirty hours later it is not');
});

test('a cache file cut anywhere (a crash while copying it, a full disk) gives the same report as the disk', () => {
  const { ws, cache } = seeded();
  const prime = cachedReader(ws, cache, LATER);
  buildDiagnoseReport(ws, listRunIds(ws), 'error', prime);
  prime.save();
  const whole = fs.readFileSync(cache);
  const expected = buildDiagnoseReport(ws, listRunIds(ws), 'error', diskReader(ws));
  let used = 0;
  for (let cut = 0; cut < whole.length; cut += Math.max(1, Math.floor(whole.length / 97))) {
    fs.writeFileSync(cache, whole.subarray(0, cut));
    const r = cachedReader(ws, cache, LATER);
    assert.deepEqual(buildDiagnoseReport(ws, listRunIds(ws), 'error', r), expected, `cut at byte ${cut} of ${whole.length}`);
    used += r.stats.hits;
  }
  assert.ok(used > 0, 'runs whose entries survive the cut whole are still answered from the cache');
});

test('diagnose --latest reads every run.json but only the stages and logs it diagnoses; later calls reuse both', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-cache-'));
  const root = path.join(dir, '.contexta');
  writeManyRuns(root, 'nightly', 30, 10);
  const ws = openWorkspace(root);
  const cache = path.join(dir, 'cache', 'runs.json');
  const latest = () => {
    const r = cachedReader(ws, cache, LATER);
    const report = buildDiagnoseReport(ws, listRunIds(ws), 'error', r, { select: { latest: true } });
    r.save();
    assert.deepEqual(report, buildDiagnoseReport(ws, listRunIds(ws), 'error', diskReader(ws), { select: { latest: true } }));
    return r.stats;
  };
  // The newest run and the 21 its baselines learn from; the 8 oldest runs' stages are never read.
  assert.deepEqual(latest(), { hits: 0, misses: 30, recalled: 0, bodies_read: 22 });
  assert.deepEqual(latest(), { hits: 30, misses: 0, recalled: 1, bodies_read: 0 });
  const r = cachedReader(ws, cache, LATER);
  assert.deepEqual(buildRunsReport(ws, {}, runsRowJson, r), buildRunsReport(ws, {}, runsRowJson, diskReader(ws)));
  assert.equal(r.stats.bodies_read, 8, 'runs reads the 8 bodies --latest did not need');
  r.save();
  const again = cachedReader(ws, cache, LATER);
  buildRunsReport(ws, {}, runsRowJson, again);
  assert.deepEqual(again.stats, { hits: 30, misses: 0, recalled: 30, bodies_read: 0 });
});

test('a warm runs recalls each row without reading a stage file; a new diagnosis key drops the old row', () => {
  const { ws, diagnose } = memoProbe();
  const file = path.join(path.dirname(ws.root), 'cache', 'runs.json');
  const runs = (settings: DiagnoseSettings = {}) => {
    const r = cachedReader(ws, file, LATER);
    const report = buildRunsReport(ws, {}, runsRowJson, r, settings);
    r.save();
    assert.deepEqual(report, buildRunsReport(ws, {}, runsRowJson, diskReader(ws), settings));
    return r.stats;
  };
  assert.equal(runs().recalled, 0, 'cold');
  assert.deepEqual(runs(), { hits: 3, misses: 0, recalled: 3, bodies_read: 0 });
  // Without the bodies (cut off after the rows), a warm runs answers all the same: it reads none.
  const header = JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]) as { heads: number; rows: number };
  fs.truncateSync(file, Buffer.byteLength(JSON.stringify(header)) + 1 + header.heads + header.rows);
  assert.deepEqual(runs(), { hits: 3, misses: 0, recalled: 3, bodies_read: 0 });
  // diagnose under another contexta.yml remembers issues under new keys: the rows of the old ones are dropped.
  const yml = path.join(path.dirname(ws.root), 'contexta.yml');
  fs.writeFileSync(yml, 'rules:\n  degraded_record: off\n');
  const checks = loadChecks(yml);
  assert.equal(diagnose({ checks }), 0);
  const again = runs({ checks });
  assert.equal(again.recalled, 3, 'the diagnoses are recalled, the rows are made from them');
  assert.deepEqual(runs({ checks }), { hits: 3, misses: 0, recalled: 3, bodies_read: 0 });
});

test('an import marker appearing, or a run directory swapped for a link to it, is seen', () => {
  const { ws, cache } = seeded();
  const runsDir = path.join(ws.root, 'projects/nightly-ml-pipeline/runs');
  const report = (reader: RunReader = cachedReader(ws, cache, LATER)) => {
    const r = buildDiagnoseReport(ws, listRunIds(ws), 'error', reader);
    reader.save();
    return r;
  };
  report();
  report();
  // An interrupted import's marker is a body change (the run directory's mtime).
  fs.writeFileSync(path.join(runsDir, 'nightly-day2', 'import-0a0b0c.pending'), '{"source":"x.ndjson","records":1,"started_at":"2025-03-19T00:00:00Z"}');
  const marked = report();
  assert.deepEqual(marked, report(diskReader(ws)));
  assert.ok(marked.issues.some((i) => i.run_ref === 'run:nightly-ml-pipeline.nightly-day2' && /import/.test(i.summary + JSON.stringify(i.details))), 'the interrupted import is flagged');
  // The same directory (same run.json inode) behind a symbolic link: readers do not follow it.
  const moved = path.join(path.dirname(ws.root), 'moved-day1');
  fs.renameSync(path.join(runsDir, 'nightly-day1'), moved);
  fs.symlinkSync(moved, path.join(runsDir, 'nightly-day1'));
  const linked = report();
  assert.deepEqual(linked, report(diskReader(ws)));
  assert.ok(linked.issues.some((i) => i.run_ref === 'run:nightly-ml-pipeline.nightly-day1' && i.severity === 'error'), 'the linked run is an error');
});

for (const [damage, status] of [['of the wrong shape', 'Completed'], ['damaged in a way that keeps its shape', 'cancelled']]) {
  test(`a cached run.json ${damage} under a matching stamp is read again from disk`, () => {
    const { ws, cache } = seeded();
    const prime = cachedReader(ws, cache, LATER);
    buildRunsReport(ws, {}, runsRowJson, prime);
    prime.save();
    // Each cached run.json text changed in place, at the same length (its instant and stamp left right).
    const text = fs.readFileSync(cache, 'latin1');
    assert.ok(text.includes('"status":"completed"'));
    fs.writeFileSync(cache, text.replaceAll('"status":"completed"', `"status":"${status}"`), 'latin1');
    // Under another contexta.yml no row or diagnosis is remembered: each row is made from run.json.
    const yml = path.join(path.dirname(ws.root), 'contexta.yml');
    fs.writeFileSync(yml, 'rules:\n  degraded_record: off\n');
    const settings = { checks: loadChecks(yml) };
    const r = cachedReader(ws, cache, LATER);
    const report = buildRunsReport(ws, {}, runsRowJson, r, settings);
    assert.deepEqual(report, buildRunsReport(ws, {}, runsRowJson, diskReader(ws), settings));
    assert.ok(report.runs.every((row) => row.status === 'completed'), 'the statuses on disk');
  });
}

test('a damaged start instant in the cache is a miss, never a wrong order or an error', () => {
  const { ws, cache } = seeded();
  const prime = cachedReader(ws, cache, LATER);
  buildDiagnoseReport(ws, listRunIds(ws), 'error', prime, { select: { latest: true } });
  prime.save();
  // Make the oldest run look newest: its instant moved a year on, the checksum left as it was.
  const text = fs.readFileSync(cache, 'latin1');
  const day1 = /(nightly-ml-pipeline\/nightly-day1\t[^\t]*\t)(\d+)\//.exec(text)!;
  fs.writeFileSync(cache, text.replace(day1[0], `${day1[1]}${Number(day1[2]) + 365 * 86_400_000}/`), 'latin1');
  const r = cachedReader(ws, cache, LATER);
  const latest = buildDiagnoseReport(ws, listRunIds(ws), 'error', r, { select: { latest: true } });
  assert.deepEqual(latest, buildDiagnoseReport(ws, listRunIds(ws), 'error', diskReader(ws), { select: { latest: true } }));
  assert.deepEqual(latest.runs.map((x) => x.run_ref), ['run:nightly-ml-pipeline.nightly-day3']);
  assert.equal(r.stats.misses, 1, 'the damaged head is read from disk');
});
