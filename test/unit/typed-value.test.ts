/**
 * Values typed on the command line are never changed silently (docs/values.md):
 * an --attr value is a number only when contexta and the Python library both
 * write it back as the very text typed; a metric value is refused when the
 * stored number would differ from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributeValue, decimalKey, metricValue, pythonFloatRepr } from '../../src/core/writing/typed-value';

test('--attr values: booleans and numbers that write back unchanged are typed, everything else stays the text', () => {
  const cases: [string, unknown][] = [
    // typed
    ['5', 5], ['-2', -2], ['0', 0], ['-2.5', -2.5], ['0.1', 0.1], ['123.456', 123.456], ['0.0001', 0.0001],
    ['9007199254740991', 9007199254740991], ['-9007199254740991', -9007199254740991], ['1e+21', 1e21], ['1e-10', 1e-10],
    ['0.30000000000000004', 0.30000000000000004], ['true', true], ['false', false],
    // beyond 2^53: Python would keep it exactly, a double cannot
    ['9007199254740992', '9007199254740992'], ['9007199254740993', '9007199254740993'], ['12345678901234567890', '12345678901234567890'],
    // decimals whose number form writes back differently
    ['1.10', '1.10'], ['1.0', '1.0'], ['2.50', '2.50'], ['-0', '-0'], ['-0.0', '-0.0'], ['1e3', '1e3'], ['1E3', '1E3'],
    ['1e21', '1e21'], ['1e16', '1e16'], ['0.00001', '0.00001'], ['1e-7', '1e-7'], ['1e400', '1e400'], ['1e-400', '1e-400'],
    // not JSON numbers: the contract's readers (JSON) do not take them
    ['0x1f', '0x1f'], ['0o17', '0o17'], ['0b101', '0b101'], ['1_000', '1_000'], ['007', '007'], ['+5', '+5'], ['.5', '.5'],
    ['5.', '5.'], [' 5', ' 5'], ['NaN', 'NaN'], ['Infinity', 'Infinity'], ['-nan', '-nan'],
    // words
    ['abc', 'abc'], ['', ''], ['True', 'True'], ['null', 'null'], ['a=b', 'a=b'],
  ];
  for (const [raw, want] of cases) assert.deepEqual(attributeValue(raw), want, JSON.stringify(raw));
});

test('a typed --attr value writes back as the text typed, by JSON.stringify and by Python repr', () => {
  for (const raw of ['5', '-2.5', '0.1', '1e+21', '1e-10', '0.0001', '123.456']) {
    const value = attributeValue(raw);
    assert.equal(typeof value, 'number', raw);
    assert.equal(JSON.stringify(value), raw);
    if (/[.e]/.test(raw)) assert.equal(pythonFloatRepr(value as number), raw);
  }
});

test("pythonFloatRepr matches Python's repr(float) (figures from CPython 3.13 json.dumps)", () => {
  const cases: [number, string][] = [
    [1.5, '1.5'], [0.1, '0.1'], [0.0001, '0.0001'], [0.00001, '1e-05'], [1e-7, '1e-07'], [1e-10, '1e-10'], [1e21, '1e+21'],
    [1e16, '1e+16'], [1, '1.0'], [-0, '-0.0'], [0, '0.0'], [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'],
    [123.456, '123.456'], [1e100, '1e+100'], [2.5e-5, '2.5e-05'], [0.30000000000000004, '0.30000000000000004'],
    [1234567890123456.8, '1234567890123456.8'], [-12.5, '-12.5'], [9007199254740992, '9007199254740992.0'],
  ];
  for (const [n, want] of cases) assert.equal(pythonFloatRepr(n), want, String(n));
});

test('metric values: any decimal notation whose value is kept exactly', () => {
  const cases: [string, number, boolean][] = [
    ['0', 0, true], ['42', 42, true], ['-1', -1, true], ['-0.5', -0.5, false], ['-1e3', -1000, true], ['-1E3', -1000, true],
    ['1.10', 1.1, false], ['2.50', 2.5, false], ['0.1', 0.1, false], ['.5', 0.5, false], ['-.5', -0.5, false], ['5.', 5, false],
    ['+3', 3, true], ['007', 7, true], ['  12', 12, true], ['12\n', 12, true], ['-0', 0, true], ['-0.0', 0, false],
    ['9007199254740992', 9007199254740992, true], ['1e21', 1e21, true], ['5e-324', 5e-324, false],
    ['1.7976931348623157e308', 1.7976931348623157e308, false], ['0.30000000000000004', 0.30000000000000004, false],
  ];
  for (const [raw, value, integer] of cases) {
    const got = metricValue(raw);
    assert.ok('value' in got, `${JSON.stringify(raw)}: ${'problem' in got ? got.problem : ''}`);
    assert.ok(Object.is(got.value, value), `${JSON.stringify(raw)} -> ${got.value}`);
    assert.equal(got.integer, integer, `${JSON.stringify(raw)} integer`);
  }
});

test('metric values that would be stored as another number, or are not numbers, are refused naming the allowed forms', () => {
  const cases: [string, RegExp][] = [
    ['1e-400', /underflows/], ['-1e-400', /underflows/], ['4e-324', /cannot be stored exactly.*5e-324/],
    ['1e400', /overflows/], ['-1e309', /overflows/],
    ['9007199254740993', /cannot be stored exactly.*9007199254740992/], ['0.10000000000000000001', /would become 0\.1\b/],
    ['nan', /NaN and infinities/], ['-nan', /NaN and infinities/], ['NaN', /NaN and infinities/], ['inf', /NaN and infinities/],
    ['-Infinity', /NaN and infinities/], ['0x1f', /hexadecimal.*write 31/], ['-0x1F', /write -31/], ['0o17', /octal.*write 15/],
    ['0b101', /binary.*write 5/], ['1_000', /digit separators.*write 1000/], ['abc', /is not a number/], ['', /is empty/],
    ['1,5', /is not a number/], ['1e', /is not a number/], ['--1', /is not a number/],
  ];
  for (const [raw, why] of cases) {
    const got = metricValue(raw);
    assert.ok('problem' in got, `${JSON.stringify(raw)} was accepted as ${'value' in got ? got.value : ''}`);
    assert.match(got.problem, why, raw);
    // A value that is a number but not exactly storable names the number to write instead; the rest name the allowed forms.
    if (!/cannot be stored exactly/.test(got.problem)) assert.match(got.problem, /a finite number in decimal notation, such as 42, -1, 0\.5 or 1\.5e3/, raw);
  }
});

test('decimalKey: equal keys exactly for equal decimal values', () => {
  const same = [['1.10', '1.1', '11e-1', '0.0011e3', '+1.1'], ['0', '-0', '0.000', '0e5'], ['1000', '1e3', '1.000E+3', '01000']];
  for (const group of same) for (const t of group) assert.equal(decimalKey(t), decimalKey(group[0]), t);
  assert.notEqual(decimalKey('0.1'), decimalKey('0.10000000000000001'));
  assert.notEqual(decimalKey('-1'), decimalKey('1'));
});
