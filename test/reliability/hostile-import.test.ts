/**
 * Hostile `record import` input: every broken line is refused whole (exit 2),
 * the message names the line and the field, and the workspace is byte-for-byte
 * unchanged — including for a 100 MB line, which must be refused quickly
 * without reading it into memory.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, cleanEnv, contexta, degradedRecord, eventRecord, metricRecord, sandbox, STACK_TRACE, treeFingerprint } from './helpers';

type Rec = ReturnType<typeof metricRecord> & Record<string, any>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const good = (id: string) => metricRecord('p', 'r', id, { stage: 'train' }) as Rec;

interface Case {
  name: string;
  /** The text of line 2 (line 1 is always a valid record, so "nothing imported" means something). */
  line: string | Buffer;
  /** What the message must say besides "line 2". */
  expect: RegExp[];
}

const mutate = (fn: (r: any) => void, base: any = good('bad')): string => {
  const r = clone(base);
  fn(r);
  return JSON.stringify(r);
};

const CASES: Case[] = [
  { name: 'malformed JSON', line: '{"envelope": {"record_ref": "record:p.r.x",', expect: [/not valid JSON/] },
  { name: 'not an object', line: '[1, 2, 3]', expect: [/JSON object/] },
  { name: 'wrong type: value is a string', line: mutate((r) => (r.payload.value = 'twelve')), expect: [/payload\.value/, /finite number/] },
  { name: 'wrong type: record_type is a number', line: mutate((r) => (r.envelope.record_type = 5)), expect: [/envelope\.record_type/] },
  { name: 'wrong type: tags is an array', line: mutate((r) => (r.payload.tags = ['a'])), expect: [/payload\.tags/] },
  { name: 'missing required field', line: mutate((r) => delete r.envelope.observed_at), expect: [/envelope\.observed_at/, /required/] },
  { name: 'missing payload', line: mutate((r) => delete r.payload), expect: [/payload/] },
  { name: 'record_ref outside its run', line: mutate((r) => (r.envelope.record_ref = 'record:p.other.x')), expect: [/envelope\.record_ref/, /record:p\.r\./] },
  { name: 'record_ref in another project', line: mutate((r) => (r.envelope.record_ref = 'record:q.r.x')), expect: [/envelope\.record_ref/] },
  { name: 'stage ref outside its run', line: mutate((r) => (r.envelope.stage_execution_ref = 'stage:p.other.train')), expect: [/envelope\.stage_execution_ref/] },
  { name: 'path traversal in a ref', line: mutate((r) => (r.envelope.run_ref = 'run:p.../../x')), expect: [/envelope\.run_ref/] },
  { name: 'non-finite number (1e400 parses to Infinity)', line: mutate((r) => (r.payload.value = 7777)).replace('7777', '1e400'), expect: [/payload\.value/, /finite/] },
  { name: 'negative non-finite number', line: mutate((r) => (r.payload.value = 7777)).replace('7777', '-1e999'), expect: [/payload\.value/, /finite/] },
  { name: 'recorded_at before observed_at', line: mutate((r) => (r.envelope.recorded_at = '2025-03-18T01:00:00Z')), expect: [/envelope\.recorded_at/, /observed_at/] },
  { name: 'timestamp without a zone', line: mutate((r) => (r.envelope.observed_at = '2025-03-18T02:00:00')), expect: [/envelope\.observed_at/, /ISO-8601/] },
  { name: 'degraded record with degradation_marker none', line: mutate((r) => (r.envelope.degradation_marker = 'none'), degradedRecord('p', 'r', 'dg')), expect: [/envelope\.degradation_marker/, /capture_gap/] },
  { name: 'unknown enum value (event level)', line: mutate((r) => (r.payload.level = 'fatal'), eventRecord('p', 'r', 'ev')), expect: [/payload\.level/, /"debug"/, /"critical"/] },
  { name: 'unknown enum value (completeness_marker)', line: mutate((r) => (r.envelope.completeness_marker = 'mostly')), expect: [/envelope\.completeness_marker/, /"complete"/] },
  { name: 'unknown schema_version', line: mutate((r) => (r.envelope.schema_version = '9.0.0')), expect: [/envelope\.schema_version/] },
  { name: 'duplicate record_ref in the batch', line: JSON.stringify(good('ok1')), expect: [/envelope\.record_ref/, /duplicate/] },
  { name: 'invalid UTF-8 bytes', line: Buffer.concat([Buffer.from('{"envelope": "'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]), expect: [/UTF-8/] },
  { name: 'wrapped Python line with a bad record', line: JSON.stringify({ sequence: 2, appended_at: 'x', record: JSON.parse(mutate((r) => (r.payload.aggregation_scope = 'galaxy'))) }), expect: [/payload\.aggregation_scope/] },
];

describe('hostile record import', () => {
  const box = sandbox();
  after(() => box.cleanup());
  let baseline: Record<string, string>;

  before(() => {
    // An existing run, so "unchanged" covers appending to a log, not just creating one.
    assert.equal(contexta(['record', 'metric', 'm', '1', '--project', 'p', '--run', 'r', '--stage', 'train'], { cwd: box.cwd }).code, 0);
    baseline = treeFingerprint(box.cwd, { mtimes: true });
  });

  for (const c of CASES) {
    it(`${c.name}: exit 2, message names line 2 and the field, workspace unchanged`, () => {
      const file = path.join(box.base, 'input.ndjson');
      fs.writeFileSync(file, Buffer.concat([Buffer.from(JSON.stringify(good('ok1')) + '\n'), Buffer.from(c.line), Buffer.from('\n' + JSON.stringify(good('ok3')) + '\n')]));
      const r = contexta(['record', 'import', file], { cwd: box.cwd });
      assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, /line 2\b/);
      for (const re of c.expect) assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /line [13]\b/, 'the valid lines are not blamed');
      assert.deepEqual(treeFingerprint(box.cwd, { mtimes: true }), baseline);
    });
  }

  it('the same through standard input, with --json: a JSON error naming line and field', () => {
    const input = JSON.stringify(good('ok1')) + '\n' + mutate((r) => (r.payload.value = 'x')) + '\n';
    const r = contexta(['record', 'import', '-', '--json'], { cwd: box.cwd, input });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    const err = JSON.parse(r.stderr).error;
    assert.equal(err.code, 'invalid_input');
    assert.deepEqual(err.details.problems[0], { line: 2, field: 'payload.value', message: 'must be a finite number' });
    assert.deepEqual(treeFingerprint(box.cwd, { mtimes: true }), baseline);
  });

  it('an empty file, and a file of blank lines: exit 2, nothing created', () => {
    for (const text of ['', '\n\n  \n']) {
      const file = path.join(box.base, 'empty.ndjson');
      fs.writeFileSync(file, text);
      const r = contexta(['record', 'import', file], { cwd: box.cwd });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /no records/);
    }
    assert.deepEqual(treeFingerprint(box.cwd, { mtimes: true }), baseline);
  });

  it('many bad lines: each is reported with its line number (first ones shown, the rest counted)', () => {
    const lines = [JSON.stringify(good('ok1'))];
    for (let i = 0; i < 30; i++) lines.push(mutate((r) => (r.payload.value = 'x'), good(`b${i}`)));
    const file = path.join(box.base, 'many.ndjson');
    fs.writeFileSync(file, lines.join('\n'));
    const r = contexta(['record', 'import', file], { cwd: box.cwd });
    assert.equal(r.code, 2);
    for (let n = 2; n <= 11; n++) assert.match(r.stderr, new RegExp(`line ${n}: payload\\.value`));
    assert.match(r.stderr, /20 more/);
    assert.deepEqual(treeFingerprint(box.cwd, { mtimes: true }), baseline);
  });

  it('a 100 MB line: exit 2 quickly, without holding the line in memory, nothing written', (t) => {
    const file = path.join(box.base, 'huge.ndjson');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, JSON.stringify(good('ok1')) + '\n{"envelope":{"record_ref":"');
    const block = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 100; i++) fs.writeSync(fd, block);
    fs.writeSync(fd, '"}}\n' + JSON.stringify(good('ok3')) + '\n');
    fs.closeSync(fd);

    // GNU time reports the child's peak RSS; fall back to the wall clock alone without it.
    const haveTime = fs.existsSync('/usr/bin/time');
    const started = Date.now();
    const r = haveTime
      ? spawnSync('/usr/bin/time', ['-f', 'MAXRSS_KB=%M', process.execPath, BIN, 'record', 'import', file], { cwd: box.cwd, env: cleanEnv(), encoding: 'utf8', timeout: 30_000 })
      : spawnSync(process.execPath, [BIN, 'record', 'import', file], { cwd: box.cwd, env: cleanEnv(), encoding: 'utf8', timeout: 30_000 });
    const elapsed = Date.now() - started;
    assert.equal(r.status, 2, r.stderr);
    assert.doesNotMatch(r.stderr, STACK_TRACE);
    assert.match(r.stderr, /line 2: is \d+ bytes or more; a record line may be at most \d+ bytes/);
    assert.doesNotMatch(r.stderr, /line 3/, 'the lines around it are fine');
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
    if (haveTime) {
      const rss = Number(/MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1]);
      t.diagnostic(`100 MB line refused in ${elapsed} ms, peak RSS ${Math.round(rss / 1024)} MiB`);
      assert.ok(rss > 0 && rss < 150 * 1024, `peak RSS ${rss} KiB: the line was held in memory`);
    } else {
      t.diagnostic(`100 MB line refused in ${elapsed} ms (no /usr/bin/time: peak memory not measured)`);
    }
    fs.rmSync(file);
    assert.deepEqual(treeFingerprint(box.cwd, { mtimes: true }), baseline);
  });

  it('keys named __proto__ / constructor are stored as data, never dropped or turned into prototypes', () => {
    const other = sandbox();
    try {
      const line = mutate((r) => (r.payload.tags = { keep: '1', zzz: 'polluted', constructor: 'c' }), good('proto')).replace('"zzz"', '"__proto__"');
      const file = path.join(other.base, 'proto.ndjson');
      fs.writeFileSync(file, line + '\n');
      const r = contexta(['record', 'import', file], { cwd: other.cwd });
      assert.equal(r.code, 0, r.stderr);
      const ev = contexta(['record', 'event', 'k', 'msg', '--attr', '__proto__=1', '--attr', 'toString=2', '--project', 'p', '--run', 'r'], { cwd: other.cwd });
      assert.equal(ev.code, 0, ev.stderr);
      const snap = JSON.parse(contexta(['snapshot', 'r', '--json'], { cwd: other.cwd }).stdout);
      const [metric, event] = snap.records;
      assert.deepEqual(Object.keys(metric.payload.tags).sort(), ['__proto__', 'constructor', 'keep']);
      assert.deepEqual(Object.getOwnPropertyDescriptor(metric.payload.tags, '__proto__')?.value, 'polluted');
      assert.deepEqual(Object.getOwnPropertyDescriptor(event.payload.attributes, '__proto__')?.value, 1);
      assert.equal(event.payload.attributes.toString, 2);
      // Stored bytes are the canonical form of the input: keys sorted, nothing lost.
      const log = fs.readFileSync(path.join(other.ws, 'projects', 'p', 'runs', 'r', 'records.ndjson'), 'utf8');
      assert.ok(log.includes('"tags":{"__proto__":"polluted","constructor":"c","keep":"1"}'), log.slice(0, 600));
    } finally {
      other.cleanup();
    }
  });

  it('a file that cannot be read (a directory, a missing file): exit 3 naming it, nothing written', () => {
    for (const target of [box.base, path.join(box.base, 'missing.ndjson')]) {
      const r = contexta(['record', 'import', target], { cwd: box.cwd });
      assert.equal(r.code, 3, r.stderr);
      assert.ok(r.stderr.includes(target), r.stderr);
    }
    assert.deepEqual(treeFingerprint(box.cwd, { mtimes: true }), baseline);
  });
});
