/**
 * Smaller cases of issue 12: ENOSPC while creating a run, seed into a symlinked root,
 * a deleted working directory with an absolute -w, snapshot text in linear time.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureRun } from '../../src/core/storage/store';
import { openOrInitWorkspace } from '../../src/core/storage/workspace';
import { renderSnapshot } from '../../src/render/snapshot';
import type { SnapshotReport } from '../../src/core/reading/reports';
import { BIN, cleanEnv, contexta, metricRecord, sandbox } from './helpers';

test('ENOSPC while creating a run leaves nothing half-made', () => {
  const box = sandbox('ctx-small-');
  const ws = openOrInitWorkspace(box.ws);
  ensureRun(ws, 'p', 'first', '2025-03-18T02:00:00Z');
  const cjsFs = createRequire(import.meta.url)('node:fs') as typeof fs;
  const real = cjsFs.writeFileSync;
  mock.method(cjsFs, 'writeFileSync', (file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (String(file).includes('run.json')) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC', syscall: 'write' });
    return (real as (...a: unknown[]) => void)(file, ...rest);
  });
  syncBuiltinESMExports();
  try {
    assert.throws(() => ensureRun(ws, 'p', 'second', '2025-03-18T02:00:00Z'), /no space left|ENOSPC/);
  } finally {
    mock.restoreAll();
    syncBuiltinESMExports();
  }
  assert.deepEqual(fs.readdirSync(path.join(box.ws, 'projects', 'p', 'runs')), ['first']);
});

test('seed accepts a symlinked workspace root', () => {
  const box = sandbox('ctx-small-');
  const real = path.join(box.base, 'real');
  fs.mkdirSync(real);
  const link = path.join(box.base, 'link');
  fs.symlinkSync(real, link);
  const r = contexta(['-w', link, 'seed'], { cwd: box.cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(real, 'workspace.json')));
});

test('a deleted working directory does not matter with an absolute -w', () => {
  const box = sandbox('ctx-small-');
  const gone = path.join(box.base, 'gone');
  fs.mkdirSync(gone);
  // The shell enters the directory, removes it, then runs the CLI from there.
  const inGone = (args: string[]) =>
    spawnSync('sh', ['-c', 'mkdir "$0" && cd "$0" && rmdir "$0" && exec "$@"', gone, process.execPath, BIN, ...args], { env: cleanEnv(), encoding: 'utf8' });
  fs.rmdirSync(gone);
  const r = inGone(['-w', box.ws, 'record', 'metric', 'm', '1', '--project', 'p', '--run', 'r']);
  assert.equal(r.status, 0, r.stderr);
  const runs = inGone(['-w', box.ws, 'runs', '--json']);
  assert.equal(runs.status, 0, runs.stderr);
  assert.equal(JSON.parse(runs.stdout).runs.length, 1);
});

function bigSnapshot(metrics: number): SnapshotReport {
  const records = Array.from({ length: metrics }, (_, i) => metricRecord('p', 'r', `m${i}`, { stage: 'train', value: i })) as unknown as SnapshotReport['records'];
  const counts = { event: 0, metric: metrics, span: 0, degraded: 0 };
  return {
    run: { run_ref: 'run:p.r', project_ref: 'project:p', name: 'r', status: 'completed', started_at: '2025-03-18T02:00:00Z', ended_at: '2025-03-18T03:00:00Z', project: 'p', duration_ms: 3_600_000 },
    stages: [],
    record_counts: counts,
    records,
    unreadable: [],
  };
}

test('snapshot text grows linearly with the number of metrics', () => {
  const time = (n: number) => {
    const report = bigSnapshot(n);
    const t0 = performance.now();
    const text = renderSnapshot(report, { color: false });
    assert.ok(text.split('\n').length > n);
    return performance.now() - t0;
  };
  time(2000); // warm up
  const small = Math.max(time(4000), 5);
  const big = time(32000);
  // 8x the rows: linear is ~8x; the old layout was quadratic (~64x; 16k metrics took 31 s).
  assert.ok(big < small * 24, `4k metrics ${small.toFixed(0)} ms, 32k ${big.toFixed(0)} ms`);
});
