/**
 * `diagnose --format junit`: the DiagnoseReport as JUnit XML, the test-report format GitLab
 * (`artifacts:reports:junit`) and Jenkins (`junit` step) show natively.
 *
 * One <testsuite> per run; in it one <testcase> per stage × check, where a check is a
 * diagnosis rule code. classname is `<project>.<stage>` (`<project>.(run)` for run-level
 * checks), so Jenkins shows the pipeline as the package and the stage as the class. A check
 * that raised an issue at or above the gate (--fail-on) is a <failure> (an <error> for the
 * unreadable_* checks: the data could not be read, so the check could not run); issues below
 * the gate keep the testcase passing and are written to its <system-out>. So the number of
 * failed tests is non-zero exactly when the exit code is 1.
 *
 * Pure: `(report) => string`. Every recorded string is cleaned of characters XML 1.0 forbids,
 * then escaped.
 */
import type { Issue } from '../model';
import type { DiagnoseReport } from '../reading/reports';
import { SEVERITY_RANK } from '../diagnosis/diagnose';
import { measureText, runParts } from './issue-facts';

/** Checks every run has once, whether or not they fired (a clean run shows passing tests). */
export const RUN_CHECKS: readonly string[] = Object.freeze([
  'run_missing_metadata',
  'unreadable_metadata',
  'unreadable_record',
  'run_status_contradiction',
  // learned from the project's history
  'learning',
  'run_abandoned',
  'stage_vanished',
  // declared in contexta.yml (pass when nothing is declared)
  'required_stage_missing',
  'comparison_failed',
  'freshness',
]);

/** Checks every stage has once. Codes not listed (e.g. expected_stage_missing) appear when raised. */
export const STAGE_CHECKS: readonly string[] = Object.freeze([
  'stage_failed',
  'stage_not_finished',
  'degraded_record',
  'degradation_marker',
  'event_error',
  'event_warning',
  'stage_without_metrics',
  // learned from the project's history
  'metric_anomaly',
  'metric_collapse',
  'metric_vanished',
  'duration_anomaly',
  'recurring_issue',
  // declared in contexta.yml (pass when nothing is declared)
  'required_metric_missing',
  'metric_out_of_bounds',
  'duration_out_of_bounds',
]);

/** The check could not run because its input is unreadable: JUnit's <error>, not <failure>. */
const ERROR_CHECKS = new Set(['unreadable_record', 'unreadable_metadata', 'run_missing_metadata']);

export const RUN_LEVEL = '(run)';

/** Anything outside XML 1.0's Char production (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/FFFF). */
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
// eslint-disable-next-line no-control-regex
const ANSI_SEQUENCE = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/** Terminal colour sequences are dropped (decoration); other forbidden characters become U+FFFD. */
export function cleanXmlText(value: string): string {
  return value.replace(ANSI_SEQUENCE, '').replace(FORBIDDEN, '\uFFFD');
}

export function escapeXmlText(value: string): string {
  return cleanXmlText(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Attribute values: also quotes, and whitespace as references (a parser would turn raw LF/tab into spaces). */
export function escapeXmlAttr(value: string): string {
  return escapeXmlText(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

const attrs = (pairs: Record<string, string | number>): string =>
  Object.entries(pairs)
    .map(([k, v]) => ` ${k}="${escapeXmlAttr(String(v))}"`)
    .join('');

/** The failure body: everything a reader needs without opening the workspace. */
export function issueBody(issue: Issue): string {
  const lines = [
    `${issue.severity}: ${issue.summary}`,
    `code: ${issue.code}`,
    `run: ${issue.run_ref}`,
    `stage: ${issue.stage ?? RUN_LEVEL}`,
  ];
  const measure = measureText(issue);
  if (measure) lines.push(measure);
  if (typeof issue.details?.sentence === 'string') lines.push(issue.details.sentence);
  if (issue.subject_ref) lines.push(`subject: ${issue.subject_ref}`);
  if (issue.evidence.length) lines.push(`evidence: ${issue.evidence.join(', ')}`);
  if (Object.keys(issue.details ?? {}).length) lines.push(`details: ${JSON.stringify(issue.details)}`);
  return lines.join('\n');
}

interface Case {
  classname: string;
  name: string;
  issues: Issue[];
}

interface Suite {
  run_ref: string;
  cases: Case[];
}

/** Stages in the run's order, then any stage only an issue names (e.g. a missing expected stage). */
function suiteFor(runRef: string, stages: readonly string[], issues: Issue[], multiRun: boolean): Suite {
  const { project, name } = runParts(runRef);
  const groups = new Map<string, Map<string, Issue[]>>();
  const group = (stage: string, checks: readonly string[]) => {
    if (!groups.has(stage)) groups.set(stage, new Map());
    const map = groups.get(stage)!;
    for (const code of checks) if (!map.has(code)) map.set(code, []);
    return map;
  };
  group(RUN_LEVEL, RUN_CHECKS);
  for (const stage of stages) group(stage, STAGE_CHECKS);
  for (const issue of issues) {
    const checks = group(issue.stage ?? RUN_LEVEL, []);
    if (!checks.has(issue.code)) checks.set(issue.code, []);
    checks.get(issue.code)!.push(issue);
  }
  const cases: Case[] = [];
  for (const [stage, checks] of groups) {
    for (const [code, list] of checks) {
      // With several runs in one file, the run keeps same-named cases apart (Jenkins ignores suites);
      // with one run, names stay stable from night to night so test history trends.
      cases.push({ classname: `${project}.${stage}`, name: multiRun ? `${code} (${name})` : code, issues: list });
    }
  }
  return { run_ref: runRef, cases };
}

export function exportJunit(report: DiagnoseReport): string {
  const runs = report.runs.map((r) => ({ run_ref: r.run_ref, stages: r.stages ?? [] }));
  for (const issue of report.issues) {
    if (!runs.some((r) => r.run_ref === issue.run_ref)) runs.push({ run_ref: issue.run_ref, stages: [] });
  }
  const multiRun = runs.length > 1;
  const suites = runs.map((r) =>
    suiteFor(r.run_ref, r.stages, report.issues.filter((i) => i.run_ref === r.run_ref), multiRun),
  );
  const gate = report.fail_on === 'never' ? Infinity : (SEVERITY_RANK as Record<string, number>)[report.fail_on] ?? Infinity;
  const fails = (issue: Issue) => (SEVERITY_RANK[issue.severity] ?? 0) >= gate;

  const total = { tests: 0, failures: 0, errors: 0 };
  const body: string[] = [];
  for (const suite of suites) {
    const counts = { tests: suite.cases.length, failures: 0, errors: 0 };
    const lines: string[] = [];
    for (const c of suite.cases) {
      const failing = c.issues.filter(fails);
      const passing = c.issues.filter((i) => !fails(i));
      const inner: string[] = [];
      if (failing.length) {
        const tag = ERROR_CHECKS.has(c.issues[0].code) ? 'error' : 'failure';
        counts[tag === 'error' ? 'errors' : 'failures']++;
        const worst = failing.reduce((a, b) => (SEVERITY_RANK[b.severity] > SEVERITY_RANK[a.severity] ? b : a));
        const message = failing.length > 1 ? `${worst.summary} (+${failing.length - 1} more)` : worst.summary;
        inner.push(
          `      <${tag}${attrs({ type: worst.severity, message })}>${escapeXmlText(failing.map(issueBody).join('\n\n'))}</${tag}>`,
        );
      }
      if (passing.length) {
        const note = `below the gate (--fail-on ${report.fail_on}):\n\n${passing.map(issueBody).join('\n\n')}`;
        inner.push(`      <system-out>${escapeXmlText(note)}</system-out>`);
      }
      const open = `    <testcase${attrs({ classname: c.classname, name: c.name })}`;
      lines.push(inner.length ? `${open}>\n${inner.join('\n')}\n    </testcase>` : `${open}/>`);
    }
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    body.push(
      `  <testsuite${attrs({ name: suite.run_ref, tests: counts.tests, failures: counts.failures, errors: counts.errors, skipped: 0 })}>`,
      `    <properties>`,
      `      <property${attrs({ name: 'run_ref', value: suite.run_ref })}/>`,
      `      <property${attrs({ name: 'fail_on', value: report.fail_on })}/>`,
      `    </properties>`,
      ...lines,
      `  </testsuite>`,
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'contexta diagnose', tests: total.tests, failures: total.failures, errors: total.errors })}>`,
    ...body,
    '</testsuites>',
    '',
  ].join('\n');
}
