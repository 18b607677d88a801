/**
 * Commander wiring only: names, flags, help. Each action loads its command
 * module on demand, so `contexta record metric` never pays for the renderers.
 */
import { Command, Option } from 'commander';
import type { CliContext, RawOptions } from '../commands/context';
import { EXAMPLES } from './help';
import { acceptDashValues } from './value-arguments';

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
    .command('migrate')
    .description('rewrite lines and documents contexta 0.1.0 wrote into the record contract shared with the Python library')
    .option('--dry-run', 'list what would change; change nothing')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', EXAMPLES.migrate)
    .action(action(async () => (await import('../commands/migrate')).migrate));

  program
    .command('exec')
    .description('run one pipeline stage (or, with --run-level, a whole pipeline) and record how it went')
    .argument('<command...>', 'the command to run, after -- (its own options pass through untouched)')
    .option('--stage <name>', 'stage (default: $CONTEXTA_STAGE); required unless --run-level')
    .option('--run <name>', 'run (default: $CONTEXTA_RUN); started on first use')
    .option('--project <name>', 'project (default: $CONTEXTA_PROJECT)')
    .option('--run-level', 'wrap the whole pipeline: start the run, run the script, end the run with its outcome')
    .option('--emit', 'send OpenLineage START and terminal events (also on when OPENLINEAGE_URL is set; docs/openlineage.md)')
    .addHelpText('after', EXAMPLES.exec)
    .action(action(async () => (await import('../commands/exec')).exec, ([command]) => ({ command })));

  program
    .command('runs')
    .description('list runs with stage health and issue counts (newest first)')
    .option('--project <name>', 'only this project')
    .addOption(new Option('--status <status>', 'only runs with this status').choices(['open', 'completed', 'failed', 'cancelled']))
    .option('--since <when>', 'only runs started at or after this time (ISO timestamp, or a UTC day: 2025-04-07)')
    .option('--until <when>', 'only runs started at or before this time (a day: through its end)')
    .option('--limit <n>', 'at most N runs, the newest (on a terminal: 20 unless given)')
    .option('--all-attempts', 'every attempt of every run, not only the latest')
    .option('--json', 'one JSON document: {"runs": [...]}')
    .option('--ndjson', 'one JSON object per run, per line')
    .addHelpText('after', EXAMPLES.runs)
    .action(action(async () => (await import('../commands/runs')).runs));

  program
    .command('snapshot')
    .description('one run: stages in order, metrics, events, degraded records')
    .argument('<run>', 'run:<project>.<run> or an unambiguous short name')
    .option('--project <name>', 'resolve a short run name in this project')
    .option('--attempt <n>', 'this attempt of the run (default: the latest)')
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
    .option('--attempt <n>', 'this attempt of the one run named (default: the latest)')
    .option('--verbose', 'list every evidence ref in full (default: the first record id and a count)')
    .option('--json', 'one JSON document: {"issues", "counts", "runs"}')
    .option('--ndjson', 'one JSON object per issue, per line')
    .addOption(new Option('--format <format>', 'output format (json = --json, ndjson = --ndjson)').choices(['text', 'json', 'ndjson', 'junit', 'github', 'markdown']))
    .option('--summary [file]', 'also append a Markdown summary to FILE (default: $GITHUB_STEP_SUMMARY)')
    .addHelpText('after', EXAMPLES.diagnose)
    .action(action(async () => (await import('../commands/diagnose')).diagnose, ([runs]) => ({ runs })));

  program
    .command('compare')
    .description('compare two runs stage by stage; exit 1 when a gated metric regressed')
    .argument('<run-a>', 'the reference run (e.g. last night): run:<project>.<run> or a short name')
    .argument('<run-b>', 'the run under test (e.g. tonight)')
    .option('--project <name>', 'resolve short run names in this project')
    .option('--metric <stage.key:direction>', 'gate this metric: higher or lower is better (repeatable), e.g. evaluate.eval.accuracy:higher', collect)
    .option('--fail-on-regression <pct>', 'exit 1 when a --metric got worse by more than this, e.g. 2%')
    .option('--json', 'one JSON document: {"run_a", "run_b", "stages", "gate"}')
    .addHelpText('after', EXAMPLES.compare)
    .action(action(async () => (await import('../commands/compare')).compare, ([runA, runB]) => ({ runA, runB })));

  program
    .command('trend')
    .description("one metric (or a stage's duration) over runs, with its learned baseline and flagged runs")
    .argument('[metric]', 'metric key as recorded, e.g. train.loss (with --duration: a stage name)')
    .option('--stage <name>', 'the stage that records the metric (needed when several do)')
    .option('--project <name>', 'project (default: the only one)')
    .option('--last <n>', 'show the newest N runs (default 30; baselines still use all history)')
    .option('--duration', "the stage's duration instead of a metric")
    .option('--checks <file>', 'contexta.yml whose anomaly settings diagnose applies (default: $CONTEXTA_CHECKS, else the nearest contexta.yml)')
    .option('--json', 'one JSON document: {"series", "points", "baseline"}')
    .addHelpText('after', EXAMPLES.trend)
    .action(action(async () => (await import('../commands/trend')).trend, ([metric]) => ({ metric })));

  program
    .command('report')
    .description('write one self-contained HTML report: run x stage health, metric sparklines, issues')
    .requiredOption('-o, --output <file>', 'where to write the HTML file (- for standard output)')
    .option('--project <name>', 'only this project (default: every project)')
    .option('--last <n>', 'the newest N runs of each project (default: all; baselines still use all history)')
    .option('--checks <file>', 'contexta.yml, as diagnose reads it (default: $CONTEXTA_CHECKS, else the nearest contexta.yml)')
    .option('--json', 'print {"output", "bytes", "runs", "issues"} as JSON')
    .addHelpText('after', EXAMPLES.report)
    .action(action(async () => (await import('../commands/report')).report));

  program
    .command('completion')
    .description('print a shell completion script: bash, zsh or fish')
    .argument('<shell>', 'bash | zsh | fish')
    .addHelpText('after', EXAMPLES.completion)
    .action(action(async () => (await import('../commands/completion')).completion, ([shell]) => ({ shell })));


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

  addLineageCommands(program, action);

  return program;
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

function addLineageCommands(program: Command, action: ActionFactory): void {
  const rows = (c: Command) =>
    c
      .option('--output-rows <stage.metric>', 'metric holding the rows a stage wrote: outputStatistics (repeatable)', collect)
      .option('--input-rows <stage.metric>', 'metric holding the rows a stage read: inputStatistics (repeatable)', collect)
      .option('--budget <seconds>', 'give up sending after this long; the rest stays in the outbox (default: 300)');
  const exporter = program
    .command('export')
    .description('export runs for other tools: openlineage')
    .addHelpText('after', EXAMPLES.export);
  rows(
    exporter
      .command('openlineage')
      .description('runs as OpenLineage RunEvents, one JSON object per line')
      .argument('[runs...]', 'runs to export (default: all)')
      .option('--all', 'every run (the default when no run is named)')
      .option('--since <iso>', 'only runs started at or after this time')
      .option('--project <name>', 'only runs of this project')
      .option('-o, --output <file>', 'write the JSONL here instead of stdout')
      .option('--to-transport', 'send to the configured OpenLineage transport (backfill)'),
  )
    .addHelpText('after', EXAMPLES['export openlineage'])
    .action(action(async () => (await import('../commands/export')).exportRuns, ([runs]) => ({ format: 'openlineage', runs })));

  rows(
    program
      .command('emit')
      .description('send OpenLineage events now: the current run or stage, then the outbox')
      .option('--flush', 'only send what the outbox holds (also the default when no run is given)')
      .option('--project <name>', 'project (default: $CONTEXTA_PROJECT)')
      .option('--run <name>', 'run (default: $CONTEXTA_RUN)')
      .option('--stage <name>', 'stage (default: $CONTEXTA_STAGE; none: the run itself)')
      .option('--json', 'print {"sent", "pending", "dead", ...} as JSON'),
  )
    .addHelpText('after', EXAMPLES.emit)
    .action(action(async () => (await import('../commands/emit')).emit));
}

type ActionFactory = (load: Loader, positional?: (args: unknown[]) => RawOptions) => (...args: unknown[]) => Promise<void>;

/** --project/--run[/--stage]/--at; `record run` has no stage to name. */
function withTarget(command: Command, stage = true): Command {
  command
    .option('--project <name>', 'project (default: $CONTEXTA_PROJECT)')
    .option('--run <name>', 'run (default: $CONTEXTA_RUN)');
  if (stage) command.option('--stage <name>', 'stage (default: $CONTEXTA_STAGE)');
  return command.option('--at <iso>', 'when it happened (default: now; an offset is stored as the same instant in UTC)');
}

/** Commands that write a record say who produced it. */
function withProducer(command: Command): Command {
  return command.option('--producer <token>', 'producer_ref, a lowercase dot token (default: $CONTEXTA_PRODUCER or contexta.cli)');
}

function addRecordCommands(program: Command, action: ActionFactory): void {
  const record = program
    .command('record')
    .description('append a fact to the workspace: run, stage, metric, event, degraded, span, import')
    .addHelpText('after', EXAMPLES.record);

  withTarget(record.command('run').description('start or end a run (starting an ended run starts a new attempt)'), false)
    .argument('<action>', 'start | end')
    .option('--status <status>', 'end status: completed (default), failed, cancelled')
    .option('--description <text>', 'what this run is')
    .option('--emit', 'also send the OpenLineage event (on when OPENLINEAGE_URL is set)')
    .addHelpText('after', EXAMPLES['record run'])
    .action(action(async () => (await import('../commands/record-run')).recordRun, ([a]) => ({ action: a })));

  withTarget(record.command('stage').description('start or end a stage'))
    .argument('<action>', 'start | end')
    .option('--status <status>', 'end status: completed (default), failed, cancelled')
    .option('--emit', 'also send the OpenLineage event (on when OPENLINEAGE_URL is set)')
    .addHelpText('after', EXAMPLES['record stage'])
    .action(action(async () => (await import('../commands/record-stage')).recordStage, ([a]) => ({ action: a })));

  acceptDashValues(withProducer(withTarget(record.command('metric').description('record a numeric metric'))))
    .argument('<key>', 'metric key, e.g. train.loss')
    .argument('<value>', 'a finite decimal number, e.g. 42, -1, 0.5, 1.5e3 (stored exactly, or refused)')
    .option('--unit <unit>', 'unit, e.g. rows, s')
    .option('--scope <scope>', 'run | stage | operation | step | slice (default: stage with --stage, else run)')
    .option('--value-type <type>', 'value type (default: integer or float)')
    .option('--tag <k=v>', 'tag (repeatable)', collect)
    .addHelpText('after', EXAMPLES['record metric'])
    .action(action(async () => (await import('../commands/record-metric')).recordMetric, ([key, value]) => ({ key, value })));

  withProducer(withTarget(record.command('event').description('record an event')))
    .argument('<key>', 'event key, e.g. validate.schema-mismatch')
    .argument('<message>', 'what happened')
    .option('--level <level>', 'debug | info (default) | warning | error | critical')
    .option('--origin <marker>', 'origin marker (default: explicit_capture)')
    .option('--subject <ref>', 'what the event is about (a StableRef)')
    .option('--attr <k=v>', 'attribute (repeatable)', collect)
    .addHelpText('after', EXAMPLES['record event'])
    .action(action(async () => (await import('../commands/record-event')).recordEvent, ([key, message]) => ({ key, message })));

  withProducer(withTarget(record.command('degraded').description('record a degraded record (evidence that survives exit code 0)')))
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

  withProducer(withTarget(record.command('span').description('record a timed operation')))
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
    .description('import canonical record lines (or Python RecordStore lines): every line is checked first (one bad line: nothing written); records already in the log are skipped; an import killed while writing is flagged by diagnose until run again')
    .argument('[file]', 'NDJSON file, or - for standard input (default: -)')
    .option('--json', 'print {"imported", "already_present", "runs"} as JSON')
    .addHelpText('after', EXAMPLES['record import'])
    .action(action(async () => (await import('../commands/record-import')).recordImport, ([file]) => ({ file })));
}
