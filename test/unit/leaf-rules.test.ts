/**
 * The fast path's leaf rules are written twice: as functions, and as pattern fragments
 * compiled into each shape's pattern. Whatever a fragment accepts, the function (and for
 * timestamps the shared contract's own reading) must accept too, or the fast path could
 * answer for a line the contract refuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMPONENT_RE, FAST_NUMBER_RE, GENERAL_NUMBER_RE, MAX_RUN_VALUE, plainNumber, plainTimestamp, RUN_VALUE_RE, STRING_RE, TEXT_RE, TIMESTAMP_RE,
} from '../../src/core/reading/leaf-rules';
import { normalizeTimestamp } from '../../src/schema/timestamps';

const whole = (fragment: string) => new RegExp(`^(?:${fragment})$`);
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

test('timestamp fragment: exactly the timestamps plainTimestamp accepts, each accepted by the shared contract', () => {
  const ts = whole(TIMESTAMP_RE);
  const candidates: string[] = [];
  for (let y = 990; y <= 10_000; y++) candidates.push(`${pad(y, 4)}-02-29T00:00:00Z`, `${pad(y, 4)}-02-28T23:59:59Z`);
  for (const y of [1000, 1900, 2000, 2023, 2024, 9999]) {
    for (let m = 0; m <= 13; m++) for (let d = 0; d <= 32; d++) candidates.push(`${y}-${pad(m)}-${pad(d)}T12:30:45Z`);
  }
  for (let h = 0; h <= 25; h++) for (const mi of [0, 9, 10, 59, 60, 61, 99]) candidates.push(`2025-03-18T${pad(h)}:${pad(mi)}:${pad(mi)}Z`);
  for (let digits = 0; digits <= 11; digits++) {
    const frac = digits ? `.${'1234567890a'.slice(0, digits)}` : '';
    candidates.push(`2025-03-18T02:00:00${frac}Z`, `2025-03-18T02:00:00${frac}+00:00`, `2025-03-18T02:00:00${frac}`, `2025-03-18T02:00:00${frac.replace(/\d/g, '0')}Z`);
  }
  candidates.push(
    '2025-03-18T02:00:00.Z', '2025-03-18t02:00:00Z', '2025-03-18T02:00:00z', '2025-03-18 02:00:00Z', ' 2025-03-18T02:00:00Z', '2025-03-18T02:00:00Z ',
    '+02025-03-18T02:00:00Z', '2025-3-18T02:00:00Z', '2025-03-18T2:00:00Z', '2025-03-18T02:00Z', '2025-W12-1T02:00:00Z', '20250318T020000Z', '',
  );
  let accepted = 0;
  for (const s of candidates) {
    const fragment = ts.test(s);
    assert.equal(fragment, plainTimestamp(s), s);
    if (fragment) {
      accepted++;
      assert.equal(normalizeTimestamp(s).ok, true, s);
    }
  }
  assert.ok(accepted > 3000, `only ${accepted} accepted: the test proves little`);
});

test('timestamp fragment: 29 February exactly in leap years (divisible by 4, not by 100 unless by 400)', () => {
  const ts = whole(TIMESTAMP_RE);
  for (let y = 1000; y <= 9999; y++) {
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    assert.equal(ts.test(`${y}-02-29T00:00:00Z`), leap, String(y));
  }
});

/** plainNumber's fast branch, as written there. */
function fastNumber(text: string): boolean {
  const safeInteger = /^(?:0|-?[1-9]\d{0,14})$/;
  const shortDecimal = /^-?(?:[1-9]\d*\.\d*[1-9]|0\.0{0,5}[1-9](?:\d*[1-9])?)$/;
  return text.length <= 16 && (safeInteger.test(text) || shortDecimal.test(text)) && text.length - (text.startsWith('-') ? 1 : 0) <= 15;
}

test('number fragments: the fast one is plainNumber\'s fast branch and reads back the same; the general one takes every JSON number', () => {
  const fast = whole(FAST_NUMBER_RE);
  const general = whole(GENERAL_NUMBER_RE);
  const jsonNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
  const candidates = new Set<string>(['0', '-0', '00', '1', '-1', '0.5', '-0.5', '0.000001', '0.0000001', '1.10', '1.', '.5', '1e5', '1E+5', '1.5e-7',
    '123456789012345', '1234567890123456', '-123456789012345', '12345678901234.5', '1234567890123.45', '0.12345678901234', '0.123456789012345',
    '9007199254740993', '100', '10.01', '-0.0', '1..2', '1-2', '+1', 'NaN', '']);
  let seed = 7;
  const next = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 4_294_967_296;
  };
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(next() * 10))).join('');
  const alphabet = '0123456789.-e+';
  for (let i = 0; i < 100_000; i++) {
    // Number-like: sign, integer part (sometimes 0 or a leading zero), fraction (sometimes zeros), exponent.
    const sign = next() < 0.3 ? '-' : '';
    const r = next();
    const int = r < 0.3 ? '0' : r < 0.35 ? `0${digits(2)}` : String(1 + Math.floor(next() * 9)) + digits(Math.floor(next() * 16));
    const frac = next() < 0.6 ? `.${next() < 0.3 ? '0'.repeat(Math.floor(next() * 8)) : ''}${digits(Math.floor(next() * 12))}` : '';
    const exp = next() < 0.1 ? `e${next() < 0.5 ? '-' : '+'}${digits(1 + Math.floor(next() * 3))}` : '';
    candidates.add(sign + int + frac + exp);
    // Noise over the whole alphabet.
    let noise = '';
    for (let j = 1 + Math.floor(next() * 18); j > 0; j--) noise += alphabet[Math.floor(next() * alphabet.length)];
    candidates.add(noise);
  }
  let accepted = 0;
  for (const s of candidates) {
    assert.equal(fast.test(s), fastNumber(s), s);
    if (fast.test(s)) {
      accepted++;
      assert.equal(plainNumber(s), Number(s), s);
      assert.equal(String(Number(s)), s, s);
    }
    if (jsonNumber.test(s)) assert.ok(general.test(s), s);
  }
  assert.ok(accepted > 10_000, `only ${accepted} accepted`);
});

test('ref fragments: a component by the StableRef grammar and at most 63 characters; refs stay within 255', () => {
  const comp = new RegExp(`^(?:${COMPONENT_RE})"$`);
  const rule = (s: string) => s.length <= 63 && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(s);
  const cases = ['a', 'a-b', 'a1-2b', 'x'.repeat(63), 'x'.repeat(64), 'a-', '-a', 'a--b', 'A', 'a_b', 'a.b', 'a b', '', 'é', `${'a-'.repeat(31)}a`, `${'a-'.repeat(32)}a`];
  for (const s of cases) assert.equal(comp.test(`${s}"`), rule(s), s);
  const run = whole(RUN_VALUE_RE);
  for (const [s, ok] of [['p.r', true], ['my-proj.night-1', true], ['p', false], ['p.r.x', false], ['P.r', false], ['p.-r', false]] as const) assert.equal(run.test(s), ok, s);
  assert.ok('record:'.length + MAX_RUN_VALUE + 1 + 63 <= 255);
});

test('string fragments: printable ASCII without quote or backslash; text ones not blank', () => {
  const str = whole(STRING_RE);
  const text = whole(TEXT_RE);
  for (const [s, plain, notBlank] of [
    ['""', true, false], ['" "', true, false], ['"   "', true, false], ['"a"', true, true], ['"  a "', true, true], ['"a\\"b"', false, false],
    ['"a\\\\"', false, false], ['"\t"', false, false], ['"é"', false, false], ['"a"b"', false, false], ['"~"', true, true],
  ] as const) {
    assert.equal(str.test(s), plain, s);
    assert.equal(text.test(s), notBlank, s);
  }
});
