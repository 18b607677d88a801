/** --at and span times: checked with the contract's Timestamp rule, stored as the same instant in UTC `Z` form. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utcNow, utcTimestamp } from '../../src/core/writing/instant';

test('an offset is stored as the same instant in UTC, in the form the Python library writes', () => {
  const cases: [string, string][] = [
    ['2025-04-07T02:00:00Z', '2025-04-07T02:00:00Z'],
    ['2025-04-07T11:00:00+09:00', '2025-04-07T02:00:00Z'],
    ['2025-04-06T21:30:00-04:30', '2025-04-07T02:00:00Z'],
    ['2025-01-01T05:00:00+09:00', '2024-12-31T20:00:00Z'],
    ['2025-03-01T00:30:00+01:00', '2025-02-28T23:30:00Z'],
    ['2024-03-01T00:30:00+01:00', '2024-02-29T23:30:00Z'],
    ['2025-04-07T02:00:00+00:00', '2025-04-07T02:00:00Z'],
    ['2025-04-07T02:00:00.5Z', '2025-04-07T02:00:00.500000Z'],
    ['2025-04-07T02:00:00.123+09:00', '2025-04-06T17:00:00.123000Z'],
    ['2025-04-07T02:00:00.123456Z', '2025-04-07T02:00:00.123456Z'],
    ['2025-04-07T02:00:00.1234567Z', '2025-04-07T02:00:00.123456Z'],
    ['2025-04-07T02:00:00.000Z', '2025-04-07T02:00:00Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59Z'],
  ];
  for (const [text, utc] of cases) assert.deepEqual(utcTimestamp(text), { utc }, text);
});

test('impossible dates and times are refused, not rolled over', () => {
  const cases: [string, RegExp][] = [
    ['2025-02-30T00:00:00Z', /not a real date|ISO-8601/], ['2025-02-29T00:00:00Z', /not a real date|ISO-8601/], ['2025-04-31T00:00:00Z', /not a real date|ISO-8601/],
    ['2025-13-01T00:00:00Z', /not a real date|ISO-8601/], ['2025-00-10T00:00:00Z', /not a real date|ISO-8601/], ['2025-01-01T24:00:00Z', /not a real date|ISO-8601/],
    ['2025-01-01T23:60:00Z', /not a real date|ISO-8601/], ['2025-01-01T23:59:60Z', /not a real date|ISO-8601/], ['0000-01-01T00:00:00Z', /not a real date|ISO-8601/],
    ['0001-01-01T00:30:00+01:00', /outside the years|ISO-8601|not a real date/], ['9999-12-31T23:30:00-01:00', /outside the years|ISO-8601|not a real date/],
    ['2025-01-01T00:00:00+24:00', /zone offset|ISO-8601/],
    ['2025-01-01T00:00:00', /ISO-8601/], ['2025-01-01', /ISO-8601/], ['yesterday', /ISO-8601/], ['2025-01-01 00:00:00Z', /ISO-8601/], ['', /ISO-8601/],
  ];
  for (const [text, why] of cases) {
    const got = utcTimestamp(text);
    assert.ok('problem' in got, `${text} was accepted as ${'utc' in got ? got.utc : ''}`);
    assert.match(got.problem, why, text);
  }
});

test('now is written with microseconds, or none when the milliseconds are zero', () => {
  assert.equal(utcNow(new Date('2025-04-07T02:00:00.123Z')), '2025-04-07T02:00:00.123000Z');
  assert.equal(utcNow(new Date('2025-04-07T02:00:00.007Z')), '2025-04-07T02:00:00.007000Z');
  assert.equal(utcNow(new Date('2025-04-07T02:00:00.000Z')), '2025-04-07T02:00:00Z');
});
