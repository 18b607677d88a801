/**
 * Renderers are pure functions of hand-built reports: these tests pin the contract that
 * matters to users (no ANSI without colour, the bad stage is visible, durations read well).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Issue, SeverityCounts } from '../../src/core/model';
import type { DiagnoseReport, RunsReport, SnapshotReport } from '../../src/core/reading/reports';
import type { CanonicalRecord } from '../../src/schema/records';
import { renderDiagnose } from '../../src/render/diagnose';
import { renderError } from '../../src/render/error';
import { healthStrip } from '../../src/render/health';
import { renderRuns } from '../../src/render/runs';
import { renderSnapshot } from '../../src/render/snapshot';
import { formatCounts, formatDuration } from '../../src/render/style';

const ANSI = /\x1b\[/;
const RUN = 'run:nightly-ml-pipeline.nightly-day1';
const zero = (): SeverityCounts => ({ error: 0, warning: 0, info: 0 });
const SUMMARY = 'Validate stage received 0 rows after schema migration.';
const STAGES = ['ingest', 'preprocess', 'validate', 'train', 'evaluate'];

const envelope = (n: number, type: CanonicalRecord['envelope']['record_type'], stage: string) => ({
  record_ref: `record:nightly-ml-pipeline.nightly-day1.r${n}`,
  record_type: type,
  recorded_at: '2025-03-18T02:10:00Z',
  observed_at: '2025-03-18T02:10:00Z',
  producer_ref: 'contexta.cli',
  run_ref: RUN,
  stage_execution_ref: `stage:nightly-ml-pipeline.nightly-day1.${stage}`,
  correlation_refs: {},
  completeness_marker: type === 'degraded' ? ('partial' as const) : ('complete' as const),
  degradation_marker: type === 'degraded' ? ('capture_gap' as const) : ('none' as const),
  schema_version: '1.0.0' as const,
  extensions: [],
});

const records: CanonicalRecord[] = [
  {
    envelope: envelope(1, 'metric', 'train'),
    payload: { metric_key: 'train.loss', value: 2.31, value_type: 'float64', aggregation_scope: 'stage', tags: {} },
  },
  {
    envelope: envelope(2, 'event', 'evaluate'),
    payload: { event_key: 'eval.low', level: 'warning', message: 'accuracy far below baseline', attributes: {}, origin_marker: 'explicit_capture' },
  },
  {
    envelope: envelope(3, 'degraded', 'validate'),
    payload: {
      issue_key: 'validate.empty_dataframe_passthrough', category: 'capture', severity: 'error', summary: SUMMARY,
      origin_marker: 'explicit_capture', attributes: { row_count: 0, expected_minimum_rows: 10000 },
    },
  },
] as CanonicalRecord[];

const runsReport = (stageStatus: 'completed' | 'failed' = 'failed'): RunsReport => ({
  workspace: '/tmp/ws/.contexta',
  runs: [
    {
      run_ref: RUN, project: 'nightly-ml-pipeline', name: 'nightly-day1', status: 'completed',
      started_at: '2025-03-18T02:00:00.123Z', ended_at: '2025-03-18T02:04:05Z', duration_ms: 245_000,
      stages: STAGES.map((name) => ({ name, status: name === 'train' ? stageStatus : 'completed', issue_counts: zero() })),
      issue_counts: { error: 1, warning: 0, info: 3 }, record_count: 3,
    },
  ],
  unreadable: [{ file: 'projects/p/runs/r/run.json', line: null, reason: 'not JSON' }],
});

const snapshotReport: SnapshotReport = {
  run: {
    run_ref: RUN, project_ref: 'project:nightly-ml-pipeline', name: 'nightly-day1', status: 'completed',
    started_at: '2025-03-18T02:00:00Z', ended_at: '2025-03-18T02:04:05Z', project: 'nightly-ml-pipeline', duration_ms: 245_000,
  },
  stages: STAGES.map((name, i) => ({
    stage_execution_ref: `stage:nightly-ml-pipeline.nightly-day1.${name}`, stage_name: name, status: 'completed',
    started_at: '2025-03-18T02:00:00Z', ended_at: '2025-03-18T02:00:30Z', duration_ms: 30_000, order_index: i,
    record_counts: { event: 0, metric: name === 'train' ? 1 : 0, span: 0, degraded: name === 'validate' ? 1 : 0 },
  })),
  record_counts: { event: 1, metric: 1, span: 0, degraded: 1 },
  records,
  unreadable: [{ file: 'records.ndjson', line: 7, reason: 'torn line' }],
};

const issue = (over: Partial<Issue>): Issue => ({
  severity: 'error', code: 'degraded_record', summary: SUMMARY, run_ref: RUN, stage: 'validate',
  subject_ref: null, details: {}, evidence: ['record:nightly-ml-pipeline.nightly-day1.r3'], ...over,
});

const diagnoseReport: DiagnoseReport = {
  issues: [
    issue({}),
    issue({ severity: 'warning', code: 'warning_event', summary: 'accuracy far below baseline', stage: 'evaluate', evidence: [] }),
    issue({ severity: 'info', code: 'expected_stage_missing', summary: 'no deploy stage', stage: null, evidence: [] }),
  ],
  counts: { error: 1, warning: 1, info: 1 },
  runs: [
    { run_ref: RUN, counts: { error: 1, warning: 1, info: 1 }, stages: STAGES },
    { run_ref: 'run:nightly-ml-pipeline.nightly-day0', counts: zero(), stages: STAGES },
  ],
  fail_on: 'error',
  failed: true,
};

const all = (color: boolean) => [
  renderRuns(runsReport(), { color }),
  renderRuns({ workspace: '/w', runs: [], unreadable: [] }, { color }),
  renderSnapshot(snapshotReport, { color }),
  renderDiagnose(diagnoseReport, { color }),
  renderError({ code: 'workspace', message: 'no workspace found', details: { hint: 'run contexta init' } }, { color }),
  healthStrip(runsReport().runs[0].stages, color),
];

describe('colour', () => {
  it('emits no ANSI escapes at all when color is false', () => {
    for (const text of all(false)) assert.doesNotMatch(text, ANSI, text);
  });
  it('emits ANSI escapes when color is true', () => {
    for (const text of all(true)) assert.match(text, ANSI, text);
  });
  it('escapes control characters from recorded data instead of passing them through', () => {
    const evil = structuredClone(snapshotReport);
    (evil.records[1].payload as { message: string }).message = 'red \x1b[31mALERT\x1b[0m\nsecond line';
    const text = renderSnapshot(evil, { color: false });
    assert.doesNotMatch(text, ANSI);
    assert.match(text, /red \\x1b\[31mALERT/);
    assert.match(text, /ALERT\\x1b\[0m\\nsecond line/);
  });
});

describe('health strip', () => {
  it('marks a failed stage with ✖ in stage order', () => {
    assert.equal(healthStrip(runsReport('failed').runs[0].stages, false), '✔✔✔✖✔');
  });
  it('marks a completed stage with error issues as ✖ and warnings as ▲', () => {
    const stages = runsReport('completed').runs[0].stages;
    stages[2].issue_counts = { error: 1, warning: 0, info: 0 };
    stages[4].issue_counts = { error: 0, warning: 2, info: 0 };
    stages[0].status = 'open';
    stages[1].status = 'cancelled';
    stages[3].issue_counts = { error: 0, warning: 0, info: 4 };
    assert.equal(healthStrip(stages, false), '○–✖✔▲');
  });
});

describe('renderRuns', () => {
  it('shows the strip, the bad stage, counts, legend and unreadable files', () => {
    const text = renderRuns(runsReport(), { color: false });
    assert.match(text, /nightly-ml-pipeline\/nightly-day1/);
    assert.match(text, /✔✔✔✖✔ train/);
    assert.match(text, /2025-03-18T02:00:00Z/);
    assert.match(text, /4m 05s/);
    assert.match(text, /1E 0W 3I/);
    // The legend is for a terminal; piped output is rows only.
    assert.doesNotMatch(text, /✔ ok/);
    assert.match(renderRuns(runsReport(), { color: false, tty: true }), /✔ ok {2}▲ warning {2}✖ error\/failed {2}○ open {2}– cancelled/);
    assert.match(text, /^cannot read projects\/p\/runs\/r\/run\.json: not JSON$/m);
  });
  it('explains how to record a run when there are none', () => {
    const text = renderRuns({ workspace: '/w/.contexta', runs: [], unreadable: [] }, { color: false });
    assert.equal(text, 'No runs in /w/.contexta. Record one with: contexta record run start --project P --run R');
  });
});

describe('renderSnapshot', () => {
  const text = renderSnapshot(snapshotReport, { color: false });
  it('lists sections, stage names of records and degraded details', () => {
    for (const s of ['Stages', 'Metrics', 'Events', 'Degraded records']) assert.match(text, new RegExp(`^${s}$`, 'm'));
    assert.match(text, /^train\s+train\.loss\s+2\.31\s+—\s+stage$/m);
    assert.match(text, /^validate\s+error\s+validate\.empty_dataframe_passthrough\s+capture\s+capture_gap/m);
    assert.match(text, /row_count=0 expected_minimum_rows=10000/);
    assert.match(text, /^cannot read records\.ndjson:7: torn line$/m);
    assert.doesNotMatch(text, /^Spans$/m);
  });
  it('prints (none) for an empty section', () => {
    const empty = renderSnapshot({ ...snapshotReport, records: [] }, { color: false });
    assert.match(empty, /^Metrics\n\(none\)$/m);
  });
});

describe('renderDiagnose', () => {
  const text = renderDiagnose(diagnoseReport, { color: false });
  const lines = text.split('\n');
  it('puts the degraded summary under the validate stage group', () => {
    const at = lines.findIndex((l) => l.includes(SUMMARY));
    assert.ok(at > 0, text);
    const group = lines.slice(0, at).reverse().find((l) => /^ {2}\S/.test(l));
    assert.equal(group, '  validate');
    assert.match(lines[at], /^ {4}ERROR {4}degraded_record\s+Validate stage/);
    // Evidence shortened to the record id; --verbose gives the full refs.
    assert.match(lines[at + 1], /evidence r3$/);
    assert.match(renderDiagnose(diagnoseReport, { color: false, verbose: true }), /evidence record:nightly-ml-pipeline\.nightly-day1\.r3$/m);
  });
  it('groups run-level issues under (run), shows clean runs and the gate verdict', () => {
    assert.match(text, /^ {2}\(run\)\n {4}INFO/m);
    assert.match(text, /^run:nightly-ml-pipeline\.nightly-day1 {2}1 error, 1 warning, 1 info$/m);
    // A clean run is one line, not two.
    assert.match(text, /^run:nightly-ml-pipeline\.nightly-day0 {2}no issues\n\n/m);
    assert.doesNotMatch(text, /^ {2}no issues$/m);
    assert.equal(lines.at(-1), '2 runs diagnosed: 1 error, 1 warning, 1 info — gate --fail-on error: FAILED');
    const passed = renderDiagnose({ ...diagnoseReport, failed: false, fail_on: 'never' }, { color: false });
    assert.match(passed, /gate --fail-on never: passed$/);
  });
});

describe('renderError', () => {
  it('prefixes the program name, keeps one problem per line, escapes control characters, ends with a newline', () => {
    assert.equal(renderError({ code: 'x', message: 'bad\n  line 2: thing' }, { color: false }), 'contexta: bad\n  line 2: thing\n');
    assert.equal(renderError({ code: 'x', message: 'esc \x1b[31m' }, { color: false }), 'contexta: esc \\x1b[31m\n');
    assert.equal(
      renderError({ code: 'x', message: 'no workspace', details: { hint: 'run contexta init' } }, { color: false }),
      'contexta: no workspace\nhint: run contexta init\n',
    );
  });
});

describe('formatDuration / formatCounts', () => {
  const cases: [number | null, string][] = [
    [null, '—'], [0, '0ms'], [850, '850ms'], [999.4, '999ms'], [999.6, '1.0s'], [12_300, '12.3s'],
    [59_960, '1m 00s'], [245_000, '4m 05s'], [3_599_400, '59m 59s'], [3_720_000, '1h 02m'], [90_000_000, '25h 00m'], [-5, '—'],
  ];
  for (const [ms, want] of cases) it(`${ms} → ${want}`, () => assert.equal(formatDuration(ms), want));
  it('counts', () => {
    assert.equal(formatCounts({ error: 1, warning: 2, info: 0 }), '1 error, 2 warnings');
    assert.equal(formatCounts(zero()), 'no issues');
    assert.equal(formatCounts({ error: 0, warning: 1, info: 3 }), '1 warning, 3 info');
  });
});
