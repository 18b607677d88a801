/** Example blocks shown at the end of each command's --help. */
export const EXAMPLES: Record<string, string> = {
  program: `
Examples:
  $ contexta init --project nightly-ml-pipeline
  $ export CONTEXTA_PROJECT=nightly-ml-pipeline CONTEXTA_RUN=nightly-day4
  $ CONTEXTA_STAGE=validate contexta record metric validate.rows_out 0 --unit rows
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
  record: `
Context comes from --project/--run/--stage or CONTEXTA_PROJECT, CONTEXTA_RUN,
CONTEXTA_STAGE. Missing project/run/stage entries are created (status open) on
first use. Invalid input is refused whole: exit 2, nothing written.

Examples:
  $ contexta record run start --project p --run nightly-day4
  $ contexta record stage start --stage validate
  $ contexta record metric validate.rows_out 0 --unit rows
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
  'record metric': `
Examples:
  $ contexta record metric train.loss 2.31
  $ contexta record metric rows_out 0 --unit rows --scope stage --tag source=warehouse`,
  'record event': `
Examples:
  $ contexta record event validate.schema_mismatch "column label missing" --level warning
  $ contexta record event train.finished "done" --attr epochs=10 --attr early_stop=false`,
  'record degraded': `
A degraded record is a first-class marker that survives a zero exit code;
diagnose reports it with the severity given here.

Examples:
  $ contexta record degraded validate.empty_dataframe_passthrough --severity error \\
      --summary "Validate received 0 rows" --category capture --marker capture_gap \\
      --attr row_count=0 --attr expected_minimum_rows=10000`,
  'record span': `
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
  $ contexta diagnose --all --ndjson | jq -r '[.run_ref, .stage, .code] | @tsv'`,
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
