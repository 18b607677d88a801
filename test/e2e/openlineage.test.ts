/**
 * contexta as an OpenLineage producer, end to end: the built CLI, spawned, talking
 * to a protocol-faithful lineage server on 127.0.0.1 (see openlineage-server.ts).
 * Every request the server receives is checked against the official schemas.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectCode, runAsync, tempWorkspace, type Env, type TempWorkspace } from './helpers';
import { duplicates, LineageServer, steps } from './openlineage-server';
import { openLineageValidator } from './openlineage-schemas';

const servers: LineageServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});

async function server(): Promise<LineageServer> {
  const s = new LineageServer();
  await s.start();
  servers.push(s);
  return s;
}

/** Environment for a pipeline step: its own HOME (no ~/.openlineage of the runner), no inherited OpenLineage settings. */
function lineageEnv(t: TempWorkspace, extra: Env = {}): Env {
  return {
    HOME: t.dir,
    OPENLINEAGE_CONFIG: undefined,
    OPENLINEAGE_DISABLED: undefined,
    OPENLINEAGE_ENDPOINT: undefined,
    OPENLINEAGE_API_KEY: undefined,
    OPENLINEAGE_NAMESPACE: undefined,
    OPENLINEAGE_URL: undefined,
    CONTEXTA_PROJECT: 'nightly-ml-pipeline',
    CONTEXTA_RUN: 'nightly-day4',
    ...extra,
  };
}

const outboxFiles = (t: TempWorkspace) => {
  const root = path.join(t.ws, 'outbox');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).flatMap((target) => fs.readdirSync(path.join(root, target)).filter((n) => /^\d{13}-.*\.json$/.test(n)).map((n) => path.join(root, target, n)));
};

/** The case study's day as a pipeline would record it: 5 stages, validate passes 0 rows on. */
async function pipeline(t: TempWorkspace, env: Env): Promise<number[]> {
  const flag = ['--emit'];
  const codes: number[] = [];
  const step = async (args: string[]) => codes.push((await runAsync(args, { cwd: t.dir, env })).code);
  await step(['record', 'run', 'start', ...flag]);
  for (const stage of ['ingest', 'preprocess', 'validate', 'train', 'evaluate']) {
    const stageEnv = { ...env, CONTEXTA_STAGE: stage };
    codes.push((await runAsync(['record', 'stage', 'start', ...flag], { cwd: t.dir, env: stageEnv })).code);
    if (stage === 'validate') {
      codes.push((await runAsync(['record', 'metric', 'validate.rows-out', '0'], { cwd: t.dir, env: stageEnv })).code);
      const r = await runAsync(
        ['record', 'degraded', 'validate.empty_dataframe_passthrough', '--summary', 'Validate stage received 0 rows.', '--severity', 'error', '--marker', 'capture_gap'],
        { cwd: t.dir, env: stageEnv },
      );
      codes.push(r.code);
    }
    codes.push((await runAsync(['record', 'stage', 'end', ...flag], { cwd: t.dir, env: stageEnv })).code);
  }
  await step(['record', 'run', 'end', ...flag]);
  return codes;
}

const PIPELINE_STEPS = [
  'START nightly-ml-pipeline',
  ...['ingest', 'preprocess', 'validate', 'train', 'evaluate'].flatMap((s) => [`START nightly-ml-pipeline.${s}`, `COMPLETE nightly-ml-pipeline.${s}`]),
  'COMPLETE nightly-ml-pipeline',
];

test('a pipeline with --emit: START and terminal events arrive in order, valid, with the quality facets on COMPLETE; exit codes as without', async () => {
  const s = await server();
  const t = tempWorkspace();
  const env = lineageEnv(t, { OPENLINEAGE_URL: s.url, OPENLINEAGE_API_KEY: 'secret-key', CONTEXTA_OPENLINEAGE_OUTPUT_ROWS: 'validate.validate.rows-out' });
  const codes = await pipeline(t, env);
  // Every step exits 0, as it does without emitting (test/e2e/record.test.ts).
  assert.deepEqual(codes, codes.map(() => 0));
  assert.deepEqual(s.received.flatMap((r) => r.problems), []);
  assert.deepEqual(steps(s.accepted()), PIPELINE_STEPS);
  assert.deepEqual(duplicates(s.accepted()), []);
  assert.ok(s.received.every((r) => r.authorization === 'Bearer secret-key' && r.contentType === 'application/json' && r.path === '/api/v1/lineage'));
  const validateEnd = s.accepted().find((e) => e.job.name === 'nightly-ml-pipeline.validate' && e.eventType === 'COMPLETE');
  assert.equal(validateEnd.run.facets.contexta_degradedRecords.records[0].issue_key, 'validate.empty_dataframe_passthrough');
  assert.ok(validateEnd.run.facets.test.tests.some((x: any) => x.type === 'degraded_record'));
  assert.equal(validateEnd.outputs[0].outputFacets.outputStatistics.rowCount, 0);
  assert.deepEqual(outboxFiles(t), []);
  // The same run exported later carries the same run ids: separate calls agree without shared state.
  const exported = expectCode(await runAsync(['export', 'openlineage', 'nightly-day4'], { cwd: t.dir, env: lineageEnv(t, { CONTEXTA_OPENLINEAGE_OUTPUT_ROWS: 'validate.validate.rows-out' }) }), 0).ndjson();
  assert.deepEqual(exported.map((e) => e.run.runId), s.accepted().map((e) => e.run.runId));
  assert.deepEqual(exported, s.accepted());
});

test('OPENLINEAGE_URL alone turns emitting on; OPENLINEAGE_DISABLED turns it off; a usage error still sends nothing', async () => {
  const s = await server();
  const t = tempWorkspace();
  expectCode(await runAsync(['record', 'run', 'start'], { cwd: t.dir, env: lineageEnv(t, { OPENLINEAGE_URL: s.url }) }), 0);
  assert.deepEqual(steps(s.accepted()), ['START nightly-ml-pipeline']);
  expectCode(await runAsync(['record', 'stage', 'start', '--stage', 'a', '--emit'], { cwd: t.dir, env: lineageEnv(t, { OPENLINEAGE_URL: s.url, OPENLINEAGE_DISABLED: 'true' }) }), 0);
  expectCode(await runAsync(['record', 'stage', 'end', '--stage', 'a', '--status', 'bogus', '--emit'], { cwd: t.dir, env: lineageEnv(t, { OPENLINEAGE_URL: s.url }) }), 2);
  assert.equal(s.received.length, 1);
  // --emit with nothing configured: a warning, exit 0.
  const r = expectCode(await runAsync(['record', 'stage', 'start', '--stage', 'b', '--emit'], { cwd: t.dir, env: lineageEnv(t) }), 0);
  assert.match(r.stderr, /no transport configured/);
});

test('a 500 is retried and the event delivered once; a 400 is dead-lettered, reported, and the pipeline still exits 0', async () => {
  const s = await server();
  const t = tempWorkspace();
  const env = lineageEnv(t, { OPENLINEAGE_URL: s.url });
  s.cues.push(500, 503);
  expectCode(await runAsync(['record', 'run', 'start', '--emit'], { cwd: t.dir, env }), 0);
  assert.deepEqual(s.received.map((r) => r.status), [500, 503, 201]);
  assert.equal(new Set(s.received.map((r) => JSON.stringify(r.event))).size, 1, 'the same event each time');
  assert.deepEqual(outboxFiles(t), []);

  s.cues.push(400);
  const r = expectCode(await runAsync(['record', 'stage', 'start', '--stage', 'ingest', '--emit'], { cwd: t.dir, env }), 0);
  assert.match(r.stderr, /refused an event \(HTTP 400\)/);
  const dead = fs.readdirSync(path.join(t.ws, 'outbox')).flatMap((d) => {
    const dir = path.join(t.ws, 'outbox', d, 'dead');
    return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  });
  assert.equal(dead.filter((n) => n.endsWith('.reason.json')).length, 1);
  const diag = expectCode(await runAsync(['diagnose', '--json'], { cwd: t.dir, env }), 0).json();
  assert.ok(diag.issues.some((i: any) => i.code === 'openlineage_dead_letter' && i.run_ref === 'run:nightly-ml-pipeline.nightly-day4'));
});

test('a server that is down: bounded, exit 0, events kept in the outbox; a later call delivers them once, in order', async () => {
  const s = await server();
  const port = s.port;
  await s.stop();
  const t = tempWorkspace();
  const env = lineageEnv(t, { OPENLINEAGE_URL: `http://127.0.0.1:${port}`, CONTEXTA_OPENLINEAGE_BUDGET: '2' });
  const started = Date.now();
  const first = expectCode(await runAsync(['record', 'run', 'start', '--emit'], { cwd: t.dir, env }), 0);
  assert.match(first.stderr, /ECONNREFUSED|kept in the outbox/);
  // Backing off now: the next steps only queue, without waiting on the dead server.
  const queueOnly = Date.now();
  expectCode(await runAsync(['record', 'stage', 'start', '--stage', 'ingest', '--emit'], { cwd: t.dir, env }), 0);
  expectCode(await runAsync(['record', 'stage', 'end', '--stage', 'ingest', '--emit'], { cwd: t.dir, env }), 0);
  assert.ok(Date.now() - started < 2000 + 3 * 3000, `bounded: ${Date.now() - started} ms`);
  assert.ok(Date.now() - queueOnly < 2 * 3000);
  assert.equal(outboxFiles(t).length, 3);

  // diagnose sees a backlog once it is older than the grace period (made old here by its file name).
  const oldest = outboxFiles(t).sort()[0]!;
  const aged = path.join(path.dirname(oldest), `${String(Date.now() - 3_600_000).padStart(13, '0')}${path.basename(oldest).slice(13)}`);
  fs.renameSync(oldest, aged);
  const diag = expectCode(await runAsync(['diagnose', '--json'], { cwd: t.dir, env }), 0).json();
  const backlog = diag.issues.find((i: any) => i.code === 'openlineage_backlog');
  assert.ok(backlog, JSON.stringify(diag.issues.map((i: any) => i.code)));
  assert.equal(backlog.severity, 'warning');
  assert.equal(backlog.run_ref, 'run:nightly-ml-pipeline.nightly-day4');
  assert.equal(backlog.details.pending, 3);

  await s.start(port);
  // Still backing off: a pipeline step queues its event without trying...
  expectCode(await runAsync(['record', 'run', 'end', '--emit'], { cwd: t.dir, env }), 0);
  assert.equal(s.received.length, 0);
  assert.equal(outboxFiles(t).length, 4);
  // ...and `emit --flush` delivers everything, oldest first.
  const flush = expectCode(await runAsync(['emit', '--flush', '--json'], { cwd: t.dir, env }), 0).json();
  assert.deepEqual({ sent: flush.sent, pending: flush.pending }, { sent: 4, pending: 0 });
  assert.deepEqual(steps(s.accepted()), ['START nightly-ml-pipeline', 'START nightly-ml-pipeline.ingest', 'COMPLETE nightly-ml-pipeline.ingest', 'COMPLETE nightly-ml-pipeline']);
  assert.deepEqual(s.received.flatMap((r) => r.problems), []);
  // Nothing is sent twice: another flush and another step find nothing old to send.
  // (`emit` with no run in sight is a flush too.)
  const again = expectCode(await runAsync(['emit', '--json'], { cwd: t.dir, env: { ...env, CONTEXTA_RUN: undefined } }), 0).json();
  assert.deepEqual({ sent: again.sent, pending: again.pending }, { sent: 0, pending: 0 });
  expectCode(await runAsync(['record', 'stage', 'start', '--stage', 'train', '--emit'], { cwd: t.dir, env: { ...env, CONTEXTA_OPENLINEAGE_COOLDOWN: '0' } }), 0);
  assert.deepEqual(duplicates(s.accepted()), []);
  assert.equal(s.accepted().length, 5);
  assert.deepEqual(outboxFiles(t), []);
  const after = expectCode(await runAsync(['diagnose', '--json'], { cwd: t.dir, env }), 0).json();
  assert.ok(!after.issues.some((i: any) => i.code === 'openlineage_backlog'));
});

test('a back end that takes the request and never answers: the step still ends within its budget, exit 0, event kept', async () => {
  const s = await server();
  const t = tempWorkspace();
  s.cues.push(0, 0, 0, 0);
  const env = lineageEnv(t, { OPENLINEAGE_URL: s.url, CONTEXTA_OPENLINEAGE_BUDGET: '1.5' });
  const started = Date.now();
  const r = expectCode(await runAsync(['record', 'run', 'start', '--emit'], { cwd: t.dir, env }), 0);
  const took = Date.now() - started;
  assert.ok(took < 1500 + 5000, `bounded by the 1.5 s budget plus start-up, took ${took} ms`);
  assert.ok(took >= 1500, `it did wait for the back end (${took} ms)`);
  assert.match(r.stderr, /timed out|out of time/);
  assert.equal(outboxFiles(t).length, 1);
  assert.equal(s.received.length >= 1, true);
});

test('the next call delivers the backlog (no back-off): queued events go before the new one', async () => {
  const s = await server();
  const port = s.port;
  await s.stop();
  const t = tempWorkspace();
  const env = lineageEnv(t, { OPENLINEAGE_URL: `http://127.0.0.1:${port}`, CONTEXTA_OPENLINEAGE_COOLDOWN: '0', CONTEXTA_OPENLINEAGE_BUDGET: '2' });
  expectCode(await runAsync(['record', 'run', 'start', '--emit'], { cwd: t.dir, env }), 0);
  expectCode(await runAsync(['record', 'stage', 'start', '--stage', 'ingest', '--emit'], { cwd: t.dir, env }), 0);
  assert.equal(outboxFiles(t).length, 2);
  await s.start(port);
  expectCode(await runAsync(['record', 'stage', 'end', '--stage', 'ingest', '--emit'], { cwd: t.dir, env }), 0);
  assert.deepEqual(steps(s.accepted()), ['START nightly-ml-pipeline', 'START nightly-ml-pipeline.ingest', 'COMPLETE nightly-ml-pipeline.ingest']);
  assert.deepEqual(duplicates(s.accepted()), []);
  assert.deepEqual(outboxFiles(t), []);
});

test('parallel stages flushing one backlog at once: each event delivered once, every START before its terminal event', async () => {
  const s = await server();
  const port = s.port;
  await s.stop();
  const t = tempWorkspace();
  const down = lineageEnv(t, { OPENLINEAGE_URL: `http://127.0.0.1:${port}`, CONTEXTA_OPENLINEAGE_BUDGET: '1' });
  expectCode(await runAsync(['record', 'run', 'start', '--emit'], { cwd: t.dir, env: down }), 0);
  for (const stage of ['a', 'b', 'c']) {
    expectCode(await runAsync(['record', 'stage', 'start', '--stage', stage, '--emit'], { cwd: t.dir, env: down }), 0);
    expectCode(await runAsync(['record', 'stage', 'end', '--stage', stage, '--emit'], { cwd: t.dir, env: down }), 0);
  }
  assert.equal(outboxFiles(t).length, 7);
  await s.start(port);
  const up = { ...down, CONTEXTA_OPENLINEAGE_COOLDOWN: '0', CONTEXTA_OPENLINEAGE_BUDGET: '20' };
  const codes = await Promise.all(['d', 'e', 'f', 'g'].map(async (stage) => (await runAsync(['record', 'stage', 'start', '--stage', stage, '--emit'], { cwd: t.dir, env: up })).code));
  assert.deepEqual(codes, [0, 0, 0, 0]);
  // Whatever a sender could not take along (queued while another held the queue) goes with a flush.
  expectCode(await runAsync(['emit', '--flush'], { cwd: t.dir, env: up }), 0);
  assert.deepEqual(outboxFiles(t), []);
  const got = s.accepted();
  assert.equal(got.length, 11);
  assert.deepEqual(duplicates(got), []);
  assert.deepEqual(s.received.flatMap((r) => r.problems), []);
  assert.equal(steps(got)[0], 'START nightly-ml-pipeline');
  for (const stage of ['a', 'b', 'c']) {
    const order = steps(got).filter((x) => x.endsWith(`.${stage}`));
    assert.deepEqual(order, [`START nightly-ml-pipeline.${stage}`, `COMPLETE nightly-ml-pipeline.${stage}`]);
  }
});

test('export openlineage: JSONL of the case study, every line valid; --to-transport backfills in order; -o writes a file', async () => {
  const s = await server();
  const t = tempWorkspace();
  const env = lineageEnv(t, { OPENLINEAGE_URL: s.url, OPENLINEAGE_NAMESPACE: 'ml-team' });
  expectCode(await runAsync(['seed'], { cwd: t.dir, env }), 0);
  const lines = expectCode(await runAsync(['export', 'openlineage', '--all'], { cwd: t.dir, env }), 0).ndjson();
  assert.equal(lines.length, 36);
  const validator = openLineageValidator();
  assert.deepEqual(lines.flatMap((e) => validator.problems(e)), []);
  assert.ok(lines.every((e) => e.job.namespace === 'ml-team'));
  const day2 = expectCode(await runAsync(['export', 'openlineage', '--since', '2025-03-19T00:00:00Z', '-o', 'out.jsonl'], { cwd: t.dir, env }), 0);
  assert.equal(day2.stdout, '');
  assert.equal(fs.readFileSync(t.at('out.jsonl'), 'utf8').trim().split('\n').length, 24);
  // Backfill: the server gets exactly the exported events, each run's START first and its terminal event last.
  expectCode(await runAsync(['export', 'openlineage', '--all', '--to-transport'], { cwd: t.dir, env }), 0);
  assert.deepEqual(s.accepted(), lines);
  for (let day = 0; day < 3; day++) assert.deepEqual(steps(s.accepted().slice(day * 12, day * 12 + 12)), PIPELINE_STEPS);
  assert.deepEqual(s.received.flatMap((r) => r.problems), []);
  // Usage errors: nothing sent.
  expectCode(await runAsync(['export', 'openlineage', 'nightly-day1', '--all'], { cwd: t.dir, env }), 2);
  expectCode(await runAsync(['export', 'openlineage', '--output-rows', 'rows'], { cwd: t.dir, env }), 2);
  expectCode(await runAsync(['export', 'openlineage', '--to-transport'], { cwd: t.dir, env: lineageEnv(t) }), 2);
  expectCode(await runAsync(['export', 'openlineage', 'no-such-run'], { cwd: t.dir, env }), 3);
  assert.equal(s.received.length, 36);
});

test('openlineage.yml: file transport writes JSONL; composite sends to HTTP and the file', async () => {
  const s = await server();
  const t = tempWorkspace();
  fs.writeFileSync(
    t.at('openlineage.yml'),
    `transport:\n  type: composite\n  transports:\n    - type: http\n      url: ${s.url}\n    - type: file\n      log_file_path: ${JSON.stringify(t.at('events.jsonl'))}\n      append: true\n`,
  );
  const env = lineageEnv(t);
  expectCode(await runAsync(['record', 'run', 'start', '--emit'], { cwd: t.dir, env }), 0);
  expectCode(await runAsync(['emit'], { cwd: t.dir, env }), 0);
  // `emit` sends the run's current step again, on purpose: it is asked to.
  assert.deepEqual(steps(s.accepted()), ['START nightly-ml-pipeline', 'START nightly-ml-pipeline']);
  assert.deepEqual(s.accepted()[0], s.accepted()[1]);
  const written = fs.readFileSync(t.at('events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(written, s.accepted());
});
