/**
 * A real terminal: tmux at 80 and 120 columns runs the built CLI, `capture-pane` reads
 * what a person would see. No line may be longer than the width (joined wrapped lines,
 * -J, would show it), colours are present on a TTY and absent with NO_COLOR, `runs`
 * shows the newest 20 with a line saying how many more, and `exec` leaves the child's
 * TTY detection intact. Works from a path with spaces. tmux is installed by .ci/run.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, cleanEnv, expectCode, run, runMany } from './helpers';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;:]*[A-Za-z]/g;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

let dir: string;
let socketDir: string;
let socket: string;
let sessions = 0;

function tmux(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], {
    encoding: 'utf8',
    env: cleanEnv({ NO_COLOR: undefined, TERM: 'xterm-256color' }),
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Run one shell command in a fresh tmux pane of `width` columns; return what it showed (with SGR codes). */
async function inTerminal(width: number, command: string): Promise<string> {
  const name = `t${++sessions}`;
  const script = `cd ${quote(dir)} && ${command}; echo __END__; sleep 60`;
  const started = tmux(['new-session', '-d', '-s', name, '-x', String(width), '-y', '50', script]);
  assert.equal(started.status, 0, started.stderr);
  tmux(['set-option', '-t', name, 'history-limit', '5000']);
  try {
    for (let i = 0; i < 300; i++) {
      const shown = tmux(['capture-pane', '-p', '-J', '-e', '-S', '-', '-t', name]).stdout;
      if (shown.includes('__END__')) return shown.slice(0, shown.indexOf('__END__'));
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`no __END__ from ${command}:\n${tmux(['capture-pane', '-p', '-t', name]).stdout}`);
  } finally {
    tmux(['kill-session', '-t', name]);
  }
}

const contexta = (args: string, noColor = false) => `${noColor ? 'NO_COLOR=1 ' : ''}${quote(process.execPath)} ${quote(BIN)} ${args}`;
const plain = (text: string) => text.replace(ANSI, '');
const longest = (text: string) => Math.max(...plain(text).split('\n').map((l) => [...l].length));

before(async () => {
  const version = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  assert.equal(version.status, 0, 'tmux is needed for this test: apt-get install -y tmux (.ci/run does)');
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-tty-')));
  dir = path.join(base, 'with space');
  fs.mkdirSync(dir);
  // A short socket path: unix sockets allow ~100 bytes.
  socketDir = fs.mkdtempSync(path.join('/tmp', 'ctx-tmux-'));
  socket = path.join(socketDir, 's');
  // One idle session keeps the server up: a server that exits with its last session
  // races the next new-session ("server exited unexpectedly").
  const keep = tmux(['new-session', '-d', '-s', 'keep', '-x', '80', '-y', '10', 'sleep 600']);
  assert.equal(keep.status, 0, keep.stderr);
  expectCode(run(['seed'], { cwd: dir }), 0);
  const env = { CONTEXTA_PROJECT: 'nightly-ml-pipeline', CONTEXTA_RUN: 'nightly-day1', CONTEXTA_STAGE: 'validate' };
  expectCode(run(['record', 'event', 'validate.long', 'x'.repeat(30) + ' a long message '.repeat(12), '--level', 'warning', '--at', '2025-03-18T02:30:00Z'], { cwd: dir, env }), 0);
  // 25 runs in all: a terminal shows the newest 20.
  const extra = Array.from({ length: 22 }, (_, i) => [['record', 'run', 'start', '--project', 'extra-project-with-a-long-name', '--run', `weekly-backfill-run-${String(i).padStart(2, '0')}`], { cwd: dir }] as [string[], { cwd: string }]);
  for (const r of await runMany(extra)) expectCode(r, 0);
});

after(() => {
  spawnSync('tmux', ['-S', socket, 'kill-server']);
  fs.rmSync(socketDir, { recursive: true, force: true });
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

describe('in tmux', () => {
  for (const width of [80, 120]) {
    for (const noColor of [false, true]) {
      it(`${width} columns${noColor ? ', NO_COLOR' : ''}: runs, snapshot, diagnose fit, colour only without NO_COLOR`, async () => {
        for (const args of ['runs', 'snapshot nightly-day1', 'diagnose nightly-day1', 'diagnose --all']) {
          const shown = await inTerminal(width, contexta(args, noColor));
          assert.ok(longest(shown) <= width, `${args}: a line of ${longest(shown)} > ${width} columns:\n${plain(shown)}`);
          assert.match(plain(shown), args === 'runs' ? /RUN/ : /nightly-day1/, `${args} printed:\n${plain(shown)}`);
          if (noColor) assert.doesNotMatch(shown, ANSI, `${args}: colour despite NO_COLOR`);
          else assert.match(shown, ANSI, `${args}: no colour on a terminal`);
        }
      });
    }
  }

  it('runs shows the newest 20 and says how many more; the legend is shown', async () => {
    const shown = plain(await inTerminal(80, contexta('runs', true)));
    assert.match(shown, /… 5 older runs not shown/);
    assert.match(shown, /✔ ok/);
    assert.equal(shown.split('\n').filter((l) => /weekly-backfill|nightly-day/.test(l)).length, 20);
  });

  it('exec keeps the child on the terminal (stdin, stdout and stderr are TTYs)', async () => {
    const shown = plain(await inTerminal(80, contexta(`exec --project p --run r --stage s -- sh -c '[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo TTY-OK'`)));
    assert.match(shown, /TTY-OK/);
  });
});
