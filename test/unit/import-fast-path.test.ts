/**
 * `record import` stores the input bytes of a record already in stored form
 * (src/core/writing/canonical-text.ts) instead of serializing it again. That fast
 * path must agree with the full path line by line: whenever it takes a line, the full
 * path (decode, parse, contract, serialize) accepts the same record and stores
 * exactly the same bytes; it never takes a line the full path refuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { planImport } from '../../src/core/writing/import';
import { certainlyValid } from '../../src/core/writing/quick-check';
import { checkRecord } from '../../src/core/writing/validate';
import { canonicalLine, pyFloatRepr } from '../../src/core/writing/canonical';
import { parseJsonLine } from '../../src/core/writing/json-line';
import { storedLine } from '../../src/core/writing/facts';
import { seedFiles } from '../../src/core/writing/seed';
import { entityKindOf } from '../../src/schema/entity-docs';
import { isObj } from '../../src/schema/fields';
import { findStoredRecord, storedFormRecord, type StoredRecordText } from '../../src/core/writing/canonical-text';
import { StoredShapes } from '../../src/core/writing/stored-shapes';
import { ChunkBuilder } from '../../src/core/storage/append';

const FIXTURES = path.join(import.meta.dirname, '..', '..', 'fixtures');
const fixtureLines = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8').trim().split('\n');

/** The full path of `record import` for one line: the stored line, or why it is refused / not a record. */
function fullPath(bytes: Buffer): { stored?: string; refused?: string; other?: true } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { refused: 'utf-8' };
  }
  if (text.trim() === '') return { other: true };
  let value: unknown;
  try {
    value = parseJsonLine(text);
  } catch {
    return { refused: 'json' };
  }
  if (isObj(value) && entityKindOf(value) && !('record' in value)) return { other: true };
  const raw = isObj(value) && !('envelope' in value) && 'record' in value ? value.record : value;
  const record = certainlyValid(raw) ? raw : checkRecord(raw).record;
  if (!record) return { refused: 'contract' };
  try {
    return { stored: storedLine(record) };
  } catch {
    return { refused: 'too long' };
  }
}

let shapes = new StoredShapes();
/** The fast path: the stored bytes it would copy, or undefined (deferred to the full path). */
function fastPath(bytes: Buffer): string | undefined {
  // Padded on both sides: offsets into a shared read buffer must be honoured.
  const buf = Buffer.concat([Buffer.from('xx\n'), bytes, Buffer.from('\nyy')]);
  const at: StoredRecordText = { start: 0, end: 0, exact: false };
  // Through remembered shapes, as planImport does (the first line of a shape is scanned).
  const record = storedFormRecord(buf, 3, 3 + bytes.length, at, shapes);
  if (!record) return undefined;
  const stored = buf.subarray(at.start, at.end);
  assert.equal(canonicalLine(record), stored.toString('utf8'), 'the record parsed is the one stored');
  return stored.toString('utf8');
}

let taken = 0;
let deferred = 0;
/** The property: the fast path takes a line only when the full path stores the same bytes. */
function agree(bytes: Buffer): void {
  const fast = fastPath(bytes);
  if (fast === undefined) {
    deferred++;
    return;
  }
  taken++;
  const full = fullPath(bytes);
  assert.equal(full.refused, undefined, `fast path took a line the full path refuses (${full.refused}): ${bytes.toString('utf8').slice(0, 300)}`);
  assert.equal(full.stored, fast, `fast path stores other bytes for: ${bytes.toString('utf8').slice(0, 300)}`);
}
const line = (s: string) => Buffer.from(s, 'utf8');

// Records as the library and contexta write them.
const seeded = seedFiles().filter((f) => f.path.endsWith('records.ndjson')).flatMap((f) => f.content.trim().split('\n'));
const golden = fixtureLines('contract-golden.ndjson').map((l) => JSON.parse(l) as { line: string; stored?: string });
const libraryLines = [...fixtureLines('python-export.ndjson'), ...fixtureLines('case03-segment.jsonl'), ...fixtureLines('canonical-records.ndjson')];
const storedRecords = [...seeded, ...golden.flatMap((g) => (g.stored ? [g.stored] : []))];
const wrap = (record: string, seq = 7) => `{"appended_at":"2026-11-27T05:26:30.110871Z","record":${record},"sequence":${seq}}`;

test('the library\'s own lines and every stored form take the fast path, and store what the full path stores', () => {
  const before = taken;
  for (const l of [...libraryLines, ...storedRecords, ...storedRecords.map((r) => wrap(r))]) agree(line(l));
  for (const g of golden) agree(line(g.line));
  // Every line in stored form whose record the quick check accepts is taken: python-export.ndjson's
  // wrapped records (floats 2.0 and 1e-07, non-ASCII text) among them.
  let quick = 0;
  for (const l of [...fixtureLines('python-export.ndjson').filter((l) => l.includes('"record":')), ...storedRecords]) {
    const value = parseJsonLine(l) as Record<string, unknown>;
    if (!certainlyValid(value.record ?? value)) continue;
    quick++;
    assert.notEqual(fastPath(line(l)), undefined, `deferred a stored-form line: ${l.slice(0, 200)}`);
  }
  assert.ok(quick > 30, `only ${quick} lines the quick check accepts`);
  assert.ok(taken - before > 100);
});

/** Hand-picked texts that are valid and mean the same record but are not in stored form (or are refused). */
test('texts that are not in stored form are deferred (or stored as the full path stores them)', () => {
  const base = storedRecords.find((r) => r.includes('"record_type":"event"') && r.includes('"attributes":{"'))!;
  const metric = storedRecords.find((r) => r.includes('"record_type":"metric"'))!;
  const variants = [
    base.replace('{"envelope"', '{ "envelope"'),
    base.replace('"envelope":{', '"envelope": {'),
    `${base} `,
    `\uFEFF${base}`,
    base.replace('"completeness_marker":"complete","correlation_refs":{}', '"correlation_refs":{},"completeness_marker":"complete"'),
    base.replace('"extensions":[]', '"extensions":[],"extensions":[]'),
    base.replace('"extensions":[]', '"extensions":[],"deployment_execution_ref":null'),
    base.replace('"attributes":{', '"attributes":{"zz":null,'),
    base.replace('"message":"', '"message":"caf\\u00e9 '),
    base.replace('"message":"', '"message":"a\\/b '),
    base.replace('"message":"', '"message":"tab\\u0009 '),
    base.replace('"message":"', '"message":"\\ud800 '),
    base.replace('"message":"', '"message":"\\ud83d\\ude00 '),
    base.replace('"message":"', '"message":"nl\\n '),
    base.replace('"message":"', '"message":"ctl\\u001f '),
    base.replace('"message":"', '"message":"ctl\\u001F '),
    base.replace('"message":"', '"message":"raw\u0001 '),
    base.replace('"attributes":{', '"attributes":{"\\u0061":1,'),
    base.replace('"attributes":{', '"attributes":{"10":1,"9":2,'),
    base.replace('"attributes":{', '"attributes":{"9":1,"10":2,'),
    base.replace('"attributes":{', '"attributes":{"\u{1F600}":1,"\uFB01":2,'),
    base.replace('"attributes":{', '"attributes":{"\uFB01":1,"\u{1F600}":2,'),
    base.replace('"envelope":{', '"envelope":{"__proto__":1,'),
    ...['1.0', '1e3', '1E3', '1e+03', '-0', '-0.0', '0.0', '1.50', '01', '1.', '.5', '+1', '100000000000000000000', '9007199254740993',
      '9007199254740992', '123456789012345', '1234567890123456', '1e-07', '1e-7', '0.00001', '1e+16', '1.5e+16', '0.30000000000000004',
      '0.3000000000000000444', 'NaN', 'Infinity', '-', '2.5e-05', '1e400', '-1e-400', 'true', 'null']
      .flatMap((n) => [metric.replace(/"value":[^,}]+/, `"value":${n}`), base.replace('"attributes":{', `"attributes":{"n":${n},"nl":[${n}],`)]),
    wrap(base).replace('"sequence":7', '"sequence":07'),
    wrap(base).replace('"sequence":7', '"sequence":1e3'),
    wrap(base).replace('"sequence":7', '"sequence":12345678901234567890'),
    wrap(base).replace('"sequence":7', '"sequence":null'),
    wrap(base).replace('"sequence":7', '"record":{},"sequence":7'),
    wrap(base).replace('{"appended_at"', '{"envelope":{},"appended_at"'),
    wrap(base).replace('"appended_at":"', '"appended_at":"\u00e9'),
    wrap(base).replace('"appended_at":"', '"appended_at":"\\u00e9'),
    wrap(base).replace('"appended_at":"', '"appended_at":"\t'),
    wrap(base).replace('"appended_at":"', '"appended_at":"\\ud800'),
    wrap(base).replace('}}', '}} '),
    wrap(base).replace('"record":{', '"record":[{').replace(',"sequence"', '],"sequence"'),
    `{"record":${base}}`,
    `{"appended_at":"x","record":${base},"z":{"a":[1,2,{"b":null}]}}`,
    base.slice(0, -1),
    base + base,
    `${base.slice(0, 100)}\n`,
  ];
  const before = deferred;
  for (const v of variants) agree(line(v));
  assert.ok(deferred - before >= variants.length - 40, 'most hand-picked variants are deferred');
});

test('bytes that are not UTF-8, and NUL bytes, are never taken', () => {
  const base = Buffer.from(wrap(storedRecords[0]));
  for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0x00]]) {
    for (const at of [5, 30, 150, base.length - 5]) {
      const bytes = Buffer.concat([base.subarray(0, at), Buffer.from(bad), base.subarray(at)]);
      assert.equal(fastPath(bytes), undefined, `took bytes ${bad} at ${at}`);
      agree(bytes);
    }
  }
});

/** JSON values as attributes: unicode, escapes, deep nesting, numbers of every form. */
const jsonLeaf = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom('é', '\u2028', '\u007f', '\u0000', '"', '\\', '/', '\uFEFF', '\u{1F600}', '\uFFFF', '\uE000'),
  fc.double(),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map((n) => Number(n)),
  fc.boolean(),
  fc.constant(null),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, jsonLeaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 5 }), fc.constantFrom('a', 'b', '10', '9', '\u{1F600}', '\uFB01', 'É')), tie('value'), { maxKeys: 4 }),
})).value;

/** Text-level mutations of a serialized line. */
const NUMBER_FORMS = ['1.0', '1e3', '1E3', '-0', '0.0', '1.50', '2.0', '1e-07', '1e+16', '0.1', '7.919', '12345678901234567', '-0.0', '0.0001', '0.00001'];
function mutate(text: string, kind: number, at: number, pick: number): string {
  const i = text.length ? at % text.length : 0;
  switch (kind) {
    case 0: return text.slice(0, i) + [' ', '\t', '\r', '\n'][pick % 4] + text.slice(i);
    case 1: {
      // The keys of one object (the pick-th visited) in reverse order.
      let n = pick;
      try {
        return JSON.stringify(JSON.parse(text), (_k, v) =>
          v && typeof v === 'object' && !Array.isArray(v) && n-- === 0 ? Object.fromEntries(Object.entries(v).reverse()) : v);
      } catch {
        return text;
      }
    }
    case 2: return text.replace(/\//g, '\\/');
    case 3: return text.replace(/-?\d+(\.\d+)?(e[+-]\d+)?(?=[,}\]])/, NUMBER_FORMS[pick % NUMBER_FORMS.length]);
    case 4: return text.slice(0, i) + text.slice(i + 1);
    case 5: return text.slice(0, i) + text.slice(0, i) + text.slice(i);
    case 6: return text.replace(/"([a-z_]+)":("[^"]*"|\d+)/, (m) => `${m},${m}`);
    case 7: return text.replace(/":"/, `":"${['\u0001', '\u007f', '\u2028', 'é', '\\u00e9'][pick % 5]}`);
    case 8: return text.replace(/[\u0080-\uffff]/, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    default: return text.replace(/"(\w+)":\{/, '"$1":{"zz":null,');
  }
}

test('property: generated records, serialized and mutated, never disagree with the full path', () => {
  const bases = storedRecords.map((l) => JSON.parse(l) as { envelope: Record<string, unknown>; payload: Record<string, unknown> });
  const before = { taken, deferred };
  fc.assert(
    fc.property(
      fc.constantFrom(...bases),
      fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 6 }), jsonValue, { maxKeys: 4 }),
      fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), fc.constantFrom('é ✓', 'tab\tx', ' pad ', 'q"uote', 'back\\slash', '\u2028')),
      fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(0, -0, 2, 1e21, 2 ** 53, 1e-7, 1e16)),
      fc.boolean(),
      fc.array(fc.tuple(fc.nat(9), fc.nat(), fc.nat(20)), { maxLength: 2 }),
      (base, attributes, text, number, wrapped, mutations) => {
        const rec = structuredClone(base);
        if ('attributes' in rec.payload) rec.payload.attributes = attributes;
        if ('message' in rec.payload) rec.payload.message = text;
        if ('summary' in rec.payload) rec.payload.summary = text;
        if ('value' in rec.payload) rec.payload.value = number;
        if ('tags' in rec.payload) rec.payload.tags = { [text]: text };
        let serialized: string;
        try {
          serialized = canonicalLine(rec);
        } catch {
          return; // not serializable (e.g. a lone surrogate is fine; a non-finite number throws)
        }
        let out = wrapped ? wrap(serialized) : serialized;
        for (const [kind, at, pick] of mutations) out = mutate(out, kind, at, pick);
        agree(line(out));
      },
    ),
    { numRuns: 20000, seed: 20261127 },
  );
  // Both sides must be exercised, or the property proves nothing.
  assert.ok(taken - before.taken > 2000, `only ${taken - before.taken} taken`);
  assert.ok(deferred - before.deferred > 2000, `only ${deferred - before.deferred} deferred`);
});

test('property: number spellings are taken exactly when they are the stored spelling of their value', () => {
  // No float like -0.0 left in it: a line holding one is never remembered (JSON.parse would lose it).
  const event = storedRecords
    .find((r) => r.includes('"record_type":"event"') && r.includes('"attributes":{"'))!
    .replace(/"attributes":\{[^}]*\}/, '"attributes":{"k":"v"}');
  shapes = new StoredShapes(); // so that the lexemes are matched by a remembered shape's number rule too
  let takenHere = 0;
  fc.assert(
    fc.property(
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d)),
        fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => pyFloatRepr(d)),
        fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.nat(20)).map(([d, k]) => d.toFixed(k)),
        fc.stringMatching(/^-?(0|[1-9][0-9]{0,18})(\.[0-9]{1,19})?([eE][+-]?[0-9]{1,3})?$/),
      ),
      (lexeme) => {
        const text = event.replace('"attributes":{', `"attributes":{"!n":${lexeme},`);
        const stored = fastPath(line(text));
        if (stored !== undefined) takenHere++;
        const full = fullPath(line(text));
        // The stored spelling: Python's repr of a float lexeme's value, the digits of an int's (within 2^53).
        const float = /[.eE]/.test(lexeme);
        const n = Number(lexeme);
        const canonical = float ? pyFloatRepr(n) === lexeme : Number.isSafeInteger(n) && String(n) === lexeme && lexeme.replace('-', '').length <= 15;
        assert.equal(stored !== undefined, canonical && full.stored !== undefined, `lexeme ${lexeme}`);
        if (stored !== undefined) assert.equal(stored, full.stored);
      },
    ),
    { numRuns: 20000, seed: 7 },
  );
  assert.ok(takenHere > 5000, `only ${takenHere} lexemes taken`);
  assert.ok(shapes.matched > 1500, `only ${shapes.matched} lexemes went through a remembered shape`);
});

test('planImport stores, line for line, what the full path stores (mixed stored-form and other lines)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-import-fast-'));
  try {
    const base = JSON.parse(storedRecords.find((r) => r.includes('"record_type":"metric"'))!);
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const rec = structuredClone(base);
      rec.envelope.record_ref = `${rec.envelope.record_ref}-${i}`;
      rec.payload.value = i % 7 === 0 ? i + 0.5 : i;
      const text = canonicalLine(rec);
      // Every third line not in stored form (whitespace, key order, an escape), every other wrapped.
      const variant = i % 3 === 1 ? text.replace('{"envelope":', '{ "envelope":') : i % 3 === 2 ? text.replace('"payload":{', '"payload":{"unit":null,') : text;
      lines.push(i % 2 ? wrap(variant, i) : variant);
    }
    const file = path.join(dir, 'in.ndjson');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const fd = fs.openSync(file, 'r');
    const plan = planImport(fd, file);
    fs.closeSync(fd);
    const written = Buffer.concat([...plan.groups.values()].flatMap((g) => g.lines.finish())).toString('utf8');
    const expected = lines.map((l) => fullPath(line(l)).stored).join('\n') + '\n';
    assert.equal(plan.records, lines.length);
    assert.equal(written, expected);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});


test('ChunkBuilder: whole lines, chunks of at most 1 MiB, copied bytes and strings alike', () => {
  const builder = new ChunkBuilder();
  const source = Buffer.from(`xx${'a'.repeat(60_000)}yy`);
  const expected: string[] = [];
  for (let i = 0; i < 40; i++) {
    if (i % 2) {
      builder.addBytes(source, 2, 2 + 30_000 + i);
      expected.push('a'.repeat(30_000 + i));
    } else {
      const text = `é${'b'.repeat(50_000 + i)}`;
      builder.add(text);
      expected.push(text);
    }
  }
  const chunks = builder.finish();
  assert.equal(builder.lineCount, 40);
  assert.ok(chunks.length >= 2, `${chunks.length} chunks`);
  for (const chunk of chunks) {
    assert.ok(chunk.length <= 1024 * 1024, `chunk of ${chunk.length} bytes`);
    assert.equal(chunk[chunk.length - 1], 0x0a, 'each chunk ends with a whole line');
  }
  assert.equal(Buffer.concat(chunks).toString('utf8'), `${expected.join('\n')}\n`);
  assert.throws(() => new ChunkBuilder().addBytes(Buffer.alloc(70_000, 0x61), 0, 70_000), /limit is 65536 bytes/);
  // A small batch keeps a small buffer (an import over many runs holds one per run).
  const small = new ChunkBuilder();
  small.add('x');
  assert.ok(small.finish()[0].buffer.byteLength <= 64 * 1024);
});

/** Raw text put into a line's string values and numbers: what a shape's holes must admit or refuse. */
const holeText = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z0-9 .:T-]{0,14}$/), weight: 3 },
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('', 'a"b', 'a\\b', 'a\\"', '\\u00e9', 'é', '\t', '\u0001', '","x":"', '}', '","record":{', '},"sequence":', '\u{1F600}'),
);
const numberText = fc.oneof(
  { arbitrary: fc.integer({ min: -1e6, max: 1e6 }).map(String), weight: 2 },
  { arbitrary: fc.tuple(fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.nat(6)).map(([d, k]) => String(Number(d.toFixed(k)))), weight: 2 },
  fc.constantFrom('0', '-0', '7', '-12', '007', '1.0', '2.50', '0.5', '-0.5', '0.0001', '0.00001', '1e3', '1e-07', '1E3', '123456789012345',
    '1234567890123456', '12345678901234.5', '1234567890123.45', '0.1234567890123456', '9007199254740993', '1.', '.5', '--1', '1-', '', 'x', '"1"', 'null', 'true'),
  fc.double().map(String),
  fc.integer().map(String),
);

test('property: remembered shapes accept exactly what the scan accepts, with the same record bounds', (t) => {
  const event = storedRecords.find((r) => r.includes('"record_type":"event"') && r.includes('"attributes":{"'))!;
  const metric = storedRecords.find((r) => r.includes('"record_type":"metric"') && /"value":\d/.test(r))!;
  const templates = [
    (t: string, n: string) => event.replace(/"message":"[^"]*"/, `"message":"${t}"`).replace('"attributes":{', `"attributes":{"!n":${n},`),
    (t: string, n: string) => wrap(metric.replace(/"value":[^,}]+/, `"value":${n}`).replace(/"metric_key":"[^"]*"/, `"metric_key":"${t}"`)),
    (t: string, n: string) => `{"appended_at":"${t}","record":${event},"sequence":${n}}`,
    (t: string, n: string) => wrap(event.replace('"attributes":{', `"attributes":{"!a":[${n},"${t}",{"b":${n}}],`)),
  ];
  const remembered = new StoredShapes();
  // Teach it each template's shape first, with plain values.
  for (const make of templates) assert.equal(remembered.find(make('plain', '5'), { start: 0, end: 0, exact: false }), true);
  let matched = 0;
  let refused = 0;
  fc.assert(
    fc.property(fc.nat(templates.length - 1), holeText, numberText, (k, hole, n) => {
      const text = templates[k](hole, n);
      const viaShapes: StoredRecordText = { start: 0, end: 0, exact: false };
      const viaScan: StoredRecordText = { start: 0, end: 0, exact: false };
      const a = remembered.find(text, viaShapes);
      const b = findStoredRecord(text, viaScan);
      assert.equal(a, b, `shapes ${a}, scan ${b}: ${text.slice(0, 200)}`);
      if (a) {
        matched++;
        assert.deepEqual(viaShapes, viaScan, text.slice(0, 200));
      } else refused++;
      agree(line(text));
    }),
    { numRuns: 20000, seed: 12 },
  );
  assert.ok(matched > 5000 && refused > 2000, `${matched} matched, ${refused} refused`);
  assert.ok(remembered.matched > 2500, `only ${remembered.matched} lines matched a remembered shape`);
  t.diagnostic(`${matched} accepted (${remembered.matched} by a remembered shape), ${refused} refused`);
});

test('counts', (t) => {
  t.diagnostic(`fast path took ${taken} lines, deferred ${deferred}`);
});
