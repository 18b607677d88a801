/**
 * `runs --json` is written from rows as text (render/runs-json.ts) so the read cache can
 * remember them: the document must be byte for byte what JSON.stringify(report, null, 2)
 * gives, cold or warm, whatever the filters, and wherever the workspace lives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachedReader } from '../../src/core/reading/cache/cached-reader';
import { diskReader } from '../../src/core/reading/run-reader';
import { buildRunsListing, buildRunsReport, type RunsFilter } from '../../src/core/reading/runs-build';
import { renderRunsJson, runsRowJson } from '../../src/render/runs-json';
import { writeSeed } from '../../src/core/writing/seed';
import { openWorkspace } from '../../src/core/storage/workspace';

const LATER = Date.now() + 60_000;

/** A seeded workspace under a directory whose name holds what the document's own text holds. */
function seeded(dirName: string) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-runs-json-'));
  const root = path.join(base, dirName, '.contexta');
  fs.mkdirSync(path.dirname(root));
  writeSeed(root);
  return { ws: openWorkspace(root), cache: path.join(base, 'cache', 'runs.json') };
}

const FILTERS: [string, RunsFilter][] = [
  ['every run', {}],
  ['--limit 1', { limit: 1 }],
  ['--status failed', { status: 'failed' }],
  ['--status completed --limit 2', { status: 'completed', limit: 2 }],
  ['--project nightly-ml-pipeline', { project: 'nightly-ml-pipeline' }],
  ['nothing matches (--until long ago)', { until: '2000-01-01T00:00:00.000Z' }],
];

for (const dirName of ['plain', 'x"runs": [],\n  "y']) {
  test(`runs --json from row texts equals the report stringified (workspace dir ${JSON.stringify(dirName)})`, () => {
    const { ws, cache } = seeded(dirName);
    // A stray file where a run should be: the document lists it under unreadable.
    fs.writeFileSync(path.join(ws.root, 'projects', 'nightly-ml-pipeline', 'runs', 'stray'), 'x');
    for (const [label, filter] of FILTERS) {
      const expected = JSON.stringify(buildRunsReport(ws, filter, runsRowJson, diskReader(ws)), null, 2);
      assert.equal(renderRunsJson(buildRunsListing(ws, filter, runsRowJson, diskReader(ws))), expected, `${label}, no cache`);
      for (const state of ['cold', 'warm']) {
        const reader = cachedReader(ws, cache, LATER);
        assert.equal(renderRunsJson(buildRunsListing(ws, filter, runsRowJson, reader)), expected, `${label}, ${state} cache`);
        reader.save();
      }
      const parsed = JSON.parse(expected) as { runs: unknown[]; unreadable: unknown[] };
      assert.equal(parsed.unreadable.length, 1, `${label}: the stray entry is listed`);
    }
  });
}

test('a row as it stands in the document: runsRowJson is the report row at its depth', () => {
  const { ws } = seeded('rows');
  const report = buildRunsReport(ws, {}, runsRowJson, diskReader(ws));
  assert.ok(report.runs.length > 0);
  const doc = JSON.stringify(report, null, 2);
  for (const row of report.runs) {
    const text = runsRowJson(row);
    assert.ok(text.startsWith('    {\n      "run_ref": '), text.slice(0, 40));
    assert.ok(doc.includes(text));
    assert.deepEqual(JSON.parse(text), row);
  }
});
