/**
 * `contexta diagnose --format junit|github|markdown|json|ndjson|text` and `--summary`, as a CI
 * job runs them: the exit code is the gate's in every format, JUnit validates against the
 * vendored Jenkins schema (fixtures/junit-10.xsd) with xmllint, GitHub annotations are
 * escaped, and the step summary stays under GitHub's 1 MiB.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { before, describe, it } from 'node:test';
import * as path from 'node:path';
import { expectCode, FIXTURES, run, seededWorkspace, treeSnapshot, type TempWorkspace } from './helpers';

const XSD = path.join(FIXTURES, 'junit-10.xsd');
const MiB = 1024 * 1024;

function assertValidJunit(file: string): void {
  const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
  assert.ok(!r.error, 'xmllint is required (Debian package libxml2-utils; .ci/run installs it)');
  assert.equal(r.status, 0, `xmllint rejected ${file}:\n${r.stderr}`);
}

describe('diagnose --format', () => {
  let tmp: TempWorkspace;
  const diagnose = (args: string[], env: Record<string, string | undefined> = {}) =>
    run(['diagnose', ...args], { cwd: tmp.dir, env: { GITHUB_STEP_SUMMARY: undefined, ...env } });

  before(() => {
    tmp = seededWorkspace();
    // A hostile record: newlines that could start workflow commands, markup, XML-forbidden controls, ANSI.
    const hostile = 'boom\n::error::injected\r\n<script>alert(1)</script> & \u0001\u001b[31mred\u001b[0m 100% a,b:c | [x](y)';
    expectCode(
      run(['record', 'event', 'evaluate.hostile', hostile, '--level', 'error', '--project', 'nightly-ml-pipeline', '--run', 'nightly-day3', '--stage', 'evaluate', '--at', '2025-03-20T04:24:00Z'], { cwd: tmp.dir }),
      0,
    );
    // Three more warnings, so the annotated issues (6 errors, 9 warnings) outnumber the 10 annotations GitHub shows.
    for (const n of [1, 2, 3]) {
      expectCode(
        run(['record', 'event', `train.slow-${n}`, `epoch ${n} slow`, '--level', 'warning', '--project', 'nightly-ml-pipeline', '--run', 'nightly-day2', '--stage', 'train', '--at', '2025-03-19T03:18:00Z'], { cwd: tmp.dir }),
        0,
      );
    }
  });

  it('keeps the gate exit code in every format', () => {
    for (const format of ['text', 'json', 'ndjson', 'junit', 'github', 'markdown']) {
      expectCode(diagnose(['--format', format]), 1);
      expectCode(diagnose(['--format', format, '--fail-on', 'never']), 0);
      expectCode(diagnose(['nightly-day1', `--format=${format}`, '--fail-on', 'never']), 0);
    }
  });

  it('--format json is --json, --format ndjson is --ndjson, --format text is the default', () => {
    assert.equal(diagnose(['--format', 'json']).stdout, diagnose(['--json']).stdout);
    assert.equal(diagnose(['--format', 'ndjson']).stdout, diagnose(['--ndjson']).stdout);
    assert.equal(diagnose(['--format', 'text']).stdout, diagnose([]).stdout);
    // 3 degraded records, the hostile event_error, and day 3's two recurring_issue errors (same warning 3 nights running).
    assert.equal(diagnose(['--format', 'json']).json().counts.error, 6);
  });

  it('refuses two formats and unknown ones (exit 2, JSON errors when JSON was asked for)', () => {
    assert.match(expectCode(diagnose(['--format', 'junit', '--json']), 2).stderr, /choose one output format: --format junit or --json/);
    expectCode(diagnose(['--format', 'json', '--json']), 1);
    const bad = expectCode(diagnose(['--format', 'xml']), 2);
    assert.match(bad.stderr, /argument 'xml' is invalid\. Allowed choices are text, json, ndjson, junit, github, markdown/);
    const asJson = expectCode(diagnose(['nightly-day9', '--format', 'json']), 3);
    assert.equal(JSON.parse(asJson.stderr).error.code, 'workspace');
  });

  it('junit: valid against the JUnit XSD, one testcase per run × stage × check, failures = the gate', () => {
    const r = expectCode(diagnose(['--format', 'junit']), 1);
    const file = tmp.at('junit.xml');
    fs.writeFileSync(file, r.stdout);
    assertValidJunit(file);
    // 3 runs × (10 run checks + 5 stages × 15 stage checks); failing: 3 degraded records, the hostile
    // event_error and day 3's two recurring_issue errors (validate and evaluate).
    assert.match(r.stdout, /<testsuites name="contexta diagnose" tests="255" failures="6" errors="0">/);
    assert.match(r.stdout, /<testcase classname="nightly-ml-pipeline\.validate" name="degraded_record \(nightly-day1\)">\n {6}<failure type="error"/);
    assert.match(r.stdout, /run: run:nightly-ml-pipeline\.nightly-day1\nstage: validate/);
    assert.match(r.stdout, /<testcase classname="nightly-ml-pipeline\.evaluate" name="recurring_issue \(nightly-day3\)">\n {6}<failure type="error"/);
    assert.match(r.stdout, /<testcase classname="nightly-ml-pipeline\.evaluate" name="recurring_issue \(nightly-day2\)"\/>/);
    assert.doesNotMatch(r.stdout, /[\u0001\u001b]/);
    assert.match(r.stdout, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; \uFFFDred/);

    const never = expectCode(diagnose(['--format', 'junit', '--fail-on', 'never']), 0);
    fs.writeFileSync(file, never.stdout);
    assertValidJunit(file);
    assert.match(never.stdout, /tests="255" failures="0" errors="0"/);
    assert.match(never.stdout, /<system-out>below the gate \(--fail-on never\):/);

    const one = expectCode(diagnose(['nightly-day2', '--format', 'junit']), 1);
    assert.match(one.stdout, /<testcase classname="nightly-ml-pipeline\.validate" name="degraded_record">/);
  });

  it('github: escaped annotations, most severe first, at most 10, then the total', () => {
    const r = expectCode(diagnose(['--format', 'github']), 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 11);
    assert.equal(lines.filter((l) => l.startsWith('::')).length, 10);
    assert.deepEqual(lines.slice(0, 6).map((l) => l.split(' ')[0]), ['::error', '::error', '::error', '::error', '::error', '::error']);
    assert.ok(lines.slice(6, 10).every((l) => l.startsWith('::warning ')));
    assert.ok(!lines.some((l) => l.startsWith('::error::injected')), 'a recorded newline must not start a command');
    const hostile = lines.find((l) => l.includes('evaluate.hostile'))!;
    assert.match(hostile, /^::error title=contexta event_error%3A evaluate \(nightly-day3\)::evaluate\.hostile: boom%0A::error::injected%0D%0A<script>/);
    assert.match(hostile, / 100%25 a,b:c /);
    assert.equal(lines[10], 'contexta: 26 issues in 3 runs (6 error, 9 warning, 11 info); 10 shown as annotations (most severe first), 16 more in the step summary and in `contexta diagnose` — gate --fail-on error: FAILED');
  });

  it('markdown: the verdict, counts per run and every issue, with recorded text escaped', () => {
    const r = expectCode(diagnose(['--format', 'markdown']), 1);
    assert.match(r.stdout, /^### contexta diagnose: gate `--fail-on error` FAILED\n\n3 runs diagnosed: \*\*6 error\*\*, \*\*9 warning\*\*, 11 info\./);
    // info: stage_without_metrics for ingest, preprocess and validate in each run, learning from run 2 on.
    assert.match(r.stdout, /\| run:nightly-ml-pipeline\.nightly-day1 \| 1 \| 2 \| 3 \|\n\| run:nightly-ml-pipeline\.nightly-day2 \| 1 \| 5 \| 4 \|\n\| run:nightly-ml-pipeline\.nightly-day3 \| 4 \| 2 \| 4 \|/);
    assert.equal(r.stdout.split('\n').filter((l) => /^\| (error|warning|info) \|/.test(l)).length, 26);
    assert.match(r.stdout, /evaluate\.hostile: boom ::error::injected \\<script\\>alert\(1\)\\<\/script\\> \\& +red 100% a,b:c \\\| \\\[x\\\]\(y\) \|$/m);
    assert.doesNotMatch(r.stdout, /<script>/);
  });

  it('--format github appends the summary to $GITHUB_STEP_SUMMARY; other formats only with --summary', () => {
    const file = tmp.at('step-summary.md');
    fs.writeFileSync(file, '# earlier step output\n');
    expectCode(diagnose(['--format', 'github'], { GITHUB_STEP_SUMMARY: file }), 1);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^# earlier step output\n\n### contexta diagnose: gate `--fail-on error` FAILED/);

    const other = tmp.at('other.md');
    expectCode(diagnose(['--format', 'junit'], { GITHUB_STEP_SUMMARY: other }), 1);
    assert.equal(fs.existsSync(other), false, 'junit without --summary writes no summary');
    expectCode(diagnose(['--format', 'junit', '--summary'], { GITHUB_STEP_SUMMARY: other }), 1);
    assert.match(fs.readFileSync(other, 'utf8'), /^### contexta diagnose/);

    const named = tmp.at('named.md');
    const r = expectCode(diagnose(['--summary', named, '--fail-on', 'never']), 0);
    assert.match(r.stdout, /gate --fail-on never: passed/, 'stdout keeps the chosen format');
    assert.match(fs.readFileSync(named, 'utf8'), /gate `--fail-on never` passed/);
  });

  it('--summary without a file or GITHUB_STEP_SUMMARY is a usage error, nothing written', () => {
    const beforeTree = treeSnapshot(tmp.dir);
    const r = expectCode(diagnose(['--summary', '--format', 'github']), 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--summary needs a file \(--summary FILE\) or GITHUB_STEP_SUMMARY/);
    assert.deepEqual(treeSnapshot(tmp.dir), beforeTree);
  });

  it('keeps the step summary file under 1 MiB, whatever earlier steps wrote, with a note', () => {
    const file = tmp.at('nearly-full.md');
    fs.writeFileSync(file, `${'x'.repeat(MiB - 1500)}\n`);
    expectCode(diagnose(['--format', 'github'], { GITHUB_STEP_SUMMARY: file }), 1);
    const size = fs.statSync(file).size;
    assert.ok(size <= MiB, `summary file is ${size} bytes`);
    const added = fs.readFileSync(file, 'utf8').slice(MiB - 1500);
    assert.match(added, /more issues? not shown: the summary is kept under/);
    assert.match(added, /Run `contexta diagnose --json` for the full list\./);
  });
});
