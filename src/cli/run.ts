/**
 * Running the CLI, and the only place that turns errors into exit codes: every
 * ContextaError (and commander's usage errors) becomes its documented exit code here;
 * an unexpected error is exit 3 without a stack trace unless CONTEXTA_DEBUG is set.
 * Both entry points (src/main.ts: every command; src/record-main.ts: the `record`
 * hot path) run through `runCli`, with their own program.
 */
import type { CliContext, Output, RawOptions } from '../commands/context';
import { ContextaError, EXIT_CODES, ioError } from '../core/errors';
import type { Invocation, Loader, ProgramBuilder } from './root';

export interface CliDefinition {
  /** The commander program; loaded only when needed (the record hot path mostly runs without it). */
  program: () => Promise<{ build: ProgramBuilder; nestedHelp(argv: string[]): string[] }>;
  /** A call read without commander, exactly as commander would read it; null to let commander parse. */
  quick?: (args: string[]) => { load: Loader; raw: RawOptions; workspace?: string } | null;
}

/**
 * Commander's own errors (usage, help shown, version shown: CommanderError, codes
 * `commander.*`), told apart without loading commander, which the quick path never does.
 */
const isCommanderError = (err: unknown): err is Error & { code: string; exitCode: number } => {
  const { code, exitCode } = (err ?? {}) as { code?: unknown; exitCode?: unknown };
  return err instanceof Error && typeof code === 'string' && code.startsWith('commander.') && typeof exitCode === 'number';
};

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
  const { renderError } = await import('../render/error');
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

/**
 * The context commands run in. What needs a stream (terminal checks, colour) is a getter:
 * creating process.stdout/stderr loads Node's stream modules (and `net` for a pipe), a few
 * ms of every `record` call that only writes one line, or nothing, there.
 */
function cliContext(argv: string[], stdout: Output): CliContext {
  return {
    cwd: currentDir(),
    env: process.env,
    stdout,
    stderr: { write: (text: string) => process.stderr.write(text) },
    stdinFd: 0,
    get stdinIsTTY() {
      return Boolean(process.stdin.isTTY);
    },
    get color() {
      return colorWanted(process.stdout, argv, process.env);
    },
    get colorStderr() {
      return colorWanted(process.stderr, argv, process.env);
    },
    get stdoutIsTTY() {
      return Boolean(process.stdout.isTTY);
    },
    get columns() {
      return process.stdout.isTTY ? process.stdout.columns || undefined : undefined;
    },
    now: () => new Date(),
  };
}

/** Parse `argv` and run the command; resolves to the exit code. */
export async function runCli(argv: string[], cli: CliDefinition, stdout: Output): Promise<number> {
  const json = argv.includes('--json') || argv.includes('--ndjson') || asksJsonFormat(argv);
  const ctx = cliContext(argv, stdout);
  try {
    const quick = cli.quick?.(argv.slice(2));
    if (quick) {
      ctx.workspace = quick.workspace;
      return await (await quick.load())(ctx, quick.raw);
    }
    const { build, nestedHelp } = await cli.program();
    const done: Invocation = { exitCode: EXIT_CODES.ok };
    const program = build(ctx, done);
    if (argv.length <= 2) {
      ctx.stderr.write(program.helpInformation());
      return EXIT_CODES.usage;
    }
    await program.parseAsync(nestedHelp(argv));
    return done.exitCode;
  } catch (err) {
    if (isCommanderError(err)) {
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

/** Run, then leave the exit code for Node to use when the event loop is done. */
export function startCli(cli: CliDefinition, stdout: Output): void {
  runCli(process.argv, cli, stdout).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`contexta: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT_CODES.workspace;
    },
  );
}
