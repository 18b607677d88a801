/**
 * The entry point, and the only place that touches `process` for exit codes:
 * every ContextaError (and commander's usage errors) becomes its documented
 * exit code here; an unexpected error is exit 3 without a stack trace unless
 * CONTEXTA_DEBUG is set.
 */
import { CommanderError } from 'commander';
import { buildProgram, nestedHelp, type Invocation } from './cli/program';
import type { CliContext } from './commands/context';
import { ContextaError, EXIT_CODES, ioError } from './core/errors';

function colorWanted(stream: NodeJS.WriteStream, argv: string[], env: NodeJS.ProcessEnv): boolean {
  if (argv.includes('--no-color') || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

function toContextaError(err: unknown): ContextaError {
  if (err instanceof ContextaError) return err;
  const errno = err as NodeJS.ErrnoException;
  if (errno && typeof errno.code === 'string' && typeof errno.syscall === 'string') {
    return ioError(errno.syscall, errno.path ?? '', err);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ContextaError('io', `unexpected error: ${message} (set CONTEXTA_DEBUG=1 for a stack trace)`);
}

async function reportError(ctx: CliContext, err: ContextaError, json: boolean): Promise<void> {
  if (json) {
    ctx.stderr.write(`${JSON.stringify({ error: { code: err.code, message: err.message, details: err.details } })}\n`);
    return;
  }
  const { renderError } = await import('./render/error');
  ctx.stderr.write(renderError({ code: err.code, message: err.message, details: err.details }, { color: ctx.colorStderr }));
}

/** `--format json` / `--format=ndjson` want JSON errors too. */
const JSON_FORMATS = ['json', 'ndjson'];
const asksJsonFormat = (argv: string[]): boolean =>
  argv.some((a, i) => JSON_FORMATS.includes(a.startsWith('--format=') ? a.slice(9) : a === '--format' ? (argv[i + 1] ?? '') : ''));

/** process.cwd() throws when the directory was deleted or its path is too long; an absolute -w still works. */
function currentDir(): string {
  try {
    return process.cwd();
  } catch {
    return process.env.PWD && process.env.PWD.startsWith('/') ? process.env.PWD : '/';
  }
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json') || argv.includes('--ndjson') || asksJsonFormat(argv);
  const ctx: CliContext = {
    cwd: currentDir(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdinFd: 0,
    // A getter: creating the stdin stream loads stream modules, a few ms of every `record` that never reads stdin.
    get stdinIsTTY() {
      return Boolean(process.stdin.isTTY);
    },
    color: colorWanted(process.stdout, argv, process.env),
    colorStderr: colorWanted(process.stderr, argv, process.env),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    columns: process.stdout.isTTY ? process.stdout.columns || undefined : undefined,
    now: () => new Date(),
  };
  const done: Invocation = { exitCode: EXIT_CODES.ok };
  const program = buildProgram(ctx, done);
  try {
    if (argv.length <= 2) {
      process.stderr.write(program.helpInformation());
      return EXIT_CODES.usage;
    }
    await program.parseAsync(nestedHelp(argv));
    return done.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_CODES.ok;
      // Help shown because a subcommand was missing (`contexta record`, exitCode 1): a usage error.
      // Asked for with the help command (`contexta help runs`, exitCode 0): success.
      if (err.code === 'commander.help') return err.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
      const message = err.message.replace(/^error: /, '');
      // `contexta exec --stage s ls -la`: the command's own options need -- in front of it.
      const execHint = err.code === 'commander.unknownOption' && argv.slice(2).includes('exec') && !argv.includes('--') ? '; put -- before the command: contexta exec --stage S -- CMD ARGS' : '';
      await reportError(ctx, new ContextaError('usage', `${message}${execHint} (see --help)`), json);
      return EXIT_CODES.usage;
    }
    const error = toContextaError(err);
    if (process.env.CONTEXTA_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    await reportError(ctx, error, json);
    return error.exitCode;
  }
}

// Ctrl-C keeps the default disposition on purpose: the kernel ends the process at once,
// even inside a blocking read of stdin, and the shell reports 130. A JS handler would only
// run between event-loop turns, i.e. after a synchronous import had already been written.
// Each append is one write(2) of whole lines, so a signal never leaves half a line.
// A closed pipe (`contexta runs | head`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`contexta: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT_CODES.workspace;
  },
);
