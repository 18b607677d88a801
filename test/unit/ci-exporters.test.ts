/**
 * The CI exporters (JUnit, GitHub workflow commands, Markdown) as pure functions of
 * hand-built DiagnoseReports: escaping tables, gate alignment, ordering, size limits.
 * Schema validation of real output is in test/e2e/ci-formats.test.ts; here the JUnit of a
 * hostile report is validated too, because only a unit test can put every forbidden
 * character into an issue.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Issue, SeverityCounts } from '../../src/core/model';
import type { DiagnoseReport } from '../../src/core/reading/reports';
import { annotation, escapeData, escapeProperty, exportGithub } from '../../src/core/exporters/github';
import { cleanXmlText, escapeXmlAttr, escapeXmlText, exportJunit, RUN_CHECKS, STAGE_CHECKS } from '../../src/core/exporters/junit';
import { escapeMarkdown, exportMarkdown, GITHUB_SUMMARY_LIMIT } from '../../src/core/exporters/markdown';
import { baselineText, measureText } from '../../src/core/exporters/issue-facts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const XSD = path.join(REPO, 'fixtures', 'junit-10.xsd');
const RUN = 'run:nightly-ml-pipeline.nightly-day1';
const RUN2 = 'run:nightly-ml-pipeline.nightly-day2';
const STAGES = ['ingest', 'validate', 'evaluate'];

function issue(fields: Partial<Issue> & Pick<Issue, 'severity' | 'code'>): Issue {
  return { summary: `${fields.code} happened`, run_ref: RUN, stage: 'validate', subject_ref: null, details: {}, evidence: [], ...fields };
}

function count(issues: Issue[]): SeverityCounts {
  const c: SeverityCounts = { error: 0, warning: 0, info: 0 };
  for (const i of issues) c[i.severity]++;
  return c;
}

function report(issues: Issue[], failOn = 'error', runs = [RUN]): DiagnoseReport {
  const rank: Record<string, number> = { info: 1, warning: 2, error: 3 };
  return {
    issues,
    counts: count(issues),
    runs: runs.map((run_ref) => ({ run_ref, counts: count(issues.filter((i) => i.run_ref === run_ref)), stages: STAGES })),
    fail_on: failOn,
    failed: failOn !== 'never' && issues.some((i) => rank[i.severity] >= rank[failOn]),
  };
}

const xmllint = spawnSync('xmllint', ['--version']).error ? null : 'xmllint';

function validateXml(xml: string): void {
  assert.ok(xmllint, 'xmllint is required (Debian package libxml2-utils; .ci/run installs it)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-junit-'));
  try {
    const file = path.join(dir, 'report.xml');
    fs.writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `xmllint rejected the JUnit:\n${r.stderr}\n${xml.slice(0, 3000)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('GitHub workflow command escaping', () => {
  const table: [string, string, string][] = [
    // input, as data, as property
    ['plain', 'plain', 'plain'],
    ['50%', '50%25', '50%25'],
    ['a\nb', 'a%0Ab', 'a%0Ab'],
    ['a\r\nb', 'a%0D%0Ab', 'a%0D%0Ab'],
    ['k: v, w', 'k: v, w', 'k%3A v%2C w'],
    ['%0A literal', '%250A literal', '%250A literal'],
    ['x\n::error::pwned', 'x%0A::error::pwned', 'x%0A%3A%3Aerror%3A%3Apwned'],
  ];
  for (const [input, data, prop] of table) {
    it(`${JSON.stringify(input)} → data ${JSON.stringify(data)}, property ${JSON.stringify(prop)}`, () => {
      assert.equal(escapeData(input), data);
      assert.equal(escapeProperty(input), prop);
    });
  }

  it('drops colour sequences and replaces other control characters in annotations', () => {
    const line = annotation(issue({ severity: 'warning', code: 'event_warning', summary: '\u001b[31mred\u001b[0m\ttab\u0001' }));
    assert.match(line, /::red\uFFFDtab\uFFFD%0Arun /);
  });

  it('a recorded newline can never start a workflow command of its own', () => {
    const line = annotation(issue({ severity: 'error', code: 'event_error', summary: 'boom\n::error::injected\r\n::set-output name=x::y' }));
    assert.equal(line.split('\n').length, 1);
    assert.match(line, /^::error title=contexta event_error%3A validate \(nightly-day1\)::boom%0A::error::injected%0D%0A/);
  });
});

describe('exportGithub', () => {
  it('maps severities to error/warning/notice and puts the most severe first', () => {
    const out = exportGithub(report([
      issue({ severity: 'info', code: 'stage_without_metrics' }),
      issue({ severity: 'warning', code: 'event_warning' }),
      issue({ severity: 'error', code: 'degraded_record' }),
    ]));
    const lines = out.trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.split(' ')[0]), ['::error', '::warning', '::notice', 'contexta:']);
    assert.match(lines[3], /^contexta: 3 issues in 1 run \(1 error, 1 warning, 1 info\) — gate --fail-on error: FAILED$/);
  });

  it('prints at most 10 annotations, then one line with the total', () => {
    const issues = [
      ...Array.from({ length: 12 }, (_, i) => issue({ severity: 'warning', code: 'event_warning', summary: `w${i}` })),
      ...Array.from({ length: 3 }, (_, i) => issue({ severity: 'error', code: 'event_error', summary: `e${i}` })),
    ];
    const lines = exportGithub(report(issues)).trimEnd().split('\n');
    assert.equal(lines.length, 11);
    assert.equal(lines.filter((l) => l.startsWith('::')).length, 10);
    assert.ok(lines.slice(0, 3).every((l) => l.startsWith('::error ')), 'the three errors come first');
    assert.match(lines[10], /^contexta: 15 issues in 1 run \(3 error, 12 warning, 0 info\); 10 shown as annotations \(most severe first\), 5 more/);
  });

  it('says so when there is nothing to annotate', () => {
    assert.equal(exportGithub(report([])), 'contexta: 0 issues in 1 run (0 error, 0 warning, 0 info) — gate --fail-on error: passed\n');
  });

  it('carries value and baseline when the issue has them', () => {
    const line = annotation(issue({
      severity: 'warning',
      code: 'metric_anomaly',
      stage: 'evaluate',
      details: { value: 0.12, baseline: { median: 0.91, spread: 0.012, n: 14, runs: [] }, band: { low: 0.85, high: 0.97 } },
    }));
    assert.match(line, /%0Avalue 0\.12; baseline median 0\.91 \(spread 0\.012, n=14, usual 0\.85–0\.97\)%0A/);
  });
});

describe('XML 1.0 cleaning and escaping', () => {
  const table: [string, string, string][] = [
    // input, as text, as attribute
    ['a & b < c > d', 'a &amp; b &lt; c &gt; d', 'a &amp; b &lt; c &gt; d'],
    [`"q" 'a'`, `"q" 'a'`, '&quot;q&quot; &apos;a&apos;'],
    ['line1\nline2\tx', 'line1\nline2\tx', 'line1&#10;line2&#9;x'],
    ['cr\r', 'cr&#13;', 'cr&#13;'],
    ['nul\u0000 bell\u0007 vt\u000b', 'nul\uFFFD bell\uFFFD vt\uFFFD', 'nul\uFFFD bell\uFFFD vt\uFFFD'],
    ['\u001b[31mred\u001b[0m', 'red', 'red'],
    ['lone \uD800 high, lone \uDC00 low', 'lone \uFFFD high, lone \uFFFD low', 'lone \uFFFD high, lone \uFFFD low'],
    ['pair \uD83D\uDE00 ok', 'pair \uD83D\uDE00 ok', 'pair \uD83D\uDE00 ok'],
    ['\uFFFE\uFFFF', '\uFFFD\uFFFD', '\uFFFD\uFFFD'],
    [']]>', ']]&gt;', ']]&gt;'],
  ];
  for (const [input, text, attr] of table) {
    it(`${JSON.stringify(input)}`, () => {
      assert.equal(escapeXmlText(input), text);
      assert.equal(escapeXmlAttr(input), attr);
    });
  }

  it('cleanXmlText leaves allowed characters alone', () => {
    const allowed = 'tab\t lf\n cr\r é 中 \uE000 \uFFFD \u{10FFFF}';
    assert.equal(cleanXmlText(allowed), allowed);
  });
});

describe('exportJunit', () => {
  const degraded = issue({
    severity: 'error',
    code: 'degraded_record',
    summary: 'Validate stage received 0 rows',
    evidence: ['record:nightly-ml-pipeline.nightly-day1.r1'],
  });
  const warning = issue({ severity: 'warning', code: 'event_warning', stage: 'evaluate', summary: 'accuracy low' });

  it('has one testcase per stage × check, classname <project>.<stage>, and validates against the XSD', () => {
    const xml = exportJunit(report([degraded, warning]));
    validateXml(xml);
    const cases = [...xml.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    assert.equal(cases.length, RUN_CHECKS.length + STAGES.length * STAGE_CHECKS.length);
    assert.ok(cases.includes('nightly-ml-pipeline.validate degraded_record'));
    assert.ok(cases.includes('nightly-ml-pipeline.(run) run_status_contradiction'));
    assert.ok(xml.includes(`<testsuites name="contexta diagnose" tests="${RUN_CHECKS.length + STAGES.length * STAGE_CHECKS.length}" failures="1" errors="0">`));
  });

  it('fails exactly the checks at or above the gate; issues below it stay passing, in system-out', () => {
    const atError = exportJunit(report([degraded, warning], 'error'));
    assert.equal((atError.match(/<failure /g) ?? []).length, 1);
    assert.match(atError, /<system-out>below the gate \(--fail-on error\):\n\nwarning: accuracy low/);
    const atWarning = exportJunit(report([degraded, warning], 'warning'));
    assert.equal((atWarning.match(/<failure /g) ?? []).length, 2);
    const never = exportJunit(report([degraded, warning], 'never'));
    assert.equal((never.match(/<failure /g) ?? []).length, 0);
    assert.match(never, /failures="0"/);
  });

  it('puts value, baseline and run ref in the failure body', () => {
    const anomaly = issue({
      severity: 'error',
      code: 'metric_anomaly',
      stage: 'evaluate',
      summary: 'eval.accuracy collapsed',
      details: { value: 0.12, baseline: { median: 0.91, spread: 0.01, n: 14, runs: [] }, sentence: 'far below the usual 0.91' },
    });
    const xml = exportJunit(report([anomaly]));
    validateXml(xml);
    assert.match(xml, /<testcase classname="nightly-ml-pipeline.evaluate" name="metric_anomaly">\n {6}<failure type="error" message="eval.accuracy collapsed">/);
    assert.match(xml, /value 0\.12; baseline median 0\.91 \(spread 0\.01, n=14\)\nfar below the usual 0\.91/);
    assert.match(xml, /run: run:nightly-ml-pipeline\.nightly-day1/);
  });

  it('reports unreadable input as <error> (the check could not run)', () => {
    const torn = issue({ severity: 'error', code: 'unreadable_record', stage: null, summary: 'records.ndjson line 7 is not JSON' });
    const xml = exportJunit(report([torn]));
    validateXml(xml);
    assert.match(xml, /name="unreadable_record">\n {6}<error type="error"/);
    assert.match(xml, /errors="1"/);
  });

  it('gives each run its suite and keeps same-named cases apart when there are several', () => {
    const xml = exportJunit(report([degraded, { ...degraded, run_ref: RUN2 }], 'error', [RUN, RUN2]));
    validateXml(xml);
    assert.equal((xml.match(/<testsuite /g) ?? []).length, 2);
    assert.match(xml, /name="degraded_record \(nightly-day1\)"/);
    assert.match(xml, /name="degraded_record \(nightly-day2\)"/);
  });

  it('stays valid XML whatever the recorded strings hold', () => {
    const hostile = 'x\u0000\u0001\u001b[31m<script>alert("&")</script>]]>\uD800\uFFFF\r\n"\'\t';
    const xml = exportJunit(report([
      issue({ severity: 'error', code: 'event_error', stage: hostile, summary: hostile, details: { attributes: { k: hostile } }, evidence: [hostile] }),
    ]));
    validateXml(xml);
    assert.doesNotMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    assert.doesNotMatch(xml, /<script>/);
  });
});

describe('Markdown', () => {
  const table: [string, string][] = [
    ['plain text', 'plain text'],
    ['a | b', 'a \\| b'],
    ['<img src=x onerror=alert(1)>', '\\<img src=x onerror=alert(1)\\>'],
    ['[click](http://evil)', '\\[click\\](http://evil)'],
    ['**bold** _it_ `code` ~~s~~', '\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~'],
    ['line\nbreak\r\nhere', 'line break here'],
    ['\u001b[31mred\u001b[0m bell\u0007', 'red bell '],
    ['&amp; # !', '\\&amp; \\# \\!'],
    ['back\\slash', 'back\\\\slash'],
  ];
  for (const [input, expected] of table) {
    it(`escapes ${JSON.stringify(input)}`, () => assert.equal(escapeMarkdown(input), expected));
  }

  it('caps one cell', () => {
    assert.equal([...escapeMarkdown('x'.repeat(2000))].length, 500);
  });

  it('shows the verdict, per-run counts and issues most severe first', () => {
    const md = exportMarkdown(report([
      issue({ severity: 'warning', code: 'event_warning', summary: 'w' }),
      issue({ severity: 'error', code: 'degraded_record', summary: 'e' }),
    ]));
    assert.match(md, /^### contexta diagnose: gate `--fail-on error` FAILED\n/);
    assert.match(md, /\| run:nightly-ml-pipeline\.nightly-day1 \| 1 \| 1 \| 0 \|/);
    const rows = md.split('\n').filter((l) => /^\| (error|warning|info) /.test(l));
    assert.deepEqual(rows.map((r) => r.split(' | ')[0]), ['| error', '| warning']);
  });

  it('keeps a large report under the byte limit, with a note saying how many were left out', () => {
    const issues = Array.from({ length: 5000 }, (_, i) =>
      issue({ severity: i % 2 ? 'warning' : 'error', code: 'event_warning', summary: `${i} ${'é'.repeat(200)}` }),
    );
    const full = exportMarkdown(report(issues));
    assert.ok(Buffer.byteLength(full) > GITHUB_SUMMARY_LIMIT, 'the fixture must exceed the limit');
    const capped = exportMarkdown(report(issues), { maxBytes: GITHUB_SUMMARY_LIMIT });
    assert.ok(Buffer.byteLength(capped) <= GITHUB_SUMMARY_LIMIT);
    const shown = capped.split('\n').filter((l) => /^\| (error|warning) /.test(l)).length;
    assert.ok(shown > 1000, `${shown} rows kept`);
    assert.match(capped, new RegExp(`_${5000 - shown} more issues not shown: the summary is kept under 1024 KiB\\.`));
    for (const max of [0, 10, 300, 1000]) {
      assert.ok(Buffer.byteLength(exportMarkdown(report(issues), { maxBytes: max })) <= max, `maxBytes ${max}`);
    }
  });
});

describe('issue facts', () => {
  it('formats a baseline only when the details carry one', () => {
    assert.equal(baselineText(issue({ severity: 'info', code: 'x' })), null);
    assert.equal(measureText(issue({ severity: 'info', code: 'x', details: { value: 0.1 + 0.2 } })), 'value 0.3');
    assert.equal(
      baselineText(issue({ severity: 'info', code: 'x', details: { baseline: { median: 12000, n: 9 } } })),
      'baseline median 12000 (n=9)',
    );
  });
});

describe('JUnit check catalogue', () => {
  it('names every stage- or run-level rule code, so a clean run shows each check passing', () => {
    const dir = path.join(REPO, 'src', 'core', 'diagnosis', 'rules');
    const codes = new Set<string>();
    for (const file of fs.readdirSync(dir)) {
      for (const m of fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/\bcode: '([a-z_]+)'/g)) codes.add(m[1]);
    }
    // Raised against a stage the run does not have: there is no stage to attach a passing case to.
    const raisedOnly = new Set(['expected_stage_missing']);
    const missing = [...codes].filter((c) => !RUN_CHECKS.includes(c) && !STAGE_CHECKS.includes(c) && !raisedOnly.has(c));
    assert.deepEqual(missing, [], `add these rule codes to STAGE_CHECKS or RUN_CHECKS in src/core/exporters/junit.ts`);
    assert.ok(codes.size >= 10, `found ${codes.size} rule codes`);
  });
});
