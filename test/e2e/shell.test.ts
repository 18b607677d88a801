/** Native in shell: help paths, completion, accidental workspaces, run-name suggestions, safe text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { expectCode, run, seededWorkspace, tempWorkspace } from './helpers';

test('`contexta help record metric` is the help of metric; `record run --help` offers no --stage', () => {
  const cwd = tempWorkspace().dir;
  const help = expectCode(run(['help', 'record', 'metric'], { cwd }), 0);
  assert.match(help.stdout, /^Usage: contexta record metric /);
  const runHelp = expectCode(run(['record', 'run', '--help'], { cwd }), 0);
  assert.doesNotMatch(runHelp.stdout, /--stage/);
  assert.match(expectCode(run(['record', 'stage', '--help'], { cwd }), 0).stdout, /--stage/);
});

test('enumerated options list their values, each explained', () => {
  const cwd = tempWorkspace().dir;
  const degraded = expectCode(run(['record', 'degraded', '--help'], { cwd }), 0).stdout;
  for (const value of ['explicit_capture', 'wrapped_capture', 'replayed', 'capture_gap', 'import_loss', 'compatibility_upgrade', 'sampled', 'absent', 'verification', 'recovery']) {
    assert.match(degraded, new RegExp(`^ {2}${value} +\\S`, 'm'), `${value} explained`);
  }
  const metric = expectCode(run(['record', 'metric', '--help'], { cwd }), 0).stdout;
  assert.match(metric, /--value-type: free text/);
  assert.match(metric, /run \| stage \| operation \| step \| slice/);
  const span = expectCode(run(['record', 'span', '--help'], { cwd }), 0).stdout;
  assert.match(span, /^ {2}network +a call over the network$/m);
});

test('bash completion completes commands, subcommands and flags', { skip: !hasBash() && 'bash not installed' }, () => {
  const cwd = tempWorkspace().dir;
  const script = expectCode(run(['completion', 'bash'], { cwd }), 0).stdout;
  const file = `${cwd}/completion.bash`;
  fs.writeFileSync(file, script);
  const complete = (...words: string[]) =>
    spawnSync('bash', ['-c', `source "$1"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _contexta; echo "\${COMPREPLY[*]}"`, 'x', file], { encoding: 'utf8' }).stdout.trim();
  assert.equal(complete('contexta', 'exe'), 'exec');
  assert.equal(complete('contexta', 'record', 'me'), 'metric');
  assert.equal(complete('contexta', 'record', 'metric', '--va'), '--value-type');
  assert.equal(complete('contexta', '-w', 'x', 'runs', '--all'), '--all-attempts');
  for (const shell of ['zsh', 'fish']) assert.match(expectCode(run(['completion', shell], { cwd }), 0).stdout, /contexta/);
  // zsh and fish, when installed (CI has bash only): the same answers.
  if (has('zsh')) {
    const zfile = `${cwd}/completion.zsh`;
    fs.writeFileSync(zfile, expectCode(run(['completion', 'zsh'], { cwd }), 0).stdout);
    const z = spawnSync('zsh', ['-c', `autoload -U compinit && compinit -u; source "$1"; COMP_WORDS=(contexta record me); COMP_CWORD=2; _contexta; print -r -- "\${COMPREPLY[*]}"`, 'x', zfile], { encoding: 'utf8' });
    assert.equal(z.stdout.trim(), 'metric', z.stderr);
  }
  if (has('fish')) {
    const ffile = `${cwd}/completion.fish`;
    fs.writeFileSync(ffile, expectCode(run(['completion', 'fish'], { cwd }), 0).stdout);
    const f = spawnSync('fish', ['-c', `source $argv[1]; complete -C 'contexta record me'`, ffile], { encoding: 'utf8' });
    assert.match(f.stdout, /^metric\t/m, f.stderr);
  }
  expectCode(run(['completion', 'tcsh'], { cwd }), 2);
});

function hasBash(): boolean {
  return has('bash');
}

function has(shell: string): boolean {
  return spawnSync(shell, ['-c', 'true']).status === 0;
}

test('record creating a workspace says so on stderr, once', () => {
  const tmp = tempWorkspace();
  const env = { CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r' };
  const first = expectCode(run(['record', 'metric', 'rows', '1'], { cwd: tmp.dir, env }), 0);
  assert.equal(first.stderr, 'contexta: created workspace ./.contexta\n');
  const second = expectCode(run(['record', 'metric', 'rows', '2'], { cwd: tmp.dir, env }), 0);
  assert.equal(second.stderr, '');
});

test('unknown run names suggest the closest; runs --since takes a day; no legend in a pipe', () => {
  const { dir } = seededWorkspace();
  const typo = expectCode(run(['snapshot', 'nightly-dya1'], { cwd: dir }), 3);
  assert.match(typo.stderr, /unknown run "nightly-dya1"; did you mean nightly-day1/);
  const ref = expectCode(run(['snapshot', 'run:nightly-ml-pipeline.nightly-day9'], { cwd: dir }), 3);
  assert.match(ref.stderr, /did you mean run:nightly-ml-pipeline\.nightly-day1/);
  const since = expectCode(run(['runs', '--since', '2025-03-19', '--json'], { cwd: dir }), 0).json();
  assert.deepEqual(since.runs.map((r: any) => r.name), ['nightly-day3', 'nightly-day2']);
  const until = expectCode(run(['runs', '--until', '2025-03-19', '--json'], { cwd: dir }), 0).json();
  assert.deepEqual(until.runs.map((r: any) => r.name), ['nightly-day2', 'nightly-day1']);
  expectCode(run(['runs', '--since', '2025-02-30'], { cwd: dir }), 2);
  const piped = expectCode(run(['runs'], { cwd: dir }), 0);
  assert.doesNotMatch(piped.stdout, /✔ ok/);
  assert.equal(piped.stdout.trimEnd().split('\n').length, 4, 'header and three runs, nothing else');
  expectCode(run(['runs', '--project', 'nope'], { cwd: dir }), 3);
});

test('text views escape control characters, bidi overrides and U+2028 from data and paths', () => {
  const tmp = tempWorkspace();
  const env = { CONTEXTA_PROJECT: 'p', CONTEXTA_RUN: 'r' };
  const evil = 'clear\x1b[2J me\u202eevil\u2028next\nforged';
  expectCode(run(['record', 'event', 'e.k', evil, '--level', 'error', '--attr', `k=${evil}`], { cwd: tmp.dir, env }), 0);
  expectCode(run(['record', 'degraded', 'd.k', '--summary', evil], { cwd: tmp.dir, env }), 0);
  for (const args of [['snapshot', 'r'], ['diagnose', 'r'], ['runs']]) {
    const out = run(args, { cwd: tmp.dir }).stdout;
    assert.doesNotMatch(out, /[\x1b\u202e\u2028]/, args.join(' '));
    assert.doesNotMatch(out, /^forged/m, args.join(' '));
  }
  assert.match(run(['snapshot', 'r'], { cwd: tmp.dir }).stdout, /clear\\x1b\[2J me\\u202eevil\\u2028next\\nforged/);
  // A newline in a path cannot forge a line of its own on stderr.
  const r = expectCode(run(['--workspace', `${tmp.dir}/no\ncontexta: error: forged`, 'runs'], { cwd: tmp.dir }), 3);
  assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  assert.doesNotMatch(r.stderr, /^contexta: error: forged/m);
});
