/**
 * Workspaces written by contexta 0.1.0 (format 1: `producer:` refs, `_` in keys,
 * offsets in timestamps, typed tags) are still read and diagnosed, and
 * `contexta migrate` rewrites them into the shared contract: a dry run lists and
 * changes nothing; the real run rewrites atomically, loses nothing, and marks format 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectCode, readJson, run, runDir, tempWorkspace, treeSnapshot } from './helpers';
import { checkRecord } from '../../src/core/writing/validate';
import { canonicalLine } from '../../src/core/writing/canonical';
import { parseJsonLine } from '../../src/core/writing/json-line';

const T = '2025-03-18T11:00:00+09:00';
const envelope = (id: string, type: string, extra: Record<string, unknown> = {}) => ({
  completeness_marker: 'complete', correlation_refs: {}, degradation_marker: 'none', extensions: [], observed_at: T,
  producer_ref: 'producer:contexta.cli', record_ref: `record:old.night.${id}`, record_type: type, recorded_at: T,
  run_ref: 'run:old.night', schema_version: '1.0.0', stage_execution_ref: 'stage:old.night.validate', ...extra,
});
/** Lines as contexta 0.1.0 wrote them (keys sorted, compact). */
const LEGACY = [
  { envelope: envelope('m1', 'metric'), payload: { aggregation_scope: 'stage', metric_key: 'validate.rows_out', tags: { shard: 3 }, unit: 'rows', value: 0, value_type: 'integer' } },
  { envelope: envelope('e1', 'event'), payload: { attributes: { rows_in: 47950 }, event_key: 'validate.schema_mismatch', level: 'warning', message: 'label missing', origin_marker: 'explicit_capture' } },
  { envelope: envelope('d1', 'degraded', { completeness_marker: 'partial', degradation_marker: 'capture_gap' }), payload: { attributes: {}, category: 'capture', issue_key: 'validate.empty_dataframe_passthrough', origin_marker: 'explicit_capture', severity: 'error', summary: 'Zero rows passed on' } },
].map((r) => canonicalLine(r));

function legacyWorkspace() {
  const tmp = tempWorkspace();
  const dir = runDir(tmp.ws, 'old', 'night');
  fs.mkdirSync(path.join(dir, 'stages'), { recursive: true });
  fs.writeFileSync(path.join(tmp.ws, 'workspace.json'), '{\n  "format": "contexta-workspace",\n  "format_version": 1\n}\n');
  fs.writeFileSync(path.join(tmp.ws, 'projects', 'old', 'project.json'), JSON.stringify({ project_ref: 'project:old', name: 'old', created_at: T, tags: {} }, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ run_ref: 'run:old.night', project_ref: 'project:old', name: 'night', status: 'completed', started_at: T, ended_at: '2025-03-18T12:00:00+09:00' }, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'stages', 'validate.json'), JSON.stringify({ stage_execution_ref: 'stage:old.night.validate', run_ref: 'run:old.night', stage_name: 'validate', status: 'completed', started_at: T, ended_at: T, order_index: 0 }, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'records.ndjson'), LEGACY.join('\n') + '\n');
  return { tmp, log: path.join(dir, 'records.ndjson') };
}

test('a 0.1.0 workspace is read and diagnosed as it is; migrate --dry-run lists what would change and changes nothing', () => {
  const { tmp } = legacyWorkspace();
  const doc = expectCode(run(['diagnose', 'night', '--project', 'old', '--json'], { cwd: tmp.dir }), 1).json();
  assert.deepEqual(doc.issues.filter((i: any) => i.code === 'unreadable_record'), []);
  assert.ok(doc.issues.some((i: any) => i.code === 'degraded_record' && i.severity === 'error'));
  const before = treeSnapshot(tmp.ws, { mtimes: true });
  const dry = expectCode(run(['migrate', '--dry-run', '--json'], { cwd: tmp.dir }), 0).json();
  assert.equal(dry.dry_run, true);
  assert.deepEqual(dry.records, [{ file: 'projects/old/runs/night/records.ndjson', lines: 3, rewritten: 3, kept: 0 }]);
  assert.deepEqual(dry.documents.sort(), ['projects/old/project.json', 'projects/old/runs/night/run.json', 'projects/old/runs/night/stages/validate.json']);
  assert.deepEqual(dry.format_version, { from: 1, to: 1 });
  const text = expectCode(run(['migrate', '--dry-run'], { cwd: tmp.dir }), 0);
  assert.match(text.stdout, /would rewrite 3 of 3 lines in projects\/old\/runs\/night\/records\.ndjson/);
  assert.match(text.stderr, /dry run: nothing was changed/);
  assert.deepEqual(treeSnapshot(tmp.ws, { mtimes: true }), before);
});

test('migrate rewrites every line into the shared contract, in the library\'s form, loses nothing, and marks format 2', () => {
  const { tmp, log } = legacyWorkspace();
  const before = expectCode(run(['diagnose', 'night', '--project', 'old', '--json'], { cwd: tmp.dir }), 1).json();
  const r = expectCode(run(['migrate'], { cwd: tmp.dir }), 0);
  assert.match(r.stdout, /rewrote 3 of 3 lines/);
  assert.match(r.stderr, /workspace format 1 → 2/);
  assert.equal(readJson(path.join(tmp.ws, 'workspace.json')).format_version, 2);
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
  assert.equal(lines.length, 3);
  for (const line of lines) {
    const { record, problems } = checkRecord(parseJsonLine(line));
    assert.deepEqual(problems, []);
    assert.equal(canonicalLine(record), line);
  }
  const [metric, event, degraded] = lines.map((l) => JSON.parse(l));
  assert.equal(metric.envelope.producer_ref, 'contexta.cli');
  assert.equal(metric.envelope.observed_at, '2025-03-18T02:00:00Z');
  assert.equal(metric.payload.metric_key, 'validate.rows-out');
  assert.deepEqual(metric.payload.tags, { shard: '3' });
  assert.equal(event.payload.event_key, 'validate.schema-mismatch');
  assert.equal(degraded.payload.issue_key, 'validate.empty_dataframe_passthrough', 'issue keys keep their _');
  const runDoc = readJson(path.join(runDir(tmp.ws, 'old', 'night'), 'run.json'));
  assert.deepEqual([runDoc.started_at, runDoc.ended_at, runDoc.schema_version], ['2025-03-18T02:00:00Z', '2025-03-18T03:00:00Z', '1.0.0']);
  // The same diagnosis, and nothing left to migrate.
  const after = expectCode(run(['diagnose', 'night', '--project', 'old', '--json'], { cwd: tmp.dir }), 1).json();
  assert.deepEqual(after.counts, before.counts);
  const again = expectCode(run(['migrate'], { cwd: tmp.dir }), 0);
  assert.match(again.stdout, /nothing to migrate/);
});

test('a line no contract reads is kept as it is (and still reported by diagnose)', () => {
  const { tmp, log } = legacyWorkspace();
  fs.appendFileSync(log, '{"envelope": {"record_ref": "torn\n');
  const r = expectCode(run(['migrate', '--json'], { cwd: tmp.dir }), 0).json();
  assert.deepEqual(r.records, [{ file: 'projects/old/runs/night/records.ndjson', lines: 4, rewritten: 3, kept: 1 }]);
  assert.ok(fs.readFileSync(log, 'utf8').endsWith('{"envelope": {"record_ref": "torn\n'));
  const doc = expectCode(run(['diagnose', 'night', '--project', 'old', '--json'], { cwd: tmp.dir }), 1).json();
  assert.deepEqual(doc.issues.filter((i: any) => i.code === 'unreadable_record').map((i: any) => i.details.line), [4]);
});
