/**
 * The `record` commands as data: names, arguments, options, and the module each runs.
 * One source for both parsers of a record call: commander (record-program.ts), which
 * also gives help and usage errors, and the quick parser of the start-up hot path
 * (record-quick.ts), which takes only what it certainly parses as commander would.
 * No commander here: the hot path must not load it.
 */
import type { RawOptions } from '../commands/context';
import type { Loader } from './root';

export interface OptionSpec {
  /** Commander's flags: `--unit <unit>`, `-w, --workspace <path>`, `--emit`. */
  flags: string;
  description: string;
  /** Given more than once, the values collect into a list. */
  repeatable?: boolean;
  /** Commander refuses the command without it. */
  required?: boolean;
}

export type RecordCommandName = 'run' | 'stage' | 'metric' | 'event' | 'degraded' | 'span';

export interface RecordCommandSpec {
  name: RecordCommandName;
  description: string;
  /** Required arguments, in order. */
  args: { name: string; description: string }[];
  options: OptionSpec[];
  /** `-0.5`, `-nan`: an argument, not an option (value-arguments.ts). */
  dashValues?: boolean;
  load: Loader;
  /** The arguments as raw options, e.g. `[key, value]` → `{ key, value }`. */
  positional: (args: unknown[]) => RawOptions;
}

/** The root command's options (root.ts); commander takes them anywhere on the line. */
export const GLOBAL_OPTIONS: OptionSpec[] = [
  { flags: '-w, --workspace <path>', description: 'workspace directory (default: nearest .contexta/)' },
  { flags: '--no-color', description: 'never colour output (NO_COLOR is honoured too)' },
];

/** --project/--run[/--stage]/--at; `record run` has no stage to name. */
const target = (stage: boolean): OptionSpec[] => [
  { flags: '--project <name>', description: 'project (default: $CONTEXTA_PROJECT)' },
  { flags: '--run <name>', description: 'run (default: $CONTEXTA_RUN)' },
  ...(stage ? [{ flags: '--stage <name>', description: 'stage (default: $CONTEXTA_STAGE)' }] : []),
  { flags: '--at <iso>', description: 'when it happened (default: now; an offset is stored as the same instant in UTC)' },
];

/** Commands that write a record say who produced it. */
const producer: OptionSpec = { flags: '--producer <token>', description: 'producer_ref, a lowercase dot token (default: $CONTEXTA_PRODUCER or contexta.cli)' };
const emit: OptionSpec = { flags: '--emit', description: 'also send the OpenLineage event (on when OPENLINEAGE_URL is set)' };
const endStatus: OptionSpec = { flags: '--status <status>', description: 'end status: completed (default), failed, cancelled' };
const lifecycleAction = [{ name: 'action', description: 'start | end' }];
/** What events and degraded records both carry besides their own fields. */
const evidence = (what: string): OptionSpec[] => [
  { flags: '--origin <marker>', description: 'origin marker (default: explicit_capture)' },
  { flags: '--subject <ref>', description: `${what} (a StableRef)` },
  { flags: '--attr <k=v>', description: 'attribute (repeatable)', repeatable: true },
];

export const RECORD_COMMANDS: RecordCommandSpec[] = [
  {
    name: 'run',
    description: 'start or end a run (starting an ended run starts a new attempt)',
    args: lifecycleAction,
    options: [...target(false), endStatus, { flags: '--description <text>', description: 'what this run is' }, emit],
    load: async () => (await import('../commands/record-run')).recordRun,
    positional: ([action]) => ({ action }),
  },
  {
    name: 'stage',
    description: 'start or end a stage',
    args: lifecycleAction,
    options: [...target(true), endStatus, emit],
    load: async () => (await import('../commands/record-stage')).recordStage,
    positional: ([action]) => ({ action }),
  },
  {
    name: 'metric',
    description: 'record a numeric metric',
    args: [
      { name: 'key', description: 'metric key, e.g. train.loss' },
      { name: 'value', description: 'a finite decimal number, e.g. 42, -1, 0.5, 1.5e3 (stored exactly, or refused)' },
    ],
    options: [
      ...target(true),
      producer,
      { flags: '--unit <unit>', description: 'unit, e.g. rows, s' },
      { flags: '--scope <scope>', description: 'run | stage | operation | step | slice (default: stage with --stage, else run)' },
      { flags: '--value-type <type>', description: 'value type (default: integer or float)' },
      { flags: '--tag <k=v>', description: 'tag (repeatable)', repeatable: true },
    ],
    dashValues: true,
    load: async () => (await import('../commands/record-metric')).recordMetric,
    positional: ([key, value]) => ({ key, value }),
  },
  {
    name: 'event',
    description: 'record an event',
    args: [
      { name: 'key', description: 'event key, e.g. validate.schema-mismatch' },
      { name: 'message', description: 'what happened' },
    ],
    options: [
      ...target(true),
      producer,
      { flags: '--level <level>', description: 'debug | info (default) | warning | error | critical' },
      ...evidence('what the event is about'),
    ],
    load: async () => (await import('../commands/record-event')).recordEvent,
    positional: ([key, message]) => ({ key, message }),
  },
  {
    name: 'degraded',
    description: 'record a degraded record (evidence that survives exit code 0)',
    args: [{ name: 'issue_key', description: 'what went wrong, e.g. validate.empty_dataframe_passthrough' }],
    options: [
      ...target(true),
      producer,
      { flags: '--summary <text>', description: 'one sentence for people (required)' },
      { flags: '--severity <severity>', description: 'warning (default) | error' },
      { flags: '--category <category>', description: 'capture (default) | store | import | compatibility | verification | recovery' },
      { flags: '--marker <marker>', description: 'partial_failure (default) | capture_gap | import_loss | compatibility_upgrade' },
      { flags: '--completeness <marker>', description: 'complete | partial (default) | sampled | absent | unknown' },
      ...evidence('what is degraded'),
    ],
    load: async () => (await import('../commands/record-degraded')).recordDegraded,
    positional: ([issueKey]) => ({ issueKey }),
  },
  {
    name: 'span',
    description: 'record a timed operation',
    args: [{ name: 'name', description: 'span name' }],
    options: [
      ...target(true),
      producer,
      { flags: '--start <iso>', description: 'when it started', required: true },
      { flags: '--end <iso>', description: 'when it ended', required: true },
      { flags: '--status <status>', description: 'ok (default) | error | cancelled | timeout' },
      { flags: '--kind <kind>', description: 'operation (default) | internal | io | network | process' },
      { flags: '--span-id <id>', description: 'span id (default: random)' },
      { flags: '--trace-id <id>', description: 'trace id (default: $CONTEXTA_TRACE_ID or random)' },
      { flags: '--parent <id>', description: 'parent span id' },
      { flags: '--attr <k=v>', description: 'attribute (repeatable)', repeatable: true },
      { flags: '--link <ref>', description: 'linked ref (repeatable)', repeatable: true },
    ],
    load: async () => (await import('../commands/record-span')).recordSpan,
    positional: ([name]) => ({ name }),
  },
];
