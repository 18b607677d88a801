/**
 * Commander wiring only: names, flags, help. Each action loads its command
 * module on demand, so `contexta record metric` never pays for the renderers.
 */
import { Command, Option } from 'commander';
import type { CliContext, RawOptions } from '../commands/context';
import { EXAMPLES } from './help';

type Runner = (ctx: CliContext, raw: RawOptions) => number | Promise<number>;
type Loader = () => Promise<Runner>;

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
const VERSION = '0.1.0';

export interface Invocation {
  exitCode: number;
}

/** Build the program; `done.exitCode` is set by whichever action ran. */
export function buildProgram(ctx: CliContext, done: Invocation): Command {
  const program = new Command('contexta')
    .description('Record what each pipeline stage saw; diagnose "completed, but wrong" runs.')
    .version(VERSION, '-V, --version')
    .option('-w, --workspace <path>', 'workspace directory (default: nearest .contexta/)')
    .option('--no-color', 'never colour output (NO_COLOR is honoured too)')
    .addHelpText('after', EXAMPLES.program)
    .showSuggestionAfterError(true)
    // Set before any subcommand exists so every subcommand inherits them: usage errors are
    // thrown (not printed and exited) and reported once, in our format, by src/main.ts.
    .exitOverride()
    .configureOutput({ writeErr: (text) => ctx.stderr.write(text), outputError: () => undefined });

  const action =
    (load: Loader, positional: (args: unknown[]) => RawOptions = () => ({})) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const raw = { ...command.opts(), ...positional(args.slice(0, -2)) };
      const globals = command.optsWithGlobals() as { workspace?: string };
      ctx.workspace = globals.workspace;
      done.exitCode = await (await load())(ctx, raw);
    };

  program
    .command('init')
    .description('create the workspace (idempotent; never clobbers)')
    .option('--project <name>', 'also create this project')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', EXAMPLES.init)
    .action(action(async () => (await import('../commands/init')).init));

  program
    .command('seed')
    .description('write the case-study workspace (nightly-ml-pipeline, 3 silent failures)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', EXAMPLES.seed)
    .action(action(async () => (await import('../commands/seed')).seed));

  addRecordCommands(program, action);

  program
    .command('runs')
    .description('list runs with stage health and issue counts (newest first)')
    .option('--project <name>', 'only this project')
    .addOption(new Option('--status <status>', 'only runs with this status').choices(['open', 'completed', 'failed', 'cancelled']))
    .option('--since <iso>', 'only runs started at or after this time')
    .option('--until <iso>', 'only runs started at or before this time')
    .option('--limit <n>', 'at most N runs (the newest)')
    .option('--json', 'one JSON document: {"runs": [...]}')
    .option('--ndjson', 'one JSON object per run, per line')
    .addHelpText('after', EXAMPLES.runs)
    .action(action(async () => (await import('../commands/runs')).runs));

  program
    .command('snapshot')
    .description('one run: stages in order, metrics, events, degraded records')
    .argument('<run>', 'run:<project>.<run> or an unambiguous short name')
    .option('--project <name>', 'resolve a short run name in this project')
    .option('--json', 'one JSON document: {"run", "stages", "records"}')
    .addHelpText('after', EXAMPLES.snapshot)
    .action(action(async () => (await import('../commands/snapshot')).snapshot, ([run]) => ({ run })));

  program
    .command('diagnose')
    .description('flag problems per stage; exit 1 on an issue at or above --fail-on')
    .argument('[runs...]', 'runs to diagnose (default: all)')
    .option('--all', 'diagnose every run (the default when no run is named)')
    .option('--latest', 'only the newest run of each project (of --project): what just ran')
    .option('--last <n>', 'only the N newest runs of each project')
    .option('--since <time>', 'only runs started since a date (2026-03-18) or ISO timestamp')
    .option('--project <name>', 'only runs of this project')
    .option('--checks <file>', 'declared checks (default: $CONTEXTA_CHECKS, else the nearest contexta.yml)')
    .option('--quiet', 'print only runs with issues, and the summary')
    .addOption(new Option('--fail-on <severity>', 'exit 1 at or above this severity').choices(['error', 'warning', 'info', 'never']).default('error'))
    .option('--json', 'one JSON document: {"issues", "counts", "runs"}')
    .option('--ndjson', 'one JSON object per issue, per line')
    .addHelpText('after', EXAMPLES.diagnose)
    .action(action(async () => (await import('../commands/diagnose')).diagnose, ([runs]) => ({ runs })));

  program
    .command('rules')
    .description('list the diagnosis rules: code, severity policy, options and defaults')
    .option('--json', 'one JSON document: {"rules": [...]}')
    .addHelpText('after', EXAMPLES.rules)
    .action(action(async () => (await import('../commands/rules')).rules));

  program
    .command('baseline')
    .description('intended shifts: learn a baseline again from a given run on')
    .addHelpText('after', EXAMPLES.baseline)
    .command('reset')
    .description('make the current level the baseline (values before --from are no longer learned from)')
    .requiredOption('--project <name>', 'project')
    .option('--metric <stage.key>', 'stage.metric-key, stage.duration or stage.* (default: every series of the project)')
    .option('--from <run>', 'first run of the new level (default: the newest run)')
    .option('--reason <text>', 'why (kept with the reset)')
    .option('--json', 'print the reset as JSON')
    .addHelpText('after', EXAMPLES.baseline)
    .action(action(async () => (await import('../commands/baseline')).baselineReset));

  return program;
}

type ActionFactory = (load: Loader, positional?: (args: unknown[]) => RawOptions) => (...args: unknown[]) => Promise<void>;

function withTarget(command: Command): Command {
  return command
    .option('--project <name>', 'project (default: $CONTEXTA_PROJECT)')
    .option('--run <name>', 'run (default: $CONTEXTA_RUN)')
    .option('--stage <name>', 'stage (default: $CONTEXTA_STAGE)')
    .option('--at <iso>', 'when it happened (default: now)');
}

function addRecordCommands(program: Command, action: ActionFactory): void {
  const record = program
    .command('record')
    .description('append a fact to the workspace: run, stage, metric, event, degraded, span, import')
    .addHelpText('after', EXAMPLES.record);

  withTarget(record.command('run').description('start or end a run'))
    .argument('<action>', 'start | end')
    .option('--status <status>', 'end status: completed (default), failed, cancelled')
    .option('--description <text>', 'what this run is')
    .addHelpText('after', EXAMPLES['record run'])
    .action(action(async () => (await import('../commands/record-run')).recordRun, ([a]) => ({ action: a })));

  withTarget(record.command('stage').description('start or end a stage'))
    .argument('<action>', 'start | end')
    .option('--status <status>', 'end status: completed (default), failed, cancelled')
    .addHelpText('after', EXAMPLES['record stage'])
    .action(action(async () => (await import('../commands/record-stage')).recordStage, ([a]) => ({ action: a })));

  withTarget(record.command('metric').description('record a numeric metric'))
    .argument('<key>', 'metric key, e.g. train.loss')
    .argument('<value>', 'a finite number')
    .option('--unit <unit>', 'unit, e.g. rows, s')
    .option('--scope <scope>', 'run | stage | operation | step | slice (default: stage with --stage, else run)')
    .option('--value-type <type>', 'value type (default: integer or float)')
    .option('--tag <k=v>', 'tag (repeatable)', collect)
    .addHelpText('after', EXAMPLES['record metric'])
    .action(action(async () => (await import('../commands/record-metric')).recordMetric, ([key, value]) => ({ key, value })));

  withTarget(record.command('event').description('record an event'))
    .argument('<key>', 'event key, e.g. validate.schema_mismatch')
    .argument('<message>', 'what happened')
    .option('--level <level>', 'debug | info (default) | warning | error | critical')
    .option('--origin <marker>', 'origin marker (default: explicit_capture)')
    .option('--subject <ref>', 'what the event is about (a StableRef)')
    .option('--attr <k=v>', 'attribute (repeatable)', collect)
    .addHelpText('after', EXAMPLES['record event'])
    .action(action(async () => (await import('../commands/record-event')).recordEvent, ([key, message]) => ({ key, message })));

  withTarget(record.command('degraded').description('record a degraded record (evidence that survives exit code 0)'))
    .argument('<issue_key>', 'what went wrong, e.g. validate.empty_dataframe_passthrough')
    .option('--summary <text>', 'one sentence for people (required)')
    .option('--severity <severity>', 'warning (default) | error')
    .option('--category <category>', 'capture (default) | store | import | compatibility | verification | recovery')
    .option('--marker <marker>', 'partial_failure (default) | capture_gap | import_loss | compatibility_upgrade')
    .option('--completeness <marker>', 'complete | partial (default) | sampled | absent | unknown')
    .option('--origin <marker>', 'origin marker (default: explicit_capture)')
    .option('--subject <ref>', 'what is degraded (a StableRef)')
    .option('--attr <k=v>', 'attribute (repeatable)', collect)
    .addHelpText('after', EXAMPLES['record degraded'])
    .action(action(async () => (await import('../commands/record-degraded')).recordDegraded, ([issueKey]) => ({ issueKey })));

  withTarget(record.command('span').description('record a timed operation'))
    .argument('<name>', 'span name')
    .requiredOption('--start <iso>', 'when it started')
    .requiredOption('--end <iso>', 'when it ended')
    .option('--status <status>', 'ok (default) | error | cancelled | timeout')
    .option('--kind <kind>', 'operation (default) | internal | io | network | process')
    .option('--span-id <id>', 'span id (default: random)')
    .option('--trace-id <id>', 'trace id (default: $CONTEXTA_TRACE_ID or random)')
    .option('--parent <id>', 'parent span id')
    .option('--attr <k=v>', 'attribute (repeatable)', collect)
    .option('--link <ref>', 'linked ref (repeatable)', collect)
    .addHelpText('after', EXAMPLES['record span'])
    .action(action(async () => (await import('../commands/record-span')).recordSpan, ([name]) => ({ name })));

  record
    .command('import')
    .description('import canonical record lines (or Python RecordStore lines), all or nothing')
    .argument('[file]', 'NDJSON file, or - for standard input (default: -)')
    .option('--json', 'print {"imported", "runs"} as JSON')
    .addHelpText('after', EXAMPLES['record import'])
    .action(action(async () => (await import('../commands/record-import')).recordImport, ([file]) => ({ file })));
}
