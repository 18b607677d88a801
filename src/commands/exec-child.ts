/**
 * Running the wrapped command of `contexta exec`. This is the one command that must
 * touch the real process: the child shares our terminal, and signals sent to contexta
 * are passed on to it.
 *
 * Standard streams (docs/exec.md):
 * - stdin and stdout are inherited: the child reads and writes our descriptors directly,
 *   so its TTY detection and its output ordering are exactly what they would be alone.
 * - stderr is inherited too when it is a terminal (a person is watching and sees the
 *   error; the child keeps its colours and progress bars). Otherwise (CI logs, files,
 *   pipes: where the tail matters later) it is piped, each chunk written through at once
 *   and the last STDERR_TAIL_BYTES kept for the error event. Chunks are passed on as they
 *   arrive, so only the interleaving of stdout and stderr sharing one file can shift, by
 *   at most one pipe read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { isatty } from 'node:tty';
import { constants } from 'node:os';

export const STDERR_TAIL_BYTES = 10 * 1024;
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type Forwarded = (typeof FORWARDED)[number];

export interface ChildOutcome {
  /** The exit code contexta passes on: the child's, 128+n for signal n, 127/126 when it could not start. */
  exitCode: number;
  /** The child's own exit code, or null when a signal ended it. */
  code: number | null;
  signal: string | null;
  /** A signal contexta received and passed on (SIGINT, SIGTERM, SIGHUP). */
  received: Forwarded | null;
  durationMs: number;
  /** Whether stderr went through contexta (not a terminal). */
  stderrCaptured: boolean;
  stderrTail: string;
  stderrBytes: number;
  /** The child could not be started (command not found, not executable). */
  spawnError: string | null;
}

/** A ring of the last `limit` bytes written. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  total = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.total += chunk.length;
    while (this.size - this.chunks[0].length >= this.limit) this.size -= this.chunks.shift()!.length;
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    let start = Math.max(0, all.length - this.limit);
    // Do not begin inside a UTF-8 sequence (continuation bytes are 10xxxxxx).
    while (start < all.length && (all[start] & 0xc0) === 0x80) start++;
    return all.subarray(start).toString('utf8');
  }
}

export function runChild(argv: string[], env: NodeJS.ProcessEnv): Promise<ChildOutcome> {
  const captureStderr = !process.stderr.isTTY;
  const tail = new Tail(STDERR_TAIL_BYTES);
  const started = process.hrtime.bigint();
  const elapsed = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  let received: Forwarded | null = null;

  return new Promise((settle) => {
    let settled = false;
    const resolve = (outcome: ChildOutcome) => {
      if (!settled) settle(outcome);
      settled = true;
    };
    // Ctrl-C in a terminal already reaches the child (same foreground process group);
    // passing SIGINT on as well would deliver it twice and cut short the child's own
    // clean-up. So SIGINT is forwarded only when stdin is not a terminal (CI, `kill -INT`).
    // isatty, not process.stdin: creating the stdin stream takes milliseconds.
    const keyboardReachesChild = isatty(0);
    // Handlers go in before the child starts: a signal that arrives while it is being
    // spawned must reach it, not kill contexta and orphan the child.
    let child: ChildProcess | null = null;
    let early: Forwarded | null = null;
    const handlers = FORWARDED.map((sig) => {
      const handler = () => {
        received = sig;
        if (sig === 'SIGINT' && keyboardReachesChild) return;
        if (child) child.kill(sig);
        else early = sig;
      };
      process.on(sig, handler);
      return [sig, handler] as const;
    });
    child = spawn(argv[0], argv.slice(1), {
      env,
      stdio: ['inherit', 'inherit', captureStderr ? 'pipe' : 'inherit'],
    });
    if (early) child.kill(early);
    const cleanUp = () => handlers.forEach(([sig, handler]) => process.off(sig, handler));

    if (child.stderr) {
      child.stderr.on('data', (chunk: Buffer) => {
        process.stderr.write(chunk);
        tail.push(chunk);
      });
    }
    const base = () => ({
      received,
      durationMs: elapsed(),
      stderrCaptured: captureStderr,
      stderrTail: tail.text(),
      stderrBytes: tail.total,
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      cleanUp();
      // What a shell answers for a missing (127) or non-executable (126) command.
      const exitCode = err.code === 'ENOENT' ? 127 : 126;
      const reason = err.code === 'ENOENT' ? 'command not found' : err.code === 'EACCES' ? 'permission denied' : err.message;
      resolve({ ...base(), exitCode, code: null, signal: null, spawnError: `${argv[0]}: ${reason}` });
    });
    child.on('close', (code, signal) => {
      cleanUp();
      const signalNumber = signal ? (constants.signals as Record<string, number>)[signal] ?? 0 : 0;
      resolve({ ...base(), exitCode: code ?? 128 + signalNumber, code, signal, spawnError: null });
    });
  });
}
