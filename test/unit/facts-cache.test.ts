/** The read cache must never serve stale facts: every change to a run's files invalidates its entry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachedReader, diskReader } from '../../src/core/reading/facts-cache';
import { buildDiagnoseReport, buildRunsReport } from '../../src/core/reading/reports-build';
import { listRunIds } from '../../src/core/reading/catalog';
import { writeSeed } from '../../src/core/writing/seed';
import { openWorkspace } from '../../src/core/storage/workspace';
import { updateStage } from '../../src/core/storage/store';
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
  const first = buildRunsReport(ws, {}, cold);
  cold.save();
  assert.deepEqual(cold.stats, { hits: 0, misses: 3 });
  assert.ok(fs.existsSync(cache));
  const warm = cachedReader(ws, cache, LATER);
  assert.deepEqual(buildRunsReport(ws, {}, warm), first);
  assert.deepEqual(warm.stats, { hits: 3, misses: 0 });
  assert.deepEqual(buildRunsReport(ws, {}, diskReader(ws)), first);
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
  buildRunsReport(ws, {}, r);
  r.save();
  assert.equal(fs.existsSync(cache), false, 'nothing settled, nothing written');
});

test('an unreadable or foreign cache file is ignored', () => {
  const { ws, cache } = seeded();
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  for (const junk of ['{not json', JSON.stringify({ format: 1, workspace: '/elsewhere', runs: {} })]) {
    fs.writeFileSync(cache, junk);
    const r = cachedReader(ws, cache, LATER);
    assert.deepEqual(buildRunsReport(ws, {}, r), buildRunsReport(ws, {}, diskReader(ws)));
    assert.equal(r.stats.hits, 0);
  }
});
