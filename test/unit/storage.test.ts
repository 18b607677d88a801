import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readLines } from '../../src/core/storage/lines';
import { appendLines, MAX_LINE_BYTES } from '../../src/core/storage/append';
import { FastPath } from '../../src/core/reading/fastpath';
import { summarizeRecords } from '../../src/core/reading/summarize';
import { canonicalLine } from '../../src/core/writing/canonical';
import { seedFiles } from '../../src/core/writing/seed';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-unit-'));

function collect(file: string, maxLine?: number) {
  const lines: { text: string; no: number; terminated: boolean }[] = [];
  const oversized: number[] = [];
  readLines(
    file,
    {
      line: (buf, s, e, no, terminated) => lines.push({ text: buf.toString('utf8', s, e), no, terminated }),
      oversized: (no) => oversized.push(no),
    },
    maxLine,
  );
  return { lines, oversized };
}

test('line reader: lines across buffer boundaries, torn last line, numbering', () => {
  const file = path.join(tmp(), 'x.ndjson');
  const long = 'y'.repeat(3 * 1024 * 1024); // spans several 1 MiB reads
  fs.writeFileSync(file, `a\n\n${long}\nlast-no-newline`);
  const { lines } = collect(file);
  assert.deepEqual(lines.map((l) => [l.no, l.text.length, l.terminated]), [[1, 1, true], [2, 0, true], [3, long.length, true], [4, 15, false]]);
});

test('line reader: an oversized line is reported by number and skipped, not buffered', () => {
  const file = path.join(tmp(), 'x.ndjson');
  fs.writeFileSync(file, `ok\n${'z'.repeat(5000)}\nafter\n`);
  const { lines, oversized } = collect(file, 1024);
  assert.deepEqual(oversized, [2]);
  assert.deepEqual(lines.map((l) => [l.no, l.text]), [[1, 'ok'], [3, 'after']]);
});

test('append: a torn last line is closed first, so new lines never glue onto it', () => {
  const file = path.join(tmp(), 'records.ndjson');
  fs.writeFileSync(file, '{"envelope":{"torn');
  appendLines(file, ['{"a":1}', '{"b":2}']);
  assert.equal(fs.readFileSync(file, 'utf8'), '{"envelope":{"torn\n{"a":1}\n{"b":2}\n');
});

test('append: a line over the limit is refused before anything is written', () => {
  const file = path.join(tmp(), 'records.ndjson');
  fs.writeFileSync(file, '{"a":1}\n');
  assert.throws(() => appendLines(file, ['{"ok":1}', 'x'.repeat(MAX_LINE_BYTES + 1)]), /64 KiB/);
  assert.equal(fs.readFileSync(file, 'utf8'), '{"a":1}\n');
});

test('append: refuses to write through a symlinked log', () => {
  const dir = tmp();
  const outside = path.join(dir, 'outside.ndjson');
  fs.writeFileSync(outside, '');
  fs.symlinkSync(outside, path.join(dir, 'records.ndjson'));
  assert.throws(() => appendLines(path.join(dir, 'records.ndjson'), ['{}']), /ELOOP|symbolic link/);
  assert.equal(fs.readFileSync(outside, 'utf8'), '');
});

const seededLines = () =>
  seedFiles()
    .filter((f) => f.path.endsWith('nightly-day1/records.ndjson'))
    .flatMap((f) => f.content.trim().split('\n'));

test('fast path agrees with a full parse on every seeded line, and declines what matters', () => {
  const fp = new FastPath('run:nightly-ml-pipeline.nightly-day1');
  for (const line of seededLines()) {
    const rec = JSON.parse(line);
    // A template is trusted only once a line carrying it was fully parsed and accepted.
    if (fp.classify(line) === null) fp.learn(line, rec);
    const fast = fp.classify(line);
    const loud = rec.envelope.record_type === 'degraded' || ['warning', 'error', 'critical'].includes(rec.payload.level);
    if (loud) {
      assert.equal(fast, null, `must fully parse: ${line}`);
    } else {
      const expected: Record<string, unknown> = { type: rec.envelope.record_type, stage: rec.envelope.stage_execution_ref.split('.').pop() };
      if (rec.envelope.record_type === 'metric') expected.metric = { key: rec.payload.metric_key, value: rec.payload.value };
      assert.deepEqual(fast, expected);
    }
  }
});

test('fast path: a hot shape\'s variant for the run answers as the shape did, and still refuses refs of another run', () => {
  const fp = new FastPath('run:nightly-ml-pipeline.nightly-day1', 1);
  const routine = seededLines().filter((line) => {
    const rec = JSON.parse(line);
    return rec.envelope.record_type !== 'degraded' && !['warning', 'error', 'critical'].includes(rec.payload.level);
  });
  assert.ok(routine.length > 5);
  for (const line of routine) {
    if (fp.classify(line) === null) fp.learn(line, JSON.parse(line));
    const first = fp.classify(line); // the shape itself answers, then is replaced by its variant
    assert.notEqual(first, null, line);
    assert.deepEqual(fp.classify(line), first, line);
    const rec = JSON.parse(line);
    for (const field of ['record_ref', 'run_ref', 'stage_execution_ref'] as const) {
      const other = structuredClone(rec);
      if (typeof other.envelope[field] !== 'string') continue;
      other.envelope[field] = other.envelope[field].replace('nightly-day1', 'nightly-day2');
      assert.equal(fp.classify(canonicalLine(other)), null, `${field} of another run: ${line}`);
    }
  }
});

test('fast path declines torn, non-compact, foreign-run and marked lines; a look-alike nested key changes nothing', () => {
  const [line] = seededLines();
  const fp = new FastPath('run:nightly-ml-pipeline.nightly-day1');
  const rec = JSON.parse(line);
  fp.learn(line, rec);
  assert.notEqual(fp.classify(line), null);
  const marked = structuredClone(rec);
  marked.envelope.degradation_marker = 'partial_failure';
  const cases = [line.slice(0, -3), JSON.stringify(rec, null, 1), canonicalLine(marked)];
  for (const c of cases) {
    if (c !== cases[0]) fp.learn(c, JSON.parse(c));
    assert.equal(fp.classify(c), null, c.slice(0, 60));
  }
  assert.equal(new FastPath('run:nightly-ml-pipeline.nightly-day2').classify(line), null);
  // An unknown field holding a look-alike key: never mistaken for the record's own.
  const extended = structuredClone(rec);
  extended.envelope.extensions = [{ record_type: 'metric' }];
  const ext = canonicalLine(extended);
  assert.equal(fp.classify(ext), null, 'a new template is never trusted before a full parse');
  fp.learn(ext, JSON.parse(ext));
  assert.equal(fp.classify(ext)?.type, rec.envelope.record_type);
});

test('summary: counts per stage, keeps notable records, reports bad lines with numbers', () => {
  const dir = tmp();
  const file = path.join(dir, 'records.ndjson');
  const lines = seededLines();
  fs.writeFileSync(file, `${lines.slice(0, 5).join('\n')}\nnot json\n\n${lines.slice(5).join('\n')}\n{"envelope":{"tor`);
  const s = summarizeRecords(file, 'run:nightly-ml-pipeline.nightly-day1');
  assert.deepEqual(s.counts, { event: 5, metric: 3, span: 0, degraded: 1 });
  assert.deepEqual(s.by_stage.validate, { event: 1, metric: 0, span: 0, degraded: 1 });
  assert.deepEqual(s.notable.map((r) => r.envelope.record_type).sort(), ['degraded', 'event', 'event']);
  assert.deepEqual(s.unreadable.map((u) => u.line), [6, lines.length + 3]);
  assert.match(s.unreadable[1].reason, /torn line/);
});
