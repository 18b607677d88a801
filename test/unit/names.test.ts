/** The documented derivation from names people have to ref components (docs/names.md). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { componentOf, deriveName, NAME_MAX } from '../../src/schema/names';
import { componentProblem } from '../../src/schema/refs';

test('names people already have derive a component by the documented rules', () => {
  const cases: [string, string][] = [
    ['nightly-day1', 'nightly-day1'],
    ['scheduled__2025-04-07T02:00:00+00:00', 'scheduled-2025-04-07t02-00-00-00-00'],
    ['manual__2025-04-07T02:00:00.123456+00:00', 'manual-2025-04-07t02-00-00-123456-00-00'],
    ['feature_engineering', 'feature-engineering'],
    ['Feature Engineering', 'feature-engineering'],
    ['UPPER', 'upper'],
    ['MyProject', 'myproject'],
    ['  padded  ', 'padded'],
    ['--dashes--', 'dashes'],
    ['a..b', 'a-b'],
    ['a.b', 'a-b'],
    ['../../escape', 'escape'],
    ['/abs/path', 'abs-path'],
    ['a\\b', 'a-b'],
    ['Café Crème', 'cafe-creme'],
    ['ｆｕｌｌ', 'full'],
    ['run #42 (retry)', 'run-42-retry'],
    ['日本-run', 'run'],
  ];
  for (const [name, component] of cases) {
    assert.deepEqual(deriveName(name), { given: name.trim(), component }, name);
    assert.equal(componentProblem(component), null, component);
  }
});

test('a name that is a component already is its own component, unchanged', () => {
  for (const name of ['a', '0', 'nightly-day1', 'x'.repeat(63), 'a-1-b']) assert.deepEqual(deriveName(name), { given: name, component: name });
});

test('long names are cut to 54 characters and given a stable hash suffix, so they stay distinct', () => {
  const long = `Airflow_${'x'.repeat(80)}`;
  const derived = deriveName(long);
  assert.ok('component' in derived);
  const hash = createHash('sha256').update(long, 'utf8').digest('hex').slice(0, 8);
  assert.equal(derived.component, `airflow-${'x'.repeat(46)}-${hash}`);
  assert.equal(derived.component.length, 63);
  assert.equal(componentProblem(derived.component), null);
  // Same name, same component; a name sharing the first 54 characters gets another.
  assert.equal(componentOf(long), derived.component);
  assert.notEqual(componentOf(`${long}y`), derived.component);
  // A valid-looking component over 63 characters is hashed too.
  assert.equal(componentOf('a'.repeat(64))!.length, 63);
  // A cut that ends on a separator does not leave a double dash.
  const cutAtDash = componentOf(`${'a'.repeat(53)}_${'b'.repeat(20)}`)!;
  assert.doesNotMatch(cutAtDash, /--/);
  assert.equal(componentProblem(cutAtDash), null);
});

test('names with nothing to derive from, or characters that would forge output, are refused', () => {
  const cases: [string, RegExp][] = [
    ['', /is empty/], ['   ', /is empty/], ['..', /no letter or digit/], ['/', /no letter or digit/], ['_-_', /no letter or digit/],
    ['日本', /no letter or digit/], ['a\nb', /control/], ['a\tb', /control/], ['a\u0000b', /control/], ['a\u001b[2Jb', /control/],
    ['a\u202eb', /bidirectional/], ['a\u2028b', /control/], ['x'.repeat(NAME_MAX + 1), /at most 255/],
  ];
  for (const [name, why] of cases) {
    const derived = deriveName(name);
    assert.ok('problem' in derived, `${JSON.stringify(name)} was accepted`);
    assert.match(derived.problem, why, JSON.stringify(name));
    assert.equal(componentOf(name), null);
  }
  assert.ok('component' in deriveName('x'.repeat(NAME_MAX)));
});

test('property: every accepted name derives a valid component that derives to itself', async () => {
  const fc = await import('fast-check');
  const name = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc.stringMatching(/^[A-Za-z0-9_.:+ -]{0,120}$/),
  );
  let accepted = 0;
  fc.assert(
    fc.property(name, (raw) => {
      const derived = deriveName(raw);
      if ('problem' in derived) return;
      accepted++;
      assert.equal(componentProblem(derived.component), null, `${JSON.stringify(raw)} -> ${derived.component}`);
      assert.equal(derived.given, raw.trim());
      assert.deepEqual(deriveName(derived.component), { given: derived.component, component: derived.component });
      assert.equal(componentOf(raw), derived.component, 'deterministic');
    }),
    { numRuns: 3000 },
  );
  assert.ok(accepted > 1000, `only ${accepted} accepted names were checked`);
});
