/**
 * The HTML report builder (src/core/exporters/html), in process: escaping of every
 * recorded string, one self-contained document (no URL, no external anything),
 * a CSP whose hashes match the page's own style and script, and flagged points.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_POLICY } from '../../src/core/diagnosis/baseline';
import { text } from '../../src/core/exporters/html/escape';
import { reportHtml } from '../../src/core/exporters/html/page';
import { sparklineSvg } from '../../src/core/exporters/html/sparkline';
import { buildReportModel, type ReportModel } from '../../src/core/reading/report-model';
import type { TrendPoint } from '../../src/core/reading/series';
import { openWorkspace } from '../../src/core/storage/workspace';
import { HISTORY_PROJECT, writeNightlyHistory } from '../e2e/nightly-history';

const EVIL = [
  '</script><script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '" onmouseover="alert(1)" x="',
  "' onfocus='alert(1)' autofocus '",
  'a\u2028b\u2029c',
  '\u001b[31m\u0000\u007f',
  '<!-- --><![CDATA[ ]]><svg onload=alert(1)>',
  '&lt;already&gt; &amp;',
];

/** Tags the builder itself writes; anything else in the output was injected. */
const OWN_TAGS = new Set(
  'html head meta title style body header h1 h2 h3 h4 p nav a fieldset legend label input main section table thead tbody tr th td span div small figure figcaption b svg polygon polyline circle line ul li code footer script'.split(' '),
);

function assertInert(html: string): void {
  const tags = [...html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1].toLowerCase());
  const foreign = tags.filter((t) => !OWN_TAGS.has(t));
  assert.deepEqual(foreign, [], 'tags that the builder does not write');
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.equal(html.match(/<\/script/g)?.length, 1);
  assert.doesNotMatch(html, /[\u2028\u2029\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/, 'raw separators or control characters');
  // Every tag's attributes are name="value" with nothing unescaped in the value; no handlers, no sources, links only within the page.
  for (const [tag, attrs] of [...html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)].map((m) => [m[1], m[2]])) {
    const rest = attrs.replace(/\s+([a-zA-Z][\w-]*)(="[^"<>]*")?/g, (_all, name: string, value?: string) => {
      assert.doesNotMatch(name, /^on|^src$|^style$|^srcdoc$|^formaction$/i, `<${tag}> carries ${name}`);
      if (name === 'href') assert.match(value ?? '', /^="#/, `<${tag}> links outside the page: ${value}`);
      return '';
    });
    assert.match(rest, /^\s*\/?$/, `<${tag}${attrs}> has something that is not an attribute`);
  }
  assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org)|url\(|@import/i, 'something that could be fetched');
}

describe('text()', () => {
  const cases: [string, string][] = [
    ['<b>&"\'', '&lt;b&gt;&amp;&quot;&#39;'],
    ['a\u2028b\u2029c', 'a&#x2028;b&#x2029;c'],
    ['\u001b[31m', '\\x1b[31m'],
    ['tab\tand\nnewline', 'tab\tand\nnewline'],
    ['plain ü 🚀', 'plain ü 🚀'],
  ];
  for (const [input, want] of cases) it(JSON.stringify(input), () => assert.equal(text(input), want));
  it('null and numbers', () => {
    assert.equal(text(null), '');
    assert.equal(text(3.5), '3.5');
  });
});

function hostileModel(): ReportModel {
  const evil = EVIL.join(' ');
  const point = (i: number, flagged: boolean): TrendPoint => ({
    run_ref: `run:p.${evil}${i}`,
    name: `${evil}${i}`,
    started_at: '2025-01-01T00:00:00Z',
    status: 'completed',
    value: i,
    baseline: null,
    warn: i > 1 ? { low: 0, high: 10 } : null,
    error: i > 1 ? { low: -5, high: 15 } : null,
    flagged: flagged ? { severity: 'error', code: evil, summary: evil } : null,
  });
  const counts = { error: 1, warning: 1, info: 1 };
  return {
    workspace: evil,
    generated_at: evil,
    counts,
    projects: [
      {
        project: evil,
        stages: [evil, 'train'],
        total_runs: 2,
        counts,
        runs: [
          {
            run_ref: `run:p.${evil}`,
            name: evil,
            status: 'completed',
            started_at: evil,
            stages: [
              { name: evil, status: 'completed', counts },
              { name: 'train', status: null, counts: { error: 0, warning: 0, info: 0 } },
            ],
            run_counts: counts,
            counts,
          },
        ],
        series: [
          { key: { kind: 'metric', stage: evil, metric_key: evil }, label: evil, unit: null, points: [point(0, false), point(1, true), point(2, false), point(3, true)], baseline: null, policy: { ...DEFAULT_POLICY }, anomaly_enabled: true },
        ],
        unreadable_issues: [{ severity: 'error', code: evil, summary: evil, run_ref: evil, stage: null, subject_ref: null, details: {}, evidence: [] }],
        issues: (['error', 'warning', 'info'] as const).map((severity) => ({
          severity,
          code: evil,
          summary: evil,
          run_ref: `run:p.${evil}`,
          stage: evil,
          subject_ref: evil,
          details: { sentence: evil, attributes: { x: evil } },
          evidence: [evil],
        })),
      },
    ],
  };
}

describe('reportHtml', () => {
  it('hostile strings in every field stay text', () => {
    const html = reportHtml(hostileModel());
    assertInert(html);
    assert.ok(html.includes('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'), 'the </script> string is escaped as text');
    assert.ok(html.includes('&quot; onmouseover=&quot;alert(1)&quot; x=&quot;'), 'quotes are escaped');
  });

  it('the Content-Security-Policy allows exactly the page own style and script', () => {
    const html = reportHtml(hostileModel());
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    assert.match(csp, /default-src 'none'/);
    assert.ok(csp.includes(`script-src ${hash(script)}`), csp);
    assert.ok(csp.includes(`style-src ${hash(style)}`), csp);
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  });

  it('flagged points are dots on a rule, with their severity and summary', () => {
    const points: TrendPoint[] = [10, 11, 0].map((value, i) => ({
      run_ref: `run:p.n${i}`, name: `n${i}`, started_at: '2025-01-01T00:00:00Z', status: 'completed', value,
      baseline: null, warn: { low: 9, high: 12 }, error: { low: 5, high: 16 },
      flagged: i === 2 ? { severity: 'error', code: 'metric_collapse', summary: 'rows 0 — typical 10' } : null,
    }));
    const svg = sparklineSvg(points, { label: 'rows', format: String });
    assert.equal(svg.match(/<circle class="dot flag flag-error" cx="\d+(\.\d)?" cy="\d+(\.\d)?" r="16">/g)?.length, 1);
    assert.equal(svg.match(/<line class="rule flag flag-error"/g)?.length, 1);
    assert.equal(svg.match(/<circle class="dot /g)?.length, 1, 'the newest point is the flagged one: one dot');
    assert.match(svg, /<title>n2: 0 \(error\) rows 0 — typical 10<\/title>/);
    assert.equal(svg.match(/<polygon class="band-warn"/g)?.length, 1);
    assert.equal(svg.match(/<polygon class="band-error"/g)?.length, 1);
    assert.match(svg, /<polyline class="line" points="(\d+(\.\d)?,\d+(\.\d)? ){2}\d+(\.\d)?,\d+(\.\d)?"\/>/);
  });

  it('a real history: matrix rows, a sparkline per series, issues, nothing external', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-html-'));
    try {
      writeNightlyHistory(path.join(dir, '.contexta'), 30);
      const ws = openWorkspace(path.join(dir, '.contexta'));
      const model = buildReportModel(ws, { project: HISTORY_PROJECT, last: 20, generated_at: '2025-05-01T00:00:00Z' });
      const section = model.projects[0];
      assert.equal(section.runs.length, 20);
      assert.equal(section.total_runs, 30);
      assert.equal(section.runs[0].name, 'night-030', 'newest first');
      // Baselines come from all 30 nights, though only 20 are shown.
      const rows = section.series.find((s) => s.key.kind === 'metric' && s.key.stage === 'validate')!;
      assert.equal(rows.points.length, 20);
      assert.ok(rows.points[0].baseline, 'the first shown night already has a baseline from the 10 before it');
      const html = reportHtml(model);
      assertInert(html);
      assert.equal(html.match(/<svg class="spark"/g)?.length, section.series.length);
      assert.equal(html.match(/<tr><th scope="row"/g)?.length, 20);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
