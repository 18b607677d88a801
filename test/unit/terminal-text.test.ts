/** Escaping, fitting tables to a width, wrapping, and run-name suggestions: table tests. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeText } from '../../src/render/escape';
import { clipLine, fitColumns, tableWidth, visibleWidth, wrapText } from '../../src/render/fit';
import { renderTable, makeChalk } from '../../src/render/style';
import { closestNames, editDistance } from '../../src/core/reading/suggest';
import { attemptComponent, attemptOf, latestOnly } from '../../src/core/storage/attempts';

describe('escapeText', () => {
  const cases: [unknown, string][] = [
    ['plain', 'plain'],
    ['a\nb\tc\rd', 'a\\nb\\tc\\rd'],
    ['\x1b[2J', '\\x1b[2J'],
    ['\x7f\x9b', '\\x7f\\x9b'],
    ['left\u202eright\u2066x\u2069\u200f\u061c', 'left\\u202eright\\u2066x\\u2069\\u200f\\u061c'],
    ['line\u2028para\u2029', 'line\\u2028para\\u2029'],
    ['ünïcödé ✔ 日本', 'ünïcödé ✔ 日本'],
    [null, ''],
    [42, '42'],
  ];
  for (const [input, want] of cases) it(JSON.stringify(input), () => assert.equal(escapeText(input), want));
  it('is idempotent', () => assert.equal(escapeText(escapeText('\x1b\n\u202e')), escapeText('\x1b\n\u202e')));
});

describe('fitColumns', () => {
  const spec = {
    head: ['RUN', 'STATUS', 'STARTED', 'DURATION', 'STAGES', 'ISSUES'],
    rows: [['nightly-ml-pipeline/nightly-day1', 'completed', '2025-03-18 02:00', '4m 05s', '✔✔✔✖✔ validate', '1E 0W 3I']],
    priority: [null, null, 2, 1, 3, null],
    minWidths: [16, null, null, null, 8, null],
  };
  for (const width of [40, 60, 80, 100, 200]) {
    for (const boxed of [true, false]) {
      it(`fits ${width} columns (${boxed ? 'boxed' : 'plain'})`, () => {
        const { keep, widths } = fitColumns(spec, width, boxed);
        const natural = spec.head.map((_, i) => Math.max(...[spec.head[i], ...spec.rows.map((r) => r[i])].map(visibleWidth)));
        const used = widths ?? keep.map((i) => natural[i]);
        assert.ok(tableWidth(used, boxed) <= width, `${tableWidth(used, boxed)} > ${width}`);
        assert.ok(keep.includes(0) && keep.includes(1) && keep.includes(5), 'never drops run, status, issues');
      });
    }
  }
  it('drops the lowest priority first', () => {
    const { keep } = fitColumns(spec, 70, true);
    assert.ok(!keep.includes(3), 'duration goes first');
  });
  it('rendered tables never exceed the width', () => {
    for (const color of [true, false]) {
      for (const width of [50, 80, 120]) {
        const text = renderTable(makeChalk(color), color, { ...spec, width });
        for (const line of text.split('\n')) assert.ok(visibleWidth(line) <= width, `${visibleWidth(line)} > ${width}: ${line}`);
      }
    }
  });
});

describe('wrapText / clipLine', () => {
  it('wraps at spaces, cuts words longer than a line', () => {
    assert.deepEqual(wrapText('aaa bbb ccc', 10 + 4, 4), ['aaa bbb', 'ccc']);
    assert.deepEqual(wrapText('x'.repeat(25), 14, 4), ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    assert.deepEqual(wrapText('short', undefined, 4), ['short']);
  });
  it('clips to the width with an ellipsis, colour codes kept whole', () => {
    assert.equal(clipLine('abcdefghij', 5), 'abcd…');
    assert.equal(clipLine('abc', 5), 'abc');
    assert.equal(visibleWidth(clipLine('\x1b[31mabcdefghij\x1b[39m', 5)), 5);
  });
});

describe('closestNames', () => {
  it('edit distance', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
  });
  const names = ['nightly-day1', 'nightly-day2', 'nightly-day3', 'weekly', 'p'];
  const cases: [string, string[]][] = [
    ['nightly-dya1', ['nightly-day1', 'nightly-day2', 'nightly-day3']],
    ['weekyl', ['weekly']],
    ['nope', []],
    ['nightly', ['nightly-day1', 'nightly-day2', 'nightly-day3']],
  ];
  for (const [wanted, want] of cases) it(wanted, () => assert.deepEqual(closestNames(wanted, names), want));
});

describe('attempt names', () => {
  it('maps run directories to attempts', () => {
    assert.deepEqual(attemptOf('nightly'), { base: 'nightly', attempt: 1 });
    assert.deepEqual(attemptOf('nightly-attempt-12'), { base: 'nightly', attempt: 12 });
    assert.deepEqual(attemptOf('nightly-attempt-0'), { base: 'nightly-attempt-0', attempt: 1 });
    assert.equal(attemptComponent('nightly', 1), 'nightly');
    assert.equal(attemptComponent('nightly', 3), 'nightly-attempt-3');
    assert.throws(() => attemptComponent('x'.repeat(60), 2), /too long to hold an attempt number/);
  });
  it('keeps the latest attempt of each run', () => {
    assert.deepEqual(latestOnly(['a', 'a-attempt-2', 'a-attempt-10', 'b', 'c-attempt-2']), ['a-attempt-10', 'b', 'c-attempt-2']);
  });
});
