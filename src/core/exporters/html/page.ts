/**
 * `contexta report` as ONE self-contained HTML page: inline CSS, a few lines of
 * inline JavaScript, inline SVG; no fonts, images or requests, so it opens from a
 * CI artifact or a mail attachment with no network. A Content-Security-Policy
 * allows exactly the page's own style and script (by hash) and nothing else, so
 * even a string that escaped escaping could not load or run anything.
 */
import { createHash } from 'node:crypto';
import { baselineSentence } from '../../diagnosis/baseline';
import type { ReportModel, ReportProject, ReportSeries } from '../../reading/report-model';
import { issuesHtml } from './issues';
import { countsText, matrixHtml } from './matrix';
import { sparklineSvg } from './sparkline';
import { anchorId, text } from './escape';
import { STYLE } from './style';

/** Hides the severities whose box is unticked. Without JavaScript the boxes stay hidden and every issue shows. */
const SCRIPT = `(function(){var f=document.getElementById('filter');if(!f)return;f.hidden=false;
function u(){var h=[];f.querySelectorAll('input').forEach(function(i){if(!i.checked)h.push(i.value)});document.body.setAttribute('data-hide',h.join(' '))}
f.addEventListener('change',u);u()})();`;

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

const CSP = `default-src 'none'; style-src ${sha256(STYLE)}; script-src ${sha256(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;

export function formatValue(v: number, unit: string | null): string {
  if (!Number.isFinite(v)) return String(v);
  if (unit === 'ms') {
    if (v < 1000) return `${Math.round(v)} ms`;
    if (v < 120_000) return `${Number((v / 1000).toPrecision(3))} s`;
    return `${Number((v / 60_000).toPrecision(3))} min`;
  }
  if (Number.isInteger(v) || Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(4)).toString();
}

function seriesCard(section: ReportProject, s: ReportSeries): string {
  const fmt = (v: number) => formatValue(v, s.unit);
  const last = s.points[s.points.length - 1];
  const flagged = s.points.filter((p) => p.flagged).length;
  const b = s.baseline;
  // The same sentence diagnosis puts in its issues, about the newest value shown.
  const typical = !s.anomaly_enabled
    ? 'anomaly detection is turned off for this series in contexta.yml'
    : !b
      ? 'learning: not enough history for a baseline yet'
      : s.unit === 'ms'
        ? baselineSentence('latest', last.value / 1000, { ...b, median: b.median / 1000, min: b.min / 1000, max: b.max / 1000 }, 's')
        : baselineSentence('latest', last.value, b, s.unit ?? '');
  return (
    `<figure class="card${flagged ? ' flagged' : ''}" id="${anchorId('s', section.project, s.key.stage ?? '', s.key.kind === 'metric' ? s.key.metric_key : 'duration')}">` +
    `<figcaption><b>${text(s.label)}</b> <span class="last">${text(fmt(last.value))}</span>` +
    `${flagged ? ` <span class="nflag">${flagged} flagged</span>` : ''}</figcaption>` +
    sparklineSvg(s.points, { label: `${s.label}: ${s.points.length} runs`, format: fmt }) +
    `<p class="typical">${text(typical)}</p></figure>`
  );
}

function projectHtml(section: ReportProject): string {
  const shown = section.runs.length < section.total_runs ? `newest ${section.runs.length} of ${section.total_runs} runs` : `${section.runs.length} runs`;
  const cards = section.series.filter((s) => s.points.length).map((s) => seriesCard(section, s));
  return (
    `<section class="project" id="${anchorId('p', section.project)}">` +
    `<h2>${text(section.project)} <small>${text(shown)} · ${text(countsText(section.counts))}</small></h2>` +
    `<h3>Runs × stages</h3>${section.runs.length ? matrixHtml(section) : '<p class="empty">No runs.</p>'}` +
    `<h3>Metrics and durations</h3>` +
    (cards.length
      ? `<p class="hint">Line: the value per run, oldest left. Bands: the warning (dark) and error (light) range each run was judged against, learned from the runs before it. Red or amber dots on a dashed rule: runs diagnose flagged (hover for why).</p><div class="cards">${cards.join('\n')}</div>`
      : '<p class="empty">No metrics recorded.</p>') +
    `<h3>Issues</h3><div class="issues">${issuesHtml(section)}</div></section>`
  );
}

export function reportHtml(model: ReportModel): string {
  const c = model.counts;
  const filter =
    `<fieldset id="filter" class="filter" hidden><legend>Show issues</legend>` +
    `<label class="sev-error"><input type="checkbox" value="error" checked> errors (${c.error})</label>` +
    `<label class="sev-warning"><input type="checkbox" value="warning" checked> warnings (${c.warning})</label>` +
    `<label class="sev-info"><input type="checkbox" value="info" checked> info (${c.info})</label></fieldset>`;
  const nav = model.projects.length > 1 ? `<nav>${model.projects.map((p) => `<a href="#${anchorId('p', p.project)}">${text(p.project)}</a>`).join(' ')}</nav>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="generator" content="contexta report">
<title>contexta report</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>contexta report</h1>
<p class="meta">${text(model.workspace)} · generated ${text(model.generated_at)} · ${text(countsText(c))}</p>
${nav}${filter}</header>
<main>
${model.projects.length ? model.projects.map(projectHtml).join('\n') : '<p class="empty">No projects in this workspace.</p>'}
</main>
<footer><p>Baselines: exactly those <code>contexta diagnose</code> applied to each run — median and MAD of the recent completed runs without errors, with the same contexta.yml anomaly settings and baseline resets.</p></footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
