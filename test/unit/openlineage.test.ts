/** OpenLineage mapping, run ids, configuration, outbox and HTTP sender, in process. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pythonIsoformat, staticUuid } from '../../src/core/exporters/openlineage/run-id';
import { eventsForRuns, pickTransition } from '../../src/core/exporters/openlineage/events';
import { resolveSettings } from '../../src/core/exporters/openlineage/config';
import { parseRowDeclarations } from '../../src/core/exporters/openlineage/declarations';
import { backlogIssues, BACKLOG_GRACE_MS } from '../../src/core/exporters/openlineage/backlog';
import { claim, enqueue, openOutbox, outboxStates, pendingNames } from '../../src/core/exporters/openlineage/outbox';
import { postEvent } from '../../src/core/exporters/openlineage/transports';
import { ContextaError } from '../../src/core/errors';
import { writeSeed } from '../../src/core/writing/seed';
import { openOrInitWorkspace, openWorkspace } from '../../src/core/storage/workspace';
import { diskReader } from '../../src/core/reading/run-reader';
import { listRunIds } from '../../src/core/reading/catalog';
import { ensureStage, updateStage, updateRun } from '../../src/core/storage/store';
import { buildRecord, recordFact } from '../../src/core/writing/facts';
import { openLineageValidator } from '../e2e/openlineage-schemas';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-ol-'));
const validator = openLineageValidator();
const NO_ROWS = { namespace: 'contexta', outputRows: {}, inputRows: {} };

test('static UUIDv7: the OpenLineage client test vector, and Python isoformat of the instant', () => {
  assert.equal(staticUuid('2024-01-01T00:00:00+00:00', 'default.nightly_ml'), '018cc251-f400-7830-96a4-ecbccfb0b538');
  assert.equal(staticUuid(Date.parse('2024-01-01T00:00:00Z'), 'default.nightly_ml'), '018cc251-f400-7830-96a4-ecbccfb0b538');
  assert.equal(pythonIsoformat(Date.parse('2025-03-18T02:00:00.120Z')), '2025-03-18T02:00:00.120000+00:00');
  assert.equal(pythonIsoformat(Date.parse('2025-03-18T02:00:00Z')), '2025-03-18T02:00:00+00:00');
  const id = staticUuid('2025-03-18T02:00:00.5Z', 'x');
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(staticUuid('2025-03-18T02:00:00Z', 'a'), staticUuid('2025-03-18T02:00:00Z', 'b'));
  // Time-ordered: a later instant sorts after an earlier one.
  assert.ok(staticUuid('2025-03-18T02:00:01Z', 'a') > staticUuid('2025-03-18T02:00:00Z', 'z'));
});

function seeded() {
  const root = path.join(tmp(), '.contexta');
  writeSeed(root);
  const ws = openWorkspace(root);
  // The case study's row counts (the library's seed records none): validate passed 0 rows on, ingest read 120,000.
  for (const day of [1, 2, 3]) {
    for (const [stage, key, value, time] of [['ingest', 'ingest.rows-read', 120000, '02:19:30'], ['validate', 'validate.rows-out', 0, '02:58:30']] as const) {
      const observedAt = `2025-03-${17 + day}T${time}Z`;
      const ctx = { project: 'nightly-ml-pipeline', run: `nightly-day${day}`, stage, now: observedAt, observedAt };
      recordFact(() => ws, ctx, buildRecord(ctx, 'metric', { metric_key: key, value, value_type: 'integer', unit: 'rows', aggregation_scope: 'stage', tags: {} }));
    }
  }
  return { ws, ids: listRunIds(ws) };
}

test('case study: every event validates (core + each facet), ordered START … terminal, quality on terminal events only', () => {
  const { ws, ids } = seeded();
  const runs = eventsForRuns(ws, diskReader(ws), ids, { ...NO_ROWS, outputRows: { validate: 'validate.rows-out', ingest: 'ingest.rows-read' }, inputRows: { train: 'train.loss' } });
  assert.equal(runs.length, 3);
  for (const r of runs) {
    assert.equal(r.unreadable, null);
    assert.equal(r.events.length, 12, 'run START, 5 × (START, COMPLETE), run COMPLETE');
    for (const { event } of r.events) assert.deepEqual(validator.problems(event), [], JSON.stringify(event));
    const [first, last] = [r.events[0]!.event, r.events[r.events.length - 1]!.event];
    assert.equal(first.eventType, 'START');
    assert.equal(first.job.name, 'nightly-ml-pipeline');
    assert.equal(last.eventType, 'COMPLETE');
    assert.equal(last.run.runId, first.run.runId);
    assert.deepEqual(first.job.facets.jobType, { ...(first.job.facets.jobType as object), processingType: 'BATCH', integration: 'CONTEXTA', jobType: 'JOB' });
    for (const { event, transition } of r.events) {
      assert.ok(!['OTHER', 'RUNNING'].includes(event.eventType));
      if (transition.stage) {
        assert.equal(event.job.name, `nightly-ml-pipeline.${transition.stage}`);
        const parent = event.run.facets.parent as any;
        assert.equal(parent.run.runId, first.run.runId);
        assert.deepEqual(parent.root, { run: { runId: first.run.runId }, job: { namespace: 'contexta', name: 'nightly-ml-pipeline' } });
      }
      if (transition.phase === 'start') {
        for (const key of ['test', 'contexta_degradedRecords', 'errorMessage']) assert.equal(event.run.facets[key], undefined);
        assert.deepEqual(event.outputs, []);
      }
    }
    const times = r.events.map((m) => Date.parse(m.event.eventTime));
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    // validate: the degraded record and its diagnosis travel on COMPLETE; its 0 rows as outputStatistics.
    const validateEnd = pickTransition(r.events, { stage: 'validate', phase: 'end' })!.event;
    const degraded = validateEnd.run.facets.contexta_degradedRecords as any;
    assert.equal(degraded.records[0].issue_key, 'validate.empty_dataframe_passthrough');
    assert.equal(degraded.records[0].severity, 'error');
    const tests = (validateEnd.run.facets.test as any).tests;
    assert.ok(tests.some((t: any) => t.type === 'degraded_record' && t.status === 'fail' && t.severity === 'error'));
    assert.deepEqual(validateEnd.outputs.map((d) => [d.name, (d.outputFacets!.outputStatistics as any).rowCount]), [['nightly-ml-pipeline.validate.output', 0]]);
    // train.loss is 2.31: not a row count, so no inputStatistics is invented.
    assert.deepEqual(pickTransition(r.events, { stage: 'train', phase: 'end' })!.event.inputs, []);
  }
  // Deterministic: a second mapping gives the same bytes; distinct runs get distinct ids.
  const again = eventsForRuns(ws, diskReader(ws), ids, { ...NO_ROWS, outputRows: { validate: 'validate.rows-out', ingest: 'ingest.rows-read' }, inputRows: { train: 'train.loss' } });
  assert.equal(JSON.stringify(again), JSON.stringify(runs));
  assert.equal(new Set(runs.map((r) => r.events[0]!.event.run.runId)).size, 3);
  // Without declarations, no datasets at all.
  const plain = eventsForRuns(ws, diskReader(ws), ids.slice(0, 1), NO_ROWS)[0]!;
  assert.ok(plain.events.every((m) => m.event.outputs.length === 0 && m.event.inputs.length === 0));
});

test('a failed stage: FAIL with errorMessage from its error events and the exec stderr tail; a cancelled one ABORT; open ones START only', () => {
  const root = path.join(tmp(), '.contexta');
  const ws = openOrInitWorkspace(root);
  const t0 = '2025-05-01T10:00:00Z';
  const t1 = '2025-05-01T10:05:00Z';
  for (const s of ['load', 'train', 'score']) ensureStage(ws, 'p', 'r', s, t0);
  const at = (stage: string) => ({ project: 'p', run: 'r', stage, now: t1, observedAt: t1 });
  const event = (stage: string, key: string, message: string, attributes = {}) =>
    recordFact(() => ws, at(stage), buildRecord(at(stage), 'event', { event_key: key, level: 'error', message, attributes, origin_marker: 'explicit_capture' }));
  event('train', 'train.oom', 'CUDA out of memory');
  event('train', 'exec.stderr-tail', 'stderr tail', { stderr_tail: 'Traceback…\nRuntimeError: boom' });
  updateStage(ws, 'p', 'r', 'train', (s) => ({ ...s, status: 'failed', ended_at: t1 }));
  updateStage(ws, 'p', 'r', 'load', (s) => ({ ...s, status: 'cancelled', ended_at: t1 }));
  updateRun(ws, 'p', 'r', (r) => ({ ...r, status: 'failed', ended_at: t1 }));
  const [mapped] = eventsForRuns(ws, diskReader(ws), [{ project: 'p', name: 'r' }], NO_ROWS);
  for (const { event: e } of mapped!.events) assert.deepEqual(validator.problems(e), [], JSON.stringify(e));
  const train = pickTransition(mapped!.events, { stage: 'train' })!.event;
  assert.equal(train.eventType, 'FAIL');
  assert.deepEqual(
    { message: (train.run.facets.errorMessage as any).message, stackTrace: (train.run.facets.errorMessage as any).stackTrace },
    { message: 'CUDA out of memory', stackTrace: 'Traceback…\nRuntimeError: boom' },
  );
  assert.equal(pickTransition(mapped!.events, { stage: 'load' })!.event.eventType, 'ABORT');
  const score = mapped!.events.filter((m) => m.transition.stage === 'score');
  assert.deepEqual(score.map((m) => m.event.eventType), ['START']);
  const runEnd = pickTransition(mapped!.events, { stage: null, phase: 'end' })!.event;
  assert.equal(runEnd.eventType, 'FAIL');
  assert.equal((runEnd.run.facets.errorMessage as any).message, 'run run:p.r failed');
  // score was left open: its diagnosis has no terminal event of its own, so it rides on the run's.
  assert.ok((runEnd.run.facets.test as any).tests.some((x: any) => x.type === 'stage_not_finished'));
  assert.ok(mapped!.events.every((m) => m.transition.stage !== 'train' || !JSON.stringify(m.event.run.facets.test ?? '').includes('stage_not_finished')));
});

test('the validator itself rejects what it must (a test that cannot fail is a defect)', () => {
  const { ws, ids } = seeded();
  const ev = structuredClone(eventsForRuns(ws, diskReader(ws), ids.slice(0, 1), NO_ROWS)[0]!.events[1]!.event) as any;
  ev.run.facets.parent.run.runId = 'not-a-uuid';
  assert.ok(validator.problems(ev).some((p) => p.includes('ParentRunFacet')));
  const noProducer = structuredClone(ev) as any;
  delete noProducer.producer;
  assert.ok(validator.problems(noProducer).some((p) => p.includes('Marquez: producer')));
  const unknown = structuredClone(ev) as any;
  unknown.run.facets.made_up = { _producer: 'https://x', _schemaURL: 'https://x' };
  assert.ok(validator.problems(unknown).some((p) => p.includes('made_up')));
  const badCustom = structuredClone(ev) as any;
  badCustom.run.facets.contexta_run.run_ref = 42;
  assert.ok(validator.problems(badCustom).some((p) => p.includes('ContextaRunFacets.json')));
});

test('configuration: disabled, openlineage.yml precedence (OPENLINEAGE_CONFIG, ./, ~/.openlineage), OPENLINEAGE_URL, bad input named', () => {
  const cwd = tmp();
  const home = tmp();
  const url = { OPENLINEAGE_URL: 'http://127.0.0.1:9', OPENLINEAGE_API_KEY: 'k', OPENLINEAGE_ENDPOINT: 'custom/lineage' };
  assert.deepEqual(resolveSettings({}, cwd, home), { transport: null, namespace: 'contexta', source: 'none' });
  assert.equal(resolveSettings({ ...url, OPENLINEAGE_DISABLED: 'true' }, cwd, home).transport, null);
  const fromUrl = resolveSettings({ ...url, OPENLINEAGE_NAMESPACE: 'team' }, cwd, home);
  assert.equal(fromUrl.namespace, 'team');
  assert.deepEqual(fromUrl.transport, { type: 'http', url: 'http://127.0.0.1:9', endpoint: 'custom/lineage', apiKey: 'k', timeoutMs: 5000, retries: 3, backoffMs: 300 });
  fs.mkdirSync(path.join(home, '.openlineage'));
  fs.writeFileSync(path.join(home, '.openlineage', 'openlineage.yml'), 'transport:\n  type: console\n');
  assert.equal(resolveSettings(url, cwd, home).source, path.join(home, '.openlineage', 'openlineage.yml'));
  fs.writeFileSync(
    path.join(cwd, 'openlineage.yml'),
    'transport:\n  type: composite\n  transports:\n    - type: http\n      url: http://127.0.0.1:1\n      timeout: 1.5\n      auth: {type: api_key, apiKey: s3}\n      retry: {total: 1, backoff_factor: 0.1}\n    - type: file\n      log_file_path: out.jsonl\n      append: true\n',
  );
  const composite = resolveSettings(url, cwd, home);
  assert.equal(composite.source, path.join(cwd, 'openlineage.yml'));
  assert.deepEqual(composite.transport, {
    type: 'composite',
    continueOnFailure: true,
    transports: [
      { type: 'http', url: 'http://127.0.0.1:1', endpoint: 'api/v1/lineage', apiKey: 's3', timeoutMs: 1500, retries: 1, backoffMs: 100 },
      { type: 'file', path: 'out.jsonl', append: true },
    ],
  });
  const explicit = path.join(cwd, 'other.yml');
  fs.writeFileSync(explicit, 'transport:\n  type: kafka\n');
  assert.throws(() => resolveSettings({ OPENLINEAGE_CONFIG: explicit }, cwd, home), (e: ContextaError) => e.code === 'usage' && /kafka.*allowed: http, file, console, composite/.test(e.message));
  assert.throws(() => resolveSettings({ OPENLINEAGE_CONFIG: path.join(cwd, 'missing.yml') }, cwd, home), (e: ContextaError) => e.code === 'usage' && /missing\.yml/.test(e.message));
  fs.writeFileSync(explicit, 'transport: [');
  assert.throws(() => resolveSettings({ OPENLINEAGE_CONFIG: explicit }, cwd, home), (e: ContextaError) => e.code === 'usage' && /not valid YAML/.test(e.message));
  assert.throws(() => resolveSettings({ OPENLINEAGE_URL: 'marquez:5000' }, tmp(), undefined), (e: ContextaError) => e.code === 'usage' && /OPENLINEAGE_URL/.test(e.message));
});

test('row declarations: <stage>.<metric-key>, first dot splits, bad ones named', () => {
  assert.deepEqual({ ...parseRowDeclarations(['validate.validate.rows_out', ' train.rows '], '--output-rows') }, { validate: 'validate.rows_out', train: 'rows' });
  for (const bad of ['rows', '.rows', 'Validate.rows', 'validate.']) {
    assert.throws(() => parseRowDeclarations([bad], '--output-rows'), (e: ContextaError) => e.code === 'usage' && e.message.includes('--output-rows'));
  }
});

test('backlog rule (table): nothing inside the grace period; pending past it is a warning; refused events too', () => {
  const now = Date.parse('2025-05-01T12:00:00Z');
  const state = (pending: number, ageMs: number, dead = 0) => ({
    state: { target: 'abc', url: 'http://m/api/v1/lineage', pending, dead, oldest_ms: pending ? now - ageMs : null, newest_ms: pending ? now - 1000 : null, oldest_file: null, dead_file: null },
    run_ref: 'run:p.r',
    dead_run_ref: null,
  });
  const cases: [ReturnType<typeof state>, string[]][] = [
    [state(0, 0), []],
    [state(3, BACKLOG_GRACE_MS - 1), []],
    [state(3, BACKLOG_GRACE_MS), ['warning openlineage_backlog']],
    [state(0, 0, 2), ['warning openlineage_dead_letter']],
    [state(5, 2 * BACKLOG_GRACE_MS, 1), ['warning openlineage_backlog', 'warning openlineage_dead_letter']],
  ];
  for (const [input, expected] of cases) {
    const issues = backlogIssues([input], now);
    assert.deepEqual(issues.map((i) => `${i.severity} ${i.code}`), expected);
    for (const i of issues) assert.equal(i.run_ref, 'run:p.r');
  }
  assert.equal(backlogIssues([state(5, 2 * BACKLOG_GRACE_MS)], now)[0]!.details.growing, true);
});

test('outbox: identical events queue once, names sort oldest first, one claimant wins', () => {
  const root = tmp();
  const box = openOutbox(root, 'http://127.0.0.1:1/api/v1/lineage');
  const a = enqueue(box, '{"a":1}', 1000);
  assert.equal(enqueue(box, '{"a":1}', 2000), a);
  enqueue(box, '{"b":2}', 1500);
  assert.equal(pendingNames(box).length, 2);
  assert.equal(pendingNames(box)[0], a);
  const first = claim(box, a);
  assert.ok(first);
  assert.equal(claim(box, a), null);
  assert.equal(enqueue(box, '{"a":1}', 3000), a, 'an event being sent is not queued again');
  const [s] = outboxStates(root);
  assert.equal(s!.pending, 2);
  assert.equal(s!.url, 'http://127.0.0.1:1/api/v1/lineage');
});

test('postEvent: retries 5xx and connection errors with backoff, gives up on 4xx, never runs past its deadline', async () => {
  const cfg = { type: 'http' as const, url: 'http://127.0.0.1:1', endpoint: 'api/v1/lineage', apiKey: 'KEY', timeoutMs: 1000, retries: 3, backoffMs: 10 };
  const calls: { url: string; auth: string | null }[] = [];
  const answers = [500, 503, 201];
  const fake = (async (url: string, init: RequestInit) => {
    calls.push({ url, auth: new Headers(init.headers).get('authorization') });
    return new Response('', { status: answers.shift() ?? 201 });
  }) as unknown as typeof fetch;
  assert.deepEqual(await postEvent(cfg, '{}', Date.now() + 5000, Date.now, fake), { kind: 'ok', status: 201 });
  assert.equal(calls.length, 3);
  assert.deepEqual(calls[0], { url: 'http://127.0.0.1:1/api/v1/lineage', auth: 'Bearer KEY' });

  const refused = (async () => new Response('bad event', { status: 400 })) as unknown as typeof fetch;
  assert.deepEqual(await postEvent(cfg, '{}', Date.now() + 5000, Date.now, refused), { kind: 'refused', status: 400, body: 'bad event' });

  let n = 0;
  const down = (async () => {
    n++;
    throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  }) as unknown as typeof fetch;
  assert.deepEqual(await postEvent(cfg, '{}', Date.now() + 5000, Date.now, down), { kind: 'failed', reason: 'ECONNREFUSED' });
  assert.equal(n, 4, '1 try + 3 retries');

  const hang = ((_: string, init: RequestInit) =>
    new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))) as unknown as typeof fetch;
  const started = Date.now();
  const result = await postEvent({ ...cfg, timeoutMs: 60_000 }, '{}', Date.now() + 300, Date.now, hang);
  assert.equal(result.kind, 'failed');
  assert.ok(Date.now() - started < 2000, `bounded by the deadline, took ${Date.now() - started} ms`);
});
