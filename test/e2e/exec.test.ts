/**
 * `contexta exec`: one line per stage. Spawned as a user's pipeline would, with real
 * children (`sh -c …`, node scripts) and real signals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, cleanEnv, expectCode, readJson, readNdjson, run, runAsync, runDir, tempWorkspace } from './helpers';

const NODE = process.execPath;
/** The child's own `contexta …`, as a stage script would call it. */
const CONTEXTA = `"${NODE}" "${BIN}"`;
const env = { CONTEXTA_PROJECT: 'lab', CONTEXTA_RUN: 'night' };

function exitEvents(ws: string, runName = 'night') {
  return readNdjson(path.join(runDir(ws, 'lab', runName), 'records.ndjson')).filter((r) => r.payload.event_key === 'exec.exit');
}
const stageOf = (ws: string, stage: string, runName = 'night') => readJson(path.join(runDir(ws, 'lab', runName), 'stages', `${stage}.json`));

test('a stage that succeeds: stdout passed through, context exported, stage completed, exit 0', () => {
  const tmp = tempWorkspace();
  const script = `echo "$CONTEXTA_PROJECT/$CONTEXTA_RUN/$CONTEXTA_STAGE"; ${CONTEXTA} record metric rows 7 >/dev/null`;
  const r = expectCode(run(['exec', '--stage', 'load', '--', 'sh', '-c', script], { cwd: tmp.dir, env }), 0);
  assert.equal(r.stdout, 'lab/night/load\n');
  assert.match(r.stderr, /created workspace/);
  const stage = stageOf(tmp.ws, 'load');
  assert.equal(stage.status, 'completed');
  assert.ok(Date.parse(stage.ended_at) >= Date.parse(stage.started_at));
  const records = readNdjson(path.join(runDir(tmp.ws, 'lab', 'night'), 'records.ndjson'));
  // The child's own record landed in the wrapped stage.
  const metric = records.find((x) => x.payload.metric_key === 'rows');
  assert.equal(metric.envelope.stage_execution_ref, 'stage:lab.night.load');
  const [exit] = exitEvents(tmp.ws);
  assert.equal(exit.payload.level, 'info');
  assert.equal(exit.payload.origin_marker, 'wrapped_capture');
  assert.equal(exit.payload.attributes.exit_code, 0);
  assert.equal(exit.payload.attributes.program, 'sh');
  // Arguments are never stored: they may hold secrets.
  assert.doesNotMatch(JSON.stringify(exit), /record metric/);
  // The run was started on first use and stays open: ending it is explicit.
  assert.equal(readJson(path.join(runDir(tmp.ws, 'lab', 'night'), 'run.json')).status, 'open');
});

test('a stage that fails: its exit code passed on, stderr passed through, the tail recorded as an error event', () => {
  const tmp = tempWorkspace();
  // 50 KB of stderr, then a last line: only the last ~10 KB are kept.
  const script = `i=0; while [ $i -lt 1000 ]; do echo "noise line $i ........................................" >&2; i=$((i+1)); done; echo "Traceback: boom" >&2; exit 3`;
  const r = expectCode(run(['exec', '--stage', 'train', '--', 'sh', '-c', script], { cwd: tmp.dir, env }), 3);
  assert.match(r.stderr, /noise line 0 \./);
  assert.match(r.stderr, /Traceback: boom\n/);
  assert.equal(stageOf(tmp.ws, 'train').status, 'failed');
  const [exit] = exitEvents(tmp.ws);
  assert.equal(exit.payload.level, 'error');
  assert.equal(exit.payload.attributes.exit_code, 3);
  assert.match(exit.payload.message, /^sh: exit 3 after [\d.]+s; stderr:\n/);
  assert.match(exit.payload.message, /Traceback: boom$/);
  assert.doesNotMatch(exit.payload.message, /noise line 0 \./);
  const tail = exit.payload.message.split('stderr:\n')[1];
  assert.ok(tail.length > 9_000 && tail.length <= 10 * 1024, `tail is ~10 KB: ${tail.length}`);
  // diagnose sees the failed stage and the error event.
  const doc = expectCode(run(['diagnose', 'night', '--json'], { cwd: tmp.dir }), 1).json();
  assert.deepEqual(doc.issues.filter((i: any) => i.severity === 'error').map((i: any) => i.code).sort(), ['event_error', 'stage_failed']);
});

test('a command that cannot start: 127, the stage failed, the reason on stderr', () => {
  const tmp = tempWorkspace();
  const r = expectCode(run(['exec', '--stage', 'ghost', '--', 'no-such-command-contexta'], { cwd: tmp.dir, env }), 127);
  assert.match(r.stderr, /no-such-command-contexta: command not found/);
  assert.equal(stageOf(tmp.ws, 'ghost').status, 'failed');
});

test('usage errors are refused before the child runs (exit 2)', () => {
  const tmp = tempWorkspace();
  const marker = tmp.at('ran');
  for (const args of [
    ['exec', '--', 'sh', '-c', `touch "${marker}"`], // no stage
    ['exec', '--stage', '***', '--', 'sh', '-c', `touch "${marker}"`],
    ['exec', '--run-level', '--stage', 's', '--', 'sh', '-c', `touch "${marker}"`],
    ['exec', '--stage', 's'], // no command
  ]) {
    expectCode(run(args, { cwd: tmp.dir, env }), 2);
  }
  assert.ok(!fs.existsSync(marker), 'the child never ran');
  // Without --, the command's own options are taken for contexta's: the message says what to do.
  const noDashes = expectCode(run(['exec', '--stage', 's', 'ls', '-la'], { cwd: tmp.dir, env }), 2);
  assert.match(noDashes.stderr, /unknown option '-la'; put -- before the command/);
  // A stage that already ended is not silently re-run inside the same attempt.
  expectCode(run(['exec', '--stage', 'once', '--', 'true'], { cwd: tmp.dir, env }), 0);
  const again = expectCode(run(['exec', '--stage', 'once', '--', 'sh', '-c', `touch "${marker}"`], { cwd: tmp.dir, env }), 2);
  assert.match(again.stderr, /stage once of run night already ended \(completed/);
  assert.ok(!fs.existsSync(marker));
});

test('bookkeeping that fails never changes the exit code: reported on stderr, the child still runs', () => {
  const tmp = tempWorkspace();
  fs.mkdirSync(tmp.ws);
  // A workspace written by a newer contexta: refused for writing, never rewritten.
  fs.writeFileSync(path.join(tmp.ws, 'workspace.json'), JSON.stringify({ format: 'contexta-workspace', format_version: 99 }));
  const r = expectCode(run(['exec', '--stage', 's', '--', 'sh', '-c', 'echo ran; exit 5'], { cwd: tmp.dir, env }), 5);
  assert.equal(r.stdout, 'ran\n');
  assert.match(r.stderr, /warning: could not record the start of run night .*format version 99.*exit code is passed on unchanged/);
});

test('signals: SIGTERM to contexta reaches the child; the stage is cancelled and the exit code is 128+15', async () => {
  const tmp = tempWorkspace();
  const got = tmp.at('got-term');
  const script = `trap 'touch "${got}"; exit 143' TERM; echo ready; while :; do sleep 0.05; done`;
  const child = spawn(NODE, [BIN, 'exec', '--stage', 'slow', '--', 'sh', '-c', script], { cwd: tmp.dir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 143);
  assert.ok(fs.existsSync(got), 'the child received SIGTERM');
  assert.equal(stageOf(tmp.ws, 'slow').status, 'cancelled');
  const [exit] = exitEvents(tmp.ws);
  assert.equal(exit.payload.attributes.signal_received, 'SIGTERM');
  assert.equal(exit.payload.level, 'warning');
});

test('a child killed by a signal: recorded by name, exit 128+n', () => {
  const tmp = tempWorkspace();
  expectCode(run(['exec', '--stage', 'crash', '--', 'sh', '-c', 'kill -KILL $$'], { cwd: tmp.dir, env }), 137);
  assert.equal(stageOf(tmp.ws, 'crash').status, 'failed');
  const [exit] = exitEvents(tmp.ws);
  assert.equal(exit.payload.attributes.signal, 'SIGKILL');
  assert.match(exit.payload.message, /killed by SIGKILL/);
});

test('--run-level wraps a pipeline: starts the run, ends it with the outcome; a re-run is attempt 2', async () => {
  const tmp = tempWorkspace();
  const pipeline = tmp.at('pipeline.sh');
  fs.writeFileSync(
    pipeline,
    `#!/bin/sh\nset -e\n${CONTEXTA} exec --stage a -- sh -c 'echo "a:$CONTEXTA_STAGE"'\n${CONTEXTA} exec --stage b -- sh -c 'echo "b:$CONTEXTA_STAGE"'\necho "outer:\${CONTEXTA_STAGE:-none}"\n`,
    { mode: 0o755 },
  );
  // An outer CONTEXTA_STAGE is not passed into a run-level script.
  const first = expectCode(await runAsync(['exec', '--run-level', '--', pipeline], { cwd: tmp.dir, env: { ...env, CONTEXTA_STAGE: 'stray' } }), 0);
  assert.equal(first.stdout, 'a:a\nb:b\nouter:none\n');
  const runJson = readJson(path.join(runDir(tmp.ws, 'lab', 'night'), 'run.json'));
  assert.equal(runJson.status, 'completed');
  const second = expectCode(await runAsync(['exec', '--run-level', '--', pipeline], { cwd: tmp.dir, env }), 0);
  assert.match(second.stderr, /run night had ended; started attempt 2/);
  const attempt2 = readJson(path.join(runDir(tmp.ws, 'lab', 'night-attempt-2'), 'run.json'));
  assert.deepEqual([attempt2.name, attempt2.attempt, attempt2.status, attempt2.run_ref], ['night', 2, 'completed', 'run:lab.night-attempt-2']);
  assert.equal(stageOf(tmp.ws, 'b', 'night-attempt-2').status, 'completed');
  // A failing pipeline fails its run, with the script's exit code.
  fs.writeFileSync(pipeline, '#!/bin/sh\nexit 4\n');
  expectCode(await runAsync(['exec', '--run-level', '--', pipeline], { cwd: tmp.dir, env }), 4);
  assert.equal(readJson(path.join(runDir(tmp.ws, 'lab', 'night-attempt-3'), 'run.json')).status, 'failed');
});
