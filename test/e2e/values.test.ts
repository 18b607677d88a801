/**
 * Values are never changed silently (docs/values.md), as a shell user meets it:
 * `record metric k -1` is a value, `-nan` and `inf` get the documented refusal,
 * a metric that cannot be stored exactly is refused, `--attr` values keep their
 * text unless their number form writes back the same, a repeated key is refused,
 * and `--producer` / CONTEXTA_PRODUCER set producer_ref. Every refusal: exit 2,
 * nothing written.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { expectCode, readNdjson, run, runDir, runMany, tempWorkspace, treeSnapshot, type TempWorkspace } from './helpers';

let tmp: TempWorkspace;
const ENV = { CONTEXTA_PROJECT: 'vals', CONTEXTA_RUN: 'r1' };
const records = () => readNdjson(path.join(runDir(tmp.ws, 'vals', 'r1'), 'records.ndjson'));

before(() => {
  tmp = tempWorkspace();
  expectCode(run(['record', 'run', 'start'], { cwd: tmp.dir, env: ENV }), 0);
});

test('negative numbers are metric values, not options, wherever they stand', async () => {
  const cases: [string[], number, string][] = [
    [['record', 'metric', 'delta', '-1'], -1, 'integer'],
    [['record', 'metric', 'delta', '-0.5'], -0.5, 'float'],
    [['record', 'metric', 'delta', '-1e3'], -1000, 'integer'],
    [['record', 'metric', 'delta', '-1E3', '--unit', 'rows'], -1000, 'integer'],
    [['record', 'metric', '--unit', 'rows', 'delta', '-.5'], -0.5, 'float'],
    [['record', 'metric', 'delta', '--', '-2'], -2, 'integer'],
    [['record', 'metric', 'delta', '1.10'], 1.1, 'float'],
    [['record', 'metric', 'delta', '  12'], 12, 'integer'],
  ];
  const results = await runMany(cases.map(([args]) => [args, { cwd: tmp.dir, env: ENV }]));
  const byRef = new Map(records().map((r) => [r.envelope.record_ref, r.payload]));
  results.forEach((r, i) => {
    expectCode(r, 0);
    const payload = byRef.get(r.stdout.trim());
    assert.ok(payload, `${r.args.join(' ')} stored`);
    assert.equal(payload.value, cases[i][1], r.args.join(' '));
    assert.equal(payload.value_type, cases[i][2], r.args.join(' '));
  });
});

test('NaN, infinities, hex, 1_000 and values that would change are refused: exit 2 naming the allowed forms, nothing written', async () => {
  const before = treeSnapshot(tmp.dir, { mtimes: true });
  const cases: [string, RegExp][] = [
    ['-nan', /NaN and infinities/], ['nan', /NaN and infinities/], ['-inf', /NaN and infinities/], ['inf', /NaN and infinities/],
    ['Infinity', /NaN and infinities/], ['-Infinity', /NaN and infinities/], ['0x1f', /hexadecimal.*write 31/], ['-0x1f', /write -31/],
    ['0b101', /write 5/], ['1_000', /write 1000/], ['-1_000', /write -1000/], ['1e-400', /underflows/], ['1e400', /overflows/],
    ['9007199254740993', /cannot be stored exactly.*9007199254740992/], ['abc', /is not a number/],
  ];
  const results = await runMany(cases.map(([value]) => [['record', 'metric', 'k', value], { cwd: tmp.dir, env: ENV }]));
  results.forEach((r, i) => {
    expectCode(r, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^contexta: <value> /);
    assert.match(r.stderr, cases[i][1], r.stderr);
    if (!/exactly/.test(r.stderr)) assert.match(r.stderr, /a finite number in decimal notation, such as 42, -1, 0\.5 or 1\.5e3/);
  });
  assert.deepEqual(treeSnapshot(tmp.dir, { mtimes: true }), before);
});

test('--attr values are typed only when their number form writes back the same text; --tag values stay strings', () => {
  const attrs = ['n=5', 'neg=-2', 'f=1.5', 'ok=true', 'big=9007199254740993', 'huge=12345678901234567890', 'dec=1.10', 'one=1.0',
    'exp=1e3', 'hex=0x1f', 'oct=0o17', 'bin=0b101', 'sep=1_000', 'zip=007', 'nan=NaN', 'eq=a=b', 'empty='];
  const ref = expectCode(run(['record', 'event', 'typed.values', 'done', ...attrs.flatMap((a) => ['--attr', a])], { cwd: tmp.dir, env: ENV }), 0).stdout.trim();
  const event = records().find((r) => r.envelope.record_ref === ref)!;
  assert.deepEqual(event.payload.attributes, {
    n: 5, neg: -2, f: 1.5, ok: true, big: '9007199254740993', huge: '12345678901234567890', dec: '1.10', one: '1.0',
    exp: '1e3', hex: '0x1f', oct: '0o17', bin: '0b101', sep: '1_000', zip: '007', nan: 'NaN', eq: 'a=b', empty: '',
  });
  const metric = expectCode(run(['record', 'metric', 'm', '1', '--tag', 'shard=3', '--tag', 'warm=true'], { cwd: tmp.dir, env: ENV }), 0).stdout.trim();
  assert.deepEqual(records().find((r) => r.envelope.record_ref === metric)!.payload.tags, { shard: '3', warm: 'true' });
  // The stored line holds the text exactly: no 9007199254740992 anywhere.
  const degraded = expectCode(run(['record', 'degraded', 'k.x', '--summary', 's', '--attr', 'rows=9007199254740993'], { cwd: tmp.dir, env: ENV }), 0).stdout.trim();
  assert.equal(records().find((r) => r.envelope.record_ref === degraded)!.payload.attributes.rows, '9007199254740993');
});

test('a repeated --attr or --tag key, or one the contract would strip, is refused: exit 2, nothing written', async () => {
  const before = treeSnapshot(tmp.dir, { mtimes: true });
  const cases: [string[], RegExp][] = [
    [['record', 'event', 'k', 'm', '--attr', 'a=1', '--attr', 'a=2'], /--attr "a=2" repeats the key "a" \(already given as "a=1"\)/],
    [['record', 'degraded', 'k', '--summary', 's', '--attr', 'a=1', '--attr', 'b=2', '--attr', 'a=1'], /repeats the key "a"/],
    [['record', 'span', 's', '--start', '2025-01-01T00:00:00Z', '--end', '2025-01-01T00:00:01Z', '--attr', 'x=1', '--attr', 'x=1'], /repeats the key "x"/],
    [['record', 'metric', 'm', '1', '--tag', 'env=prod', '--tag', 'env=dev'], /--tag "env=dev" repeats the key "env"/],
    [['record', 'metric', 'm', '1', '--tag', 'env='], /tag values must not be blank/],
    [['record', 'metric', 'm', '1', '--tag', 'env= prod'], /surrounding whitespace/],
    [['record', 'event', 'k', 'm', '--attr', ' a=1'], /surrounding whitespace/],
  ];
  const results = await runMany(cases.map(([args]) => [args, { cwd: tmp.dir, env: ENV }]));
  results.forEach((r, i) => {
    expectCode(r, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, cases[i][1]);
  });
  assert.deepEqual(treeSnapshot(tmp.dir, { mtimes: true }), before);
});

test('--producer and CONTEXTA_PRODUCER set producer_ref (flag over environment); a bad token is refused with a suggestion', async () => {
  const flag = expectCode(run(['record', 'metric', 'm', '1', '--producer', 'airflow.nightly-etl'], { cwd: tmp.dir, env: ENV }), 0).stdout.trim();
  const env = expectCode(run(['record', 'event', 'k', 'm'], { cwd: tmp.dir, env: { ...ENV, CONTEXTA_PRODUCER: 'sdk.python.local' } }), 0).stdout.trim();
  const both = expectCode(run(['record', 'event', 'k', 'm', '--producer', 'my.tool'], { cwd: tmp.dir, env: { ...ENV, CONTEXTA_PRODUCER: 'sdk.python.local' } }), 0).stdout.trim();
  const producer = (ref: string) => records().find((r) => r.envelope.record_ref === ref)!.envelope.producer_ref;
  assert.equal(producer(flag), 'airflow.nightly-etl');
  assert.equal(producer(env), 'sdk.python.local');
  assert.equal(producer(both), 'my.tool');

  const before = treeSnapshot(tmp.dir, { mtimes: true });
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['record', 'metric', 'm', '1', '--producer', 'Airflow Nightly'], {}, /--producer "Airflow Nightly" must be a lowercase dot token.*did you mean airflow-nightly\?/],
    [['record', 'event', 'k', 'm'], { CONTEXTA_PRODUCER: 'producer:contexta.cli' }, /CONTEXTA_PRODUCER "producer:contexta\.cli" must be a lowercase dot token.*did you mean producer-contexta\.cli\?/],
    [['record', 'degraded', 'k', '--summary', 's', '--producer', '1tool'], {}, /lowercase dot token/],
    [['record', 'span', 's', '--start', '2025-01-01T00:00:00Z', '--end', '2025-01-01T00:00:01Z', '--producer', 'a..b'], {}, /lowercase dot token/],
  ];
  const results = await runMany(cases.map(([args, extra]) => [args, { cwd: tmp.dir, env: { ...ENV, ...extra } }]));
  results.forEach((r, i) => {
    expectCode(r, 2);
    assert.match(r.stderr, cases[i][2]);
  });
  assert.deepEqual(treeSnapshot(tmp.dir, { mtimes: true }), before);
  // Run and stage entries carry no producer: the flag is not offered there.
  expectCode(run(['record', 'run', 'end', '--producer', 'x.y'], { cwd: tmp.dir, env: ENV }), 2);
});
