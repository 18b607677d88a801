/**
 * What every build of the CLI shares: the root command with its global options,
 * version and output wiring, and the action factory that loads a command module on
 * demand. The full program (program.ts) and the `record`-only program
 * (record-program.ts, the start-up hot path) both start from here, so a `record`
 * call parses, helps and fails the same way whichever bundle runs it.
 */
import { Command } from 'commander';
import type { CliContext, RawOptions } from '../commands/context';
import { EXAMPLES } from './help';
import { GLOBAL_OPTIONS } from './record-spec';

export type Runner = (ctx: CliContext, raw: RawOptions) => number | Promise<number>;
export type Loader = () => Promise<Runner>;
export type ActionFactory = (load: Loader, positional?: (args: unknown[]) => RawOptions) => (...args: unknown[]) => Promise<void>;

export const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
const VERSION = '0.1.0';

export interface Invocation {
  exitCode: number;
}

/** Builds the program; `done.exitCode` is set by whichever action ran. */
export type ProgramBuilder = (ctx: CliContext, done: Invocation) => Command;

/** The root command and its global options; no subcommands yet. */
export function rootProgram(ctx: CliContext): Command {
  const program = new Command('contexta')
    .description('Record what each pipeline stage saw; diagnose "completed, but wrong" runs.')
    .version(VERSION, '-V, --version');
  for (const option of GLOBAL_OPTIONS) program.option(option.flags, option.description);
  return (
    program
      .addHelpText('after', EXAMPLES.program)
      .showSuggestionAfterError(true)
      // Set before any subcommand exists so every subcommand inherits them: usage errors are
      // thrown (not printed and exited) and reported once, in our format, by src/cli/run.ts.
      // Help and --version go through ctx.stdout like every result.
      .exitOverride()
      .configureOutput({ writeOut: (text) => ctx.stdout.write(text), writeErr: (text) => ctx.stderr.write(text), outputError: () => undefined })
  );
}

/** `.action(...)` for a command whose module `load` imports on first use. */
export function actionFactory(ctx: CliContext, done: Invocation): ActionFactory {
  return (load, positional = () => ({})) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const raw = { ...command.opts(), ...positional(args.slice(0, -2)) };
      const globals = command.optsWithGlobals() as { workspace?: string };
      ctx.workspace = globals.workspace;
      done.exitCode = await (await load())(ctx, raw);
    };
}

/**
 * `contexta help record metric` shows the help of `record metric`: commander's help
 * command looks at its first word only, so a nested path becomes `record metric --help`.
 */
export function nestedHelp(argv: string[]): string[] {
  const [node, script, first, ...rest] = argv;
  if (first !== 'help' || rest.length < 2 || rest.some((a) => a.startsWith('-'))) return argv;
  return [node, script, ...rest, '--help'];
}
