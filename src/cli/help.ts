/** Example blocks shown at the end of each command's --help. */

/** The closed vocabularies of the record contract, one line of plain words each. */
const VALUES = {
  origin: `
--origin (how the fact was captured):
  explicit_capture  the stage itself recorded it (default)
  assisted_capture  a helper or hook recorded it on the stage's behalf
  wrapped_capture   a wrapper observed it from outside (contexta exec writes these)
  imported          copied in from another store or tool
  inferred          derived by reasoning over other records, not observed
  replayed          re-emitted from an earlier run's log`,
  level: `
--level: debug | info (default) | warning | error | critical
  warning, error and critical events become diagnose issues (warning, error, error)`,
  degraded: `
--severity: warning (default) | error   how diagnose reports it; error fails the gate
--category (where the degradation happened):
  capture        data the stage should have seen was missing or wrong (default)
  store          writing or keeping records failed
  import         records were lost or changed while importing
  compatibility  data had to be converted from another version or format
  verification   a check that should have run could not
  recovery       the stage recovered from a failure, possibly losing data
--marker (degradation marker on the envelope: what kind of loss):
  partial_failure        part of the work failed, the rest went on (default)
  capture_gap            a stretch of data was not captured at all
  import_loss            some records did not survive an import
  compatibility_upgrade  records were upgraded from an older format
--completeness (how much of what was observed the record covers):
  complete  all of it
  partial   only part of it (default for degraded records)
  sampled   a sample of it
  absent    none of it: the record says data is missing
  unknown   cannot tell`,
  metric: `
--scope (what the value aggregates over):
  run | stage | operation | step | slice   (default: stage with --stage, else run)
--value-type: free text naming the number's type, kept as given (the contract
  allows any); default "integer" for whole numbers, else "float"`,
  span: `
--status: ok (default) | error | cancelled | timeout
--kind (what the span timed):
  operation  a unit of the stage's own work (default)
  internal   a step inside contexta or a library
  io         disk or file access
  network    a call over the network
  process    a child process`,
};

export const EXAMPLES: Record<string, string> = {
  program: `
Examples:
  $ contexta init --project nightly-ml-pipeline
  $ export CONTEXTA_PROJECT=nightly-ml-pipeline CONTEXTA_RUN=nightly-day4
  $ CONTEXTA_STAGE=validate contexta record metric validate.rows-out 0 --unit rows
  $ contexta runs
  $ contexta diagnose --all --json | jq '.issues[] | select(.severity == "error")'

Workspace: --workspace PATH, else $CONTEXTA_WORKSPACE, else the nearest .contexta/
in this directory or a parent, else ./.contexta.
Environment: CONTEXTA_PROJECT, CONTEXTA_RUN, CONTEXTA_STAGE (record context),
CONTEXTA_CACHE=off / CONTEXTA_CACHE_DIR (read cache of runs and diagnose, kept
outside the workspace), NO_COLOR / FORCE_COLOR, CONTEXTA_DEBUG=1 (stack traces).
Exit codes: 0 ok, 1 diagnose found an issue at or above --fail-on, 2 usage or
invalid input (nothing written), 3 workspace or runtime error, 130 interrupted.`,
  init: `
Examples:
  $ contexta init
  $ contexta init --project nightly-ml-pipeline
  $ contexta --workspace /data/ci/.contexta init`,
  seed: `
Writes project nightly-ml-pipeline with runs nightly-day1..3 (2025-03-18..20), each
with a degraded record in its validate stage. Same bytes every time; refuses to
overwrite files that differ.

Examples:
  $ contexta seed && contexta runs && contexta diagnose --all`,
  migrate: `
Rewrites each records.ndjson and project/run/stage file in place (temp file + rename):
producer:x.y refs become x.y, "_" in metric and event keys becomes "-", timestamps with
an offset become UTC Z, tag values become text; every line is then stored exactly as
the Python library stores it. Lines it cannot rewrite without loss are kept and counted.
Marks the workspace format 2 (contexta 0.1.0 refuses format 2 rather than misread it).

Examples:
  $ contexta migrate --dry-run
  $ contexta migrate && contexta diagnose --all`,
  record: `
Context comes from --project/--run/--stage or CONTEXTA_PROJECT, CONTEXTA_RUN,
CONTEXTA_STAGE. Missing project/run/stage entries are created (status open) on
first use. Invalid input is refused whole: exit 2, nothing written.

Examples:
  $ contexta record run start --project p --run nightly-day4
  $ contexta record stage start --stage validate
  $ contexta record metric validate.rows-out 0 --unit rows
  $ contexta record degraded validate.empty_dataframe --severity error \\
      --summary "0 rows after schema migration" --attr row_count=0
  $ contexta record stage end --status completed
  $ contexta record import exported.ndjson`,
  'record run': `
Examples:
  $ contexta record run start --project p --run nightly-day4 --description "nightly"
  $ contexta record run end                       # status completed, now
  $ contexta record run end --status failed --at 2025-03-18T03:00:00Z`,
  'record stage': `
Examples:
  $ contexta record stage start --stage train
  $ contexta record stage end --stage train --status failed`,
  'record metric': `${VALUES.metric}

Examples:
  $ contexta record metric train.loss 2.31
  $ contexta record metric rows-out 0 --unit rows --scope stage --tag source=warehouse`,
  'record event': `${VALUES.level}
${VALUES.origin}

Examples:
  $ contexta record event validate.schema-mismatch "column label missing" --level warning
  $ contexta record event train.finished "done" --attr epochs=10 --attr early_stop=false`,
  'record degraded': `${VALUES.degraded}
${VALUES.origin}

A degraded record is a first-class marker that survives a zero exit code;
diagnose reports it with the severity given here.

Examples:
  $ contexta record degraded validate.empty_dataframe_passthrough --severity error \\
      --summary "Validate received 0 rows" --category capture --marker capture_gap \\
      --attr row_count=0 --attr expected_minimum_rows=10000`,
  'record span': `${VALUES.span}

Examples:
  $ contexta record span load-partition --start 2025-03-18T02:00:00Z \\
      --end 2025-03-18T02:04:00Z --kind io --status ok`,
  'record import': `
Reads canonical {"envelope", "payload"} lines, or the Python library's
{"sequence", "appended_at", "record"} lines. Every line is validated first: one
bad line and nothing is written (exit 2, with line numbers and fields).

Examples:
  $ contexta record import records.ndjson
  $ python export.py | contexta record import -`,
  exec: `
Records the stage start before the command runs, passes stdin/stdout (and stderr)
through untouched, forwards SIGINT/SIGTERM/SIGHUP, then records the end: completed
on exit 0, failed otherwise, cancelled on SIGINT/SIGTERM; on failure the last 10 KB
of stderr go into an error event (exec.exit). Exits with the command's own code
(128+n for signal n; 127 command not found). The command gets CONTEXTA_PROJECT,
CONTEXTA_RUN, CONTEXTA_STAGE and CONTEXTA_WORKSPACE, so its own
\`contexta record metric rows 0\` lands in this stage. Put -- before the command.

Examples:
  $ export CONTEXTA_PROJECT=nightly-ml-pipeline CONTEXTA_RUN=nightly-day4
  $ contexta exec --stage train -- python train.py --epochs 3
  $ contexta exec --run-level --run "$(date +%F)" -- ./pipeline.sh   # starts and ends the run`,
  completion: `
Examples:
  $ source <(contexta completion bash)                 # try it in this shell
  $ contexta completion bash > ~/.local/share/bash-completion/completions/contexta
  $ contexta completion zsh > "\${fpath[1]}/_contexta"
  $ contexta completion fish > ~/.config/fish/completions/contexta.fish`,
  runs: `
Examples:
  $ contexta runs
  $ contexta runs --project nightly-ml-pipeline --status completed --limit 10
  $ contexta runs --since 2025-03-19T00:00:00Z --json | jq '.runs[] | {name, issue_counts}'
  $ contexta runs --ndjson | jq -c 'select(.issue_counts.error > 0) | .run_ref'`,
  snapshot: `
Examples:
  $ contexta snapshot nightly-day1
  $ contexta snapshot run:nightly-ml-pipeline.nightly-day1 --json | jq '.stages[] | {stage_name, status}'`,
  diagnose: `
With no run named, every run is diagnosed (of --project when given).

Examples:
  $ contexta diagnose nightly-day1
  $ contexta diagnose --all                       # exit 1 if any error-severity issue
  $ contexta diagnose --all --fail-on warning
  $ contexta diagnose --latest --quiet            # CI: gate on the run that just ran
  $ contexta diagnose --since 2026-03-18 --project nightly
  $ contexta diagnose --all --json | jq '.issues[] | select(.severity == "error")'
  $ contexta diagnose --all --ndjson | jq -r '[.run_ref, .stage, .code] | @tsv'
  $ contexta diagnose --all --format junit > contexta-junit.xml   # GitLab, Jenkins
  $ contexta diagnose --all --format github   # annotations (+ step summary on Actions)
  $ contexta diagnose --all --format markdown --fail-on never   # for a chat message`,
  compare: `
Per stage: each run's status, each metric's two values with the difference (b - a) and
the relative difference ((b - a) / |a|), issues one run has and the other lacks, and
stages and metrics only one run has. Run-level metrics are named with a leading dot
(.key). A gated metric missing from one run counts as a regression.
Exit codes: 0 no regression, 1 a gated metric regressed, 2 usage, 3 workspace error.

Examples:
  $ contexta compare nightly-day1 nightly-day2
  $ contexta compare nightly-day1 nightly-day2 --json | jq '.stages[].metrics[]'
  $ contexta compare nightly-day1 nightly-day2 --fail-on-regression 2% \\
      --metric evaluate.eval.accuracy:higher --metric train.train.loss:lower`,
  trend: `
The metric is named by its key exactly as recorded (keys contain dots, so there is
no stage.key form); --stage picks the stage when several record the same key.
Each point shows the baseline learned from the runs before it (what diagnose
judged it against); flagged points are those diagnose raised an anomaly for.

Examples:
  $ contexta trend eval.accuracy
  $ contexta trend rows --stage validate --last 60
  $ contexta trend train --duration
  $ contexta trend train.loss --json | jq '.points[] | select(.flagged) | .run_ref'`,
  report: `
One HTML file with everything inline (no network when viewed): a run x stage
matrix coloured by health, sparklines with baseline bands, issues by severity.

Examples:
  $ contexta report -o report.html
  $ contexta report --project nightly-ml-pipeline --last 100 -o nightly.html`,
  export: `
Examples:
  $ contexta export openlineage --all > lineage.jsonl
  $ OPENLINEAGE_URL=http://marquez:5000 contexta export openlineage --all --to-transport`,
  'export openlineage': `
Events: a run is the parent job <project>, each stage the child job <project>.<stage>;
START at each start, COMPLETE/FAIL/ABORT at each end (docs/openlineage.md).
Transport: openlineage.yml ($OPENLINEAGE_CONFIG, ./, ~/.openlineage/), else
OPENLINEAGE_URL (+ OPENLINEAGE_ENDPOINT, OPENLINEAGE_API_KEY); OPENLINEAGE_NAMESPACE.

Examples:
  $ contexta export openlineage nightly-day1
  $ contexta export openlineage --since 2025-03-19T00:00:00Z -o lineage.jsonl
  $ contexta export openlineage --all --output-rows validate.validate.rows-out
  $ OPENLINEAGE_URL=http://marquez:5000 contexta export openlineage --all --to-transport`,
  emit: `
Undelivered events wait in .contexta/outbox/ and go out with the next event or
with --flush. Delivery problems are warnings (exit 0); --json says what is pending.

Examples:
  $ OPENLINEAGE_URL=http://marquez:5000 contexta record stage end --status failed --emit
  $ contexta emit --stage train
  $ contexta emit --flush --json`,
  rules: `
Examples:
  $ contexta rules                                # learned, declared, recorded and integrity rules
  $ contexta rules --json | jq -r '.rules[] | [.code, .severity] | @tsv'

Silence or re-grade a rule in contexta.yml: rules: { stage_without_metrics: off }`,
  baseline: `
An intended shift (the dataset doubled): from the given run on, learned rules learn
the series again and ignore earlier runs.

Examples:
  $ contexta baseline reset --project nightly                      # every series, from the newest run
  $ contexta baseline reset --project nightly --metric ingest.rows-out --from nightly-0318 --reason "EU data joined"`,
};
