/**
 * The `record` commands' wiring, and the program the start-up hot path runs: the root
 * command (root.ts) with only `record` under it. bin/contexta loads it (as
 * dist/record.cjs) for `contexta [globals] record run|stage|metric|event|degraded|span …`,
 * so each pipeline step skips building and loading the other commands.
 */
import type { Command } from 'commander';
import { EXAMPLES } from './help';
import { actionFactory, collect, rootProgram, type ActionFactory, type Loader, type ProgramBuilder } from './root';
import { acceptDashValues } from './value-arguments';

/** `contexta record …` alone: the same root and global options, the same record commands. */
export const buildRecordProgram: ProgramBuilder = (ctx, done) => {
  const program = rootProgram(ctx);
  addRecordCommands(program, actionFactory(ctx, done), importRunsInTheFullCli);
  return program;
};

const importRunsInTheFullCli: Loader = () => {
  throw new Error('`record import` runs in the full CLI (dist/contexta.cjs); bin/contexta sends it there');
};

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

/**
 * `loadImport` loads `record import`'s module: the full program's loader. The record-only
 * program defines the command the same way (help, parsing) but never runs it: bin/contexta
 * sends `record import` to the full CLI, so its reader and contract stay out of that bundle.
 */
export function addRecordCommands(program: Command, action: ActionFactory, loadImport: Loader): void {
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
    .action(action(loadImport, ([file]) => ({ file })));
}
