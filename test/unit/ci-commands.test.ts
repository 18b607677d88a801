/**
 * `diagnose --format …`/`--summary` and `compare` called in process, with a fake CLI
 * context over a seeded temp workspace: the same paths the spawned e2e tests take, minus
 * the process, so a failure points at the command code rather than the bundle.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliContext } from '../../src/commands/context';
import { compare } from '../../src/commands/compare';
import { diagnose } from '../../src/commands/diagnose';
import { writeSeed } from '../../src/core/writing/seed';

let dir: string;

function context(env: Record<string, string | undefined> = {}): CliContext & { out: () => string } {
  let out = '';
  return {
    cwd: dir,
    env: { CONTEXTA_CACHE: 'off', ...env },
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: () => true },
    stdinFd: 0,
    stdinIsTTY: false,
    color: false,
    colorStderr: false,
    now: () => new Date('2025-03-21T00:00:00Z'),
    out: () => out,
  };
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contexta ci commands '));
  writeSeed(path.join(dir, '.contexta'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('diagnose --format in process', () => {
  it('returns the gate exit code and writes the chosen format', async () => {
    for (const format of ['junit', 'github', 'markdown']) {
      const ctx = context();
      assert.equal(await diagnose(ctx, { runs: [], format }), 1, format);
      assert.ok(ctx.out().length > 0);
      assert.equal(await diagnose(context(), { runs: [], format, failOn: 'never' }), 0, format);
    }
  });

  it('appends the summary to GITHUB_STEP_SUMMARY for --format github', async () => {
    const file = path.join(dir, 'summary.md');
    const ctx = context({ GITHUB_STEP_SUMMARY: file });
    assert.equal(await diagnose(ctx, { runs: ['nightly-day1'], format: 'github' }), 1);
    assert.match(fs.readFileSync(file, 'utf8'), /^### contexta diagnose: gate `--fail-on error` FAILED\n\n1 run diagnosed/);
    assert.match(ctx.out(), /^::error title=contexta degraded_record%3A validate \(nightly-day1\)::/);
  });

  it('refuses --summary with nowhere to write, before reading anything', async () => {
    await assert.rejects(diagnose(context(), { runs: [], summary: true }), { code: 'usage', message: /--summary needs a file/ });
    await assert.rejects(diagnose(context(), { runs: [], format: 'github', ndjson: true }), { code: 'usage' });
  });
});

describe('compare in process', () => {
  it('returns 0 without a gate and when watched metrics held; refuses a metric neither run has', async () => {
    const ctx = context();
    assert.equal(await compare(ctx, { runA: 'nightly-day1', runB: 'nightly-day2', json: true }), 0);
    const doc = JSON.parse(ctx.out());
    // Five stages, plus the run-level row: night 2 has a run-level issue night 1 lacks (learning).
    assert.deepEqual(doc.stages.map((s: any) => s.stage), [null, 'ingest', 'preprocess', 'validate', 'train', 'evaluate']);
    assert.equal(
      await compare(context(), { runA: 'nightly-day1', runB: 'nightly-day2', failOnRegression: '0%', metric: ['evaluate.eval.accuracy:lower'] }),
      0,
    );
    await assert.rejects(
      compare(context(), { runA: 'nightly-day1', runB: 'nightly-day2', failOnRegression: '2%', metric: ['evaluate.nope:lower'] }),
      { code: 'usage', message: /neither run recorded this metric/ },
    );
  });
});
