/**
 * Property test through the CLI as a user runs it: `record` subcommands with
 * generated valid options, and `record import` of generated valid lines in every
 * accepted shape (bare records, the library's wrapped RecordStore lines, with
 * project/run/stage documents). Every stored line must be one the shared contract
 * accepts AND already in the library's stored form (serializing its normalized
 * record gives the same bytes), and must carry what was asked for.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalLine } from '../../src/core/writing/canonical';
import { parseJsonLine } from '../../src/core/writing/json-line';
import { checkRecord } from '../../src/core/writing/validate';
import { normalizeEntity } from '../../src/schema/entity-docs';
import { contexta, sandbox } from './helpers';

const box = sandbox('ctx-contract-');
after(() => box.cleanup());
const RECORD_RUNS = 24;
const IMPORT_RUNS = 12;

const logOf = (project: string, run: string) => path.join(box.ws, 'projects', project, 'runs', run, 'records.ndjson');
const storedLines = (project: string, run: string) => fs.readFileSync(logOf(project, run), 'utf8').trim().split('\n');

/** Every stored line: accepted by the contract, and byte-identical to the library's serialization of it. */
function assertStoredForm(line: string): Record<string, any> {
  const { record, problems } = checkRecord(parseJsonLine(line));
  assert.deepEqual(problems, [], line);
  assert.equal(canonicalLine(record), line, 'not in the stored form');
  return record as Record<string, any>;
}

const token = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
const dotKey = fc.array(token, { minLength: 1, maxLength: 3 }).map((p) => p.join('.'));
const issueKey = fc.array(fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), { minLength: 1, maxLength: 2 }).map((p) => p.join('.'));
const words = fc.stringMatching(/^[A-Za-z0-9 ,.'"é日-]{1,30}$/).filter((s) => s.trim() !== '' && !s.startsWith('-')); // a leading - is an option to the shell parser
const number = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }).map(String), fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(String), fc.constantFrom('2.0', '0.5', '1e-7', '1e16', '-0.25'));
const kv = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/), fc.stringMatching(/^[a-z0-9.]{1,6}$/)).map(([k, v]) => `${k}=${v}`);
const stamp = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2025, 0, 1) }).map((ms) => new Date(ms).toISOString());
const oneOf = <T>(...values: T[]) => fc.constantFrom(...values);

const recordCommand = fc.oneof(
  fc.record({ key: dotKey, value: number, unit: fc.option(oneOf('rows', 's', 'MiB'), { nil: undefined }), scope: fc.option(oneOf('run', 'stage', 'step', 'slice'), { nil: undefined }), tags: fc.array(kv, { maxLength: 2 }) })
    .map((o) => ({ type: 'metric', args: ['metric', o.key, o.value, ...(o.unit ? ['--unit', o.unit] : []), ...(o.scope ? ['--scope', o.scope] : []), ...o.tags.flatMap((t) => ['--tag', t])], key: o.key })),
  fc.record({ key: dotKey, message: words, level: oneOf('debug', 'info', 'warning', 'error', 'critical'), attrs: fc.array(kv, { maxLength: 2 }), at: fc.option(stamp, { nil: undefined }) })
    .map((o) => ({ type: 'event', args: ['event', o.key, o.message, '--level', o.level, ...o.attrs.flatMap((a) => ['--attr', a]), ...(o.at ? ['--at', o.at] : [])], key: o.key })),
  fc.record({ key: issueKey, summary: words, severity: oneOf('warning', 'error'), marker: oneOf('partial_failure', 'capture_gap', 'import_loss'), completeness: oneOf('complete', 'partial', 'absent', 'unknown') })
    .map((o) => ({ type: 'degraded', args: ['degraded', o.key, '--summary', o.summary, '--severity', o.severity, '--marker', o.marker, '--completeness', o.completeness], key: o.key })),
  fc.record({ name: words, start: stamp, ms: fc.integer({ min: 0, max: 10_000 }), parent: fc.option(token, { nil: undefined }), kind: oneOf('io', 'process', 'network'), link: fc.option(oneOf('run:cli-prop.r1', 'dataset:orders.daily'), { nil: undefined }) })
    .map((o) => ({
      type: 'span',
      args: ['span', o.name, '--start', o.start, '--end', new Date(Date.parse(o.start) + o.ms).toISOString(), '--kind', o.kind, ...(o.parent ? ['--parent', o.parent] : []), ...(o.link ? ['--link', o.link] : [])],
      key: o.name.trim(),
    })),
);

describe('property: every line a `record` subcommand stores is in the shared contract, in the library\'s form', () => {
  it(`${RECORD_RUNS} generated commands`, () => {
    let n = 0;
    fc.assert(
      fc.property(recordCommand, fc.boolean(), (cmd, withStage) => {
        const r = contexta(['record', ...cmd.args, '--project', 'cli-prop', '--run', 'r1', ...(withStage ? ['--stage', 'train'] : [])], { cwd: box.cwd });
        assert.equal(r.code, 0, `${cmd.args.join(' ')}: ${r.stderr}`);
        const lines = storedLines('cli-prop', 'r1');
        assert.equal(lines.length, ++n);
        const rec = assertStoredForm(lines[lines.length - 1]);
        assert.equal(rec.envelope.record_ref, r.stdout.trim());
        assert.equal(rec.envelope.record_type, cmd.type);
        assert.equal(rec.envelope.producer_ref, 'contexta.cli');
        const key = { metric: 'metric_key', event: 'event_key', degraded: 'issue_key', span: 'span_name' }[cmd.type as 'metric'];
        assert.equal(rec.payload[key], cmd.key);
      }),
      { numRuns: RECORD_RUNS, seed: 7 },
    );
  });
});

/** A valid record of the library's kind, given as the library might write it (defaults omitted sometimes). */
const libraryRecord = (id: number) =>
  fc.record({ key: dotKey, value: fc.oneof(fc.integer(), fc.double({ min: -1e9, max: 1e9, noNaN: true })), full: fc.boolean(), stage: oneOf('ingest', 'train'), floatText: fc.boolean() })
    .map((o) => {
      const envelope: Record<string, unknown> = {
        record_ref: `record:py-prop.r1.x${id}`, record_type: 'metric', recorded_at: '2025-03-18T02:00:00.5Z', observed_at: '2025-03-18T02:00:00.25Z',
        producer_ref: 'sdk.python.local', run_ref: 'run:py-prop.r1', stage_execution_ref: `stage:py-prop.r1.${o.stage}`,
      };
      if (o.full) Object.assign(envelope, { completeness_marker: 'complete', degradation_marker: 'none', schema_version: '1.0.0', correlation_refs: {}, extensions: [] });
      const payload = { metric_key: o.key, value: o.value, value_type: 'float64', ...(o.full ? { aggregation_scope: 'step', tags: {} } : { tags: null }) };
      // Python writes a float with an integral value as `2.0`.
      const text = JSON.stringify({ envelope, payload });
      return o.floatText && Number.isInteger(o.value) && Math.abs(o.value) < 1e15 ? text.replace(`"value":${o.value}`, `"value":${o.value}.0`) : text;
    });

const DOCS = [
  '{"created_at":"2025-01-01T00:00:00Z","extensions":[],"name":"py-prop","project_ref":"project:py-prop","schema_version":"1.0.0","tags":{}}',
  '{"ended_at":"2025-03-18T03:00:00Z","extensions":[],"name":"r1","project_ref":"project:py-prop","run_ref":"run:py-prop.r1","schema_version":"1.0.0","started_at":"2025-03-18T02:00:00Z","status":"completed"}',
  '{"ended_at":"2025-03-18T02:30:00Z","extensions":[],"order_index":0,"run_ref":"run:py-prop.r1","schema_version":"1.0.0","stage_execution_ref":"stage:py-prop.r1.ingest","stage_name":"ingest","started_at":"2025-03-18T02:00:00Z","status":"completed"}',
];

describe('property: `record import` of every accepted shape stores the library\'s form', () => {
  it(`${IMPORT_RUNS} generated batches (bare, wrapped, with documents)`, () => {
    let next = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, () => libraryRecord(next++)))), oneOf('bare', 'wrapped', 'documents'), (lines, shape) => {
        const before = fs.existsSync(logOf('py-prop', 'r1')) ? storedLines('py-prop', 'r1').length : 0;
        const body = lines.map((l, i) => (shape === 'bare' ? l : `{"appended_at":"2026-11-27T03:43:13.92564${i}Z","record":${l},"sequence":${i + 1}}`));
        const input = [...(shape === 'documents' ? DOCS : []), ...body].join('\n') + '\n';
        const r = contexta(['record', 'import', '-', '--json'], { cwd: box.cwd, input });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(JSON.parse(r.stdout).imported, lines.length);
        const stored = storedLines('py-prop', 'r1').slice(before);
        assert.equal(stored.length, lines.length);
        stored.forEach((line, i) => {
          const rec = assertStoredForm(line);
          // Golden expectations: defaults applied, timestamps in the library's form, floats kept.
          assert.equal(rec.envelope.observed_at, '2025-03-18T02:00:00.250000Z');
          assert.equal(rec.payload.aggregation_scope, 'step');
          if (/"value":-?\d+\.0[,}]/.test(lines[i])) assert.match(line, /"value":-?\d+\.0[,}]/, 'a Python float stays a float');
        });
        if (shape === 'documents') {
          const runDoc = JSON.parse(fs.readFileSync(path.join(box.ws, 'projects', 'py-prop', 'runs', 'r1', 'run.json'), 'utf8'));
          assert.deepEqual(runDoc, normalizeEntity('run', JSON.parse(DOCS[1])).doc);
        }
      }),
      { numRuns: IMPORT_RUNS, seed: 11 },
    );
  });
});
