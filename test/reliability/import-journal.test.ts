/**
 * Partial imports are visible: an import that dies between appends leaves a marker that
 * diagnose reports (error) until the same import is run again. Two concurrent imports of
 * the same file do not duplicate records.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import { applyImport, planImport } from '../../src/core/writing/import';
import { openOrInitWorkspace } from '../../src/core/storage/workspace';
import { contexta, contextaAsync, metricRecord, ndjson, parseJson, sandbox } from './helpers';

const P = 'imp';
const R = 'night';

test('an import that dies mid-way is flagged by diagnose until the same import is run again', () => {
  const box = sandbox('ctx-journal-');
  const input = path.join(box.base, 'in.ndjson');
  // Big enough for several write(2) chunks (1 MiB each).
  fs.writeFileSync(input, ndjson(Array.from({ length: 9000 }, (_, i) => metricRecord(P, R, `r${i}`, { pad: 300 }))));
  const fd = fs.openSync(input, 'r');
  const plan = planImport(fd, input);
  fs.closeSync(fd);
  const ws = openOrInitWorkspace(box.ws);
  let writes = 0;
  const real = fs.writeSync;
  const died = Object.assign(new Error('killed'), { code: 'EINTR' });
  const cjsFs = createRequire(import.meta.url)('node:fs') as typeof fs;
  mock.method(cjsFs, 'writeSync', (...args: Parameters<typeof fs.writeSync>) => {
    if ((args[1] as unknown as Buffer).length > 100_000 && ++writes === 2) throw died;
    return (real as (...a: unknown[]) => number)(...args);
  });
  syncBuiltinESMExports();
  try {
    assert.throws(() => applyImport(ws, plan, { source: input, now: '2025-03-18T03:00:00Z' }));
  } finally {
    mock.restoreAll();
    syncBuiltinESMExports();
  }
  const diag = contexta(['-w', box.ws, 'diagnose', `run:${P}.${R}`, '--json'], { cwd: box.cwd });
  assert.equal(diag.code, 1, diag.stderr);
  const flagged = parseJson(diag.stdout).issues.filter((i: any) => /did not finish/.test(i.summary));
  assert.equal(flagged.length, 1, diag.stdout.slice(0, 1000));
  assert.equal(flagged[0].severity, 'error');
  const again = contexta(['-w', box.ws, 'record', 'import', input, '--json'], { cwd: box.cwd });
  assert.equal(again.code, 0, again.stderr);
  const after = contexta(['-w', box.ws, 'diagnose', `run:${P}.${R}`, '--json'], { cwd: box.cwd });
  assert.ok(!/did not finish/.test(after.stdout), 'the re-run completed it');
  const lines = fs.readFileSync(path.join(box.ws, 'projects', P, 'runs', R, 'records.ndjson'), 'utf8').trim().split('\n');
  assert.equal(new Set(lines.map((l) => JSON.parse(l).envelope.record_ref)).size, 9000);
  assert.equal(lines.length, 9000);
});

test('two concurrent imports of the same file do not duplicate records', async () => {
  for (let round = 0; round < 3; round++) {
    const box = sandbox('ctx-journal-');
    const input = path.join(box.base, 'in.ndjson');
    fs.writeFileSync(input, ndjson(Array.from({ length: 3000 }, (_, i) => metricRecord(P, R, `c${i}`))));
    if (round > 0) assert.equal(contexta(['-w', box.ws, 'record', 'metric', 'm', '1', '--project', P, '--run', R], { cwd: box.cwd }).code, 0);
    const results = await Promise.all([0, 1].map(() => contextaAsync(['-w', box.ws, 'record', 'import', input, '--json'], { cwd: box.cwd })));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const imported = results.map((r) => parseJson(r.stdout).imported as number);
    assert.equal(imported[0] + imported[1], 3000, `imported ${imported}`);
    const lines = fs.readFileSync(path.join(box.ws, 'projects', P, 'runs', R, 'records.ndjson'), 'utf8').trim().split('\n');
    const refs = lines.map((l) => JSON.parse(l).envelope.record_ref);
    assert.equal(new Set(refs).size, refs.length, `round ${round}: duplicated records`);
    assert.equal(refs.length, 3000 + (round > 0 ? 1 : 0));
  }
});
