/**
 * Readers accept only what the contract accepts, contain every bad line and entry,
 * never open special files, never follow links out of the workspace, never echo an
 * unreadable line's content, and never hang or blow the stack.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { summarizeRecords } from '../../src/core/reading/summarize';
import { buildDiagnoseReport } from '../../src/core/reading/reports-build';
import { openWorkspace } from '../../src/core/storage/workspace';
import { canonicalLine } from '../../src/core/writing/canonical';
import { contexta, degradedRecord, eventRecord, metricRecord, parseJson, sandbox } from './helpers';

const P = 'proj';
const R = 'night';
const isRoot = process.getuid?.() === 0;

/** A workspace with one run whose log holds `lines` (strings or records), via the CLI for the metadata. */
function runWith(lines: (string | object)[]) {
  const box = sandbox('ctx-sound-');
  assert.equal(contexta(['-w', box.ws, 'record', 'run', 'start', '--project', P, '--run', R], { cwd: box.cwd }).code, 0);
  const dir = path.join(box.ws, 'projects', P, 'runs', R);
  const log = path.join(dir, 'records.ndjson');
  fs.writeFileSync(log, lines.map((l) => `${typeof l === 'string' ? l : canonicalLine(l)}\n`).join(''));
  return { box, dir, log };
}

const diagnoseJson = (box: { cwd: string; ws: string }, extra: string[] = []) => {
  const r = contexta(['-w', box.ws, 'diagnose', `run:${P}.${R}`, '--json', ...extra], { cwd: box.cwd, env: { CONTEXTA_CACHE: 'off' } });
  return { r, doc: parseJson(r.stdout) };
};

test('gate bypass 4: severities and levels the contract refuses are unreadable lines (error, file + line), never milder', () => {
  const bad = (mutate: (rec: any) => void, base: () => any) => {
    const rec = base();
    mutate(rec);
    return rec;
  };
  const lines = [
    metricRecord(P, R, 'ok1'),
    bad((r) => (r.payload.severity = 'Error'), () => degradedRecord(P, R, 'd1')),
    bad((r) => (r.payload.severity = 'fatal'), () => degradedRecord(P, R, 'd2')),
    bad((r) => delete r.payload.severity, () => degradedRecord(P, R, 'd3')),
    bad((r) => (r.payload.level = 'ERROR'), () => eventRecord(P, R, 'e1')),
    bad((r) => (r.payload.level = 'fatal'), () => eventRecord(P, R, 'e2')),
  ];
  const { box, log } = runWith(lines);
  const { r, doc } = diagnoseJson(box);
  assert.equal(r.code, 1);
  const unreadable = doc.issues.filter((i: any) => i.code === 'unreadable_record' || i.code === 'unreadable_metadata');
  assert.deepEqual(unreadable.map((i: any) => i.details.line).sort(), [2, 3, 4, 5, 6]);
  for (const i of unreadable) assert.equal(i.severity, 'error');
  assert.ok(unreadable.every((i: any) => i.details.file === log));
  assert.ok(!doc.issues.some((i: any) => i.code === 'degraded_record' && i.severity === 'warning'), 'never mapped to a warning');
});

test('gate bypass 1: look-alike keys in unknown fields never hide a loud record', () => {
  const critical = eventRecord(P, R, 'c1', 'critical') as any;
  critical.payload.source = { level: 'info' };
  const degraded = degradedRecord(P, R, 'g1') as any;
  degraded.envelope.correlation_refs = { degradation_marker: 'none' };
  degraded.envelope.fmt = { record_type: 'metric' };
  // Routine lines of the same shapes first, so the fast path has learned their templates.
  const lines = [eventRecord(P, R, 'i1'), eventRecord(P, R, 'i2'), critical, degraded, metricRecord(P, R, 'm1')];
  const { box } = runWith(lines);
  const { r, doc } = diagnoseJson(box);
  assert.equal(r.code, 1);
  // The shared contract refuses unknown fields, so both loud lines are unreadable: errors that
  // name their line, never a quiet metric or info event (a milder meaning).
  const unreadable = doc.issues.filter((i: any) => i.code === 'unreadable_record');
  assert.deepEqual(unreadable.map((i: any) => [i.severity, i.details.line]), [['error', 3], ['error', 4]]);
  assert.ok(!doc.issues.some((i: any) => i.code === 'stage_without_metrics' && i.stage === null), 'the degraded line is not counted as a metric');
});

test('NUL bytes and invalid UTF-8 behind a canonical prefix are unreadable, not counted', () => {
  const good = canonicalLine(metricRecord(P, R, 'ok'));
  const nul = good.replace('"rows"', '"ro\u0000s"');
  const box = runWith([good]);
  fs.writeFileSync(box.log, Buffer.concat([Buffer.from(`${good}\n${nul}\n`), Buffer.from(good.replace('"rows"', '"ro?s"')).map((b) => (b === 0x3f ? 0xff : b)), Buffer.from('\n')]));
  const s = summarizeRecords(box.log, `run:${P}.${R}`);
  assert.equal(s.counts.metric, 1);
  assert.deepEqual(s.unreadable.map((u) => u.line), [2, 3]);
  assert.match(s.unreadable[1].reason, /UTF-8/);
});

test('a malformed line ("stage_execution_ref":7) is reported with its number and the rest is read', () => {
  const bad = metricRecord(P, R, 'x') as any;
  bad.envelope.stage_execution_ref = 7;
  const { box } = runWith([metricRecord(P, R, 'a'), bad, metricRecord(P, R, 'b')]);
  const { r, doc } = diagnoseJson(box);
  assert.equal(r.code, 1, r.stderr);
  const issue = doc.issues.find((i: any) => i.details?.line === 2);
  assert.ok(issue, JSON.stringify(doc.issues));
  const runs = contexta(['-w', box.ws, 'runs', '--json'], { cwd: box.cwd });
  assert.equal(runs.code, 0, runs.stderr);
  assert.equal(parseJson(runs.stdout).runs[0].record_count, 2);
});

test('one bad entry never takes runs or diagnose --all down', () => {
  const box = sandbox('ctx-sound-');
  for (const run of ['good', 'stages-file', 'loop', 'locked']) {
    assert.equal(contexta(['-w', box.ws, 'record', 'metric', 'm', '1', '--project', P, '--run', run], { cwd: box.cwd }).code, 0);
  }
  assert.equal(contexta(['-w', box.ws, 'record', 'metric', 'm', '1', '--project', 'other', '--run', 'r1'], { cwd: box.cwd }).code, 0);
  const runs = path.join(box.ws, 'projects', P, 'runs');
  fs.writeFileSync(path.join(runs, 'stray'), 'not a run');
  fs.rmSync(path.join(runs, 'stages-file', 'stages'), { recursive: true });
  fs.writeFileSync(path.join(runs, 'stages-file', 'stages'), 'oops');
  fs.rmSync(path.join(runs, 'loop', 'stages'), { recursive: true });
  fs.symlinkSync('stages', path.join(runs, 'loop', 'stages'));
  fs.symlinkSync('/etc', path.join(runs, 'escape'));
  if (!isRoot) fs.chmodSync(path.join(runs, 'locked'), 0o000);
  const otherRuns = path.join(box.ws, 'projects', 'other', 'runs');
  fs.rmSync(otherRuns, { recursive: true });
  fs.writeFileSync(otherRuns, 'runs as a file');
  try {
    const list = contexta(['-w', box.ws, 'runs', '--json'], { cwd: box.cwd, env: { CONTEXTA_CACHE: 'off' } });
    assert.equal(list.code, 0, list.stderr);
    const doc = parseJson(list.stdout);
    assert.ok(doc.runs.some((r: any) => r.name === 'good'));
    const files = doc.unreadable.map((u: any) => u.file).join('\n');
    for (const name of ['stray', 'escape', `other${path.sep}runs`]) assert.ok(files.includes(name), `${name} reported: ${files}`);
    const all = contexta(['-w', box.ws, 'diagnose', '--all', '--json'], { cwd: box.cwd, env: { CONTEXTA_CACHE: 'off' } });
    assert.equal(all.code, 1, all.stderr);
    const issues = parseJson(all.stdout).issues.map((i: any) => `${i.run_ref} ${i.summary}`).join('\n');
    for (const name of ['stray', 'escape', 'stages-file', 'loop']) assert.match(issues, new RegExp(`${name}`), issues);
    assert.match(all.stderr, /other.runs/);
  } finally {
    if (!isRoot) fs.chmodSync(path.join(runs, 'locked'), 0o755);
  }
});

test('FIFOs where workspace files belong are never opened: no hang, no lost record', () => {
  const { box, dir, log } = runWith([metricRecord(P, R, 'a')]);
  fs.rmSync(log);
  execFileSync('mkfifo', [log]);
  const opts = { cwd: box.cwd, timeoutMs: 15_000, env: { CONTEXTA_CACHE: 'off' } };
  const runs = contexta(['-w', box.ws, 'runs', '--json'], opts);
  assert.equal(runs.code, 0, runs.stderr);
  const diag = contexta(['-w', box.ws, 'diagnose', `run:${P}.${R}`, '--json'], opts);
  assert.equal(diag.code, 1);
  assert.match(diag.stdout, /FIFO/);
  const metric = contexta(['-w', box.ws, 'record', 'metric', 'm', '1', '--project', P, '--run', R], opts);
  assert.equal(metric.code, 3, `must refuse, not print a ref and lose the record: ${metric.stdout}`);
  assert.match(metric.stderr, /FIFO/);
  const runFile = path.join(dir, 'run.json');
  fs.rmSync(runFile);
  execFileSync('mkfifo', [runFile]);
  const end = contexta(['-w', box.ws, 'record', 'run', 'end', '--project', P, '--run', R], opts);
  assert.equal(end.code, 3, end.stderr);
  assert.equal(end.signal, null);
});

test('record import /dev/zero ends: the line limit is enforced while reading', () => {
  const box = sandbox('ctx-sound-');
  const r = contexta(['-w', box.ws, 'record', 'import', '/dev/zero'], { cwd: box.cwd, timeoutMs: 20_000 });
  assert.equal(r.signal, null, 'must not be killed by the timeout');
  assert.equal(r.code, 2, r.stderr);
  assert.equal(fs.existsSync(box.ws), false);
});

test('links: a dangling log is reported; a log linking to a secret is neither read nor echoed', () => {
  const { box, log } = runWith([metricRecord(P, R, 'a')]);
  fs.rmSync(log);
  fs.symlinkSync(path.join(box.base, 'missing.ndjson'), log);
  let s = summarizeRecords(log, `run:${P}.${R}`);
  assert.equal(s.unreadable.length, 1, 'a dangling link is not an empty log');
  const secret = path.join(box.base, 'credentials');
  fs.writeFileSync(secret, 'AKIA-SECRET-TOKEN=hunter2\n{"envelope": "TOPSECRET"}\n');
  fs.rmSync(log);
  fs.symlinkSync(secret, log);
  s = summarizeRecords(log, `run:${P}.${R}`);
  assert.equal(s.lines, 0);
  const { r } = diagnoseJson(box);
  for (const text of [r.stdout, r.stderr]) assert.doesNotMatch(text, /hunter2|AKIA|TOPSECRET/);
  // An unreadable line inside the workspace: its position and reason only, never its content.
  fs.rmSync(log);
  fs.writeFileSync(log, 'AKIA-SECRET-TOKEN=hunter2\n{"envelope":"TOPSECRET","payload":{}}\n');
  const again = diagnoseJson(box);
  for (const text of [again.r.stdout, again.r.stderr]) assert.doesNotMatch(text, /hunter2|AKIA|TOPSECRET/);
  assert.equal(again.doc.issues.filter((i: any) => i.details?.line).length, 2);
});

test('diagnose of a run with 130,000 issues does not overflow the stack', () => {
  const box = sandbox('ctx-sound-');
  const dir = path.join(box.ws, 'projects', P, 'runs', R);
  assert.equal(contexta(['-w', box.ws, 'record', 'run', 'start', '--project', P, '--run', R], { cwd: box.cwd }).code, 0);
  const line = canonicalLine(eventRecord(P, R, 'w0', 'warning'));
  const parts: string[] = [];
  for (let i = 0; i < 130_000; i++) parts.push(line.replace('.w0"', `.w${i}"`));
  fs.writeFileSync(path.join(dir, 'records.ndjson'), `${parts.join('\n')}\n`);
  const report = buildDiagnoseReport(openWorkspace(box.ws), [{ project: P, name: R }], 'error');
  assert.ok(report.issues.length >= 130_000);
});
