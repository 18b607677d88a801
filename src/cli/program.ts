/**
 * Commander wiring only: names, flags, help. Each action loads its command
 * module on demand, so `contexta record metric` never pays for the renderers.
 * The root command and the `record` commands are shared with the record-only
 * program of the start-up hot path (root.ts, record-program.ts).
 */
import { Option, type Command } from 'commander';
import { EXAMPLES } from './help';
import { addRecordCommands } from './record-program';
import { actionFactory, collect, rootProgram, type ActionFactory, type ProgramBuilder } from './root';

/** Every command. */
export const buildProgram: ProgramBuilder = (ctx, done) => {
  const program = rootProgram(ctx);
  const action = actionFactory(ctx, done);

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

  addRecordCommands(program, action, async () => (await import('../commands/record-import')).recordImport);

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
};

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
