/**
 * `trend` and `report` called in process with a CliContext (no spawn): output
 * goes where the context says, refusals are ContextaErrors with the right code,
 * and the clock comes from the context (the report's "generated" time).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { report } from '../../src/commands/report';
import { trend } from '../../src/commands/trend';
import type { CliContext } from '../../src/commands/context';
import { ContextaError } from '../../src/core/errors';
import { HISTORY_PROJECT, writeNightlyHistory } from '../e2e/nightly-history';

let dir: string;
before(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-trend-cmd-')));
  writeNightlyHistory(path.join(dir, '.contexta'), 12);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function context(color = false): CliContext & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    cwd: dir,
    env: { CONTEXTA_CACHE: 'off' },
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    stdinFd: 0,
    stdinIsTTY: false,
    color,
    colorStderr: false,
    now: () => new Date('2025-05-01T12:00:00Z'),
  };
}

async function refused(run: Promise<number>, code: ContextaError['code'], message: RegExp): Promise<void> {
  await assert.rejects(run, (err: unknown) => err instanceof ContextaError && err.code === code && message.test(err.message));
}

describe('trend in process', () => {
  it('text and JSON from the same report', async () => {
    const ctx = context();
    assert.equal(await trend(ctx, { metric: 'train.loss', last: '5' }), 0);
    const text = ctx.out.join('');
    assert.match(text, /^train\.loss in stage train · project nightly-history · last 5 of 12 runs\n/);
    const json = context();
    await trend(json, { metric: 'train.loss', last: '5', json: true });
    const doc = JSON.parse(json.out.join(''));
    assert.equal(doc.points.length, 5);
    for (const p of doc.points) assert.ok(text.includes(p.name), `${p.name} is in the table`);
    assert.deepEqual(ctx.err, []);
  });

  it('colour only when the context says so', async () => {
    const plain = context(false);
    await trend(plain, { metric: 'eval.accuracy' });
    assert.doesNotMatch(plain.out.join(''), /\x1b\[/);
    const coloured = context(true);
    await trend(coloured, { metric: 'eval.accuracy' });
    assert.match(coloured.out.join(''), /\x1b\[1m/);
  });

  it('refusals', async () => {
    await refused(trend(context(), { metric: 'rows' }), 'usage', /several stages/);
    await refused(trend(context(), { metric: 'rows', stage: 'no' }), 'workspace', /no metric "rows" in stage no/);
    await refused(trend(context(), { metric: '' }), 'usage', /<metric> must not be empty/);
    await refused(trend(context(), { metric: 'rows', last: '-1' }), 'usage', /--last/);
  });
});

describe('report in process', () => {
  it('-o - writes the page to the context stdout, dated by the context clock', async () => {
    const ctx = context();
    assert.equal(await report(ctx, { output: '-', project: HISTORY_PROJECT }), 0);
    const html = ctx.out.join('');
    assert.match(html, /generated 2025-05-01T12:00:00Z/);
    assert.equal(html.match(/<tr><th scope="row"/g)?.length, 12);
  });

  it('-o FILE is relative to the context cwd; --json summary', async () => {
    const ctx = context();
    await report(ctx, { output: 'out.html', json: true });
    const doc = JSON.parse(ctx.out.join(''));
    assert.equal(doc.output, path.join(dir, 'out.html'));
    assert.equal(doc.bytes, fs.statSync(path.join(dir, 'out.html')).size);
    await refused(report(context(), { output: '.contexta/x.html' }), 'usage', /inside the workspace/);
    await refused(report(context(), { output: '' }), 'usage', /--output/);
  });
});
