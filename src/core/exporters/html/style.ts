/**
 * The report's stylesheet: system fonts only (nothing to fetch), readable from a
 * phone (the matrix scrolls sideways inside its box, cards stack), colour plus a
 * glyph for every health state, and a print-friendly default.
 */
export const STYLE = `
:root{--ok:#d8f0dc;--ok-fg:#1b5e20;--warn:#ffe7a0;--warn-fg:#7a5200;--err:#f9c9c9;--err-fg:#a3131a;--open:#dfe3ff;--open-fg:#283593;--cancel:#eceff1;--cancel-fg:#455a64;--ink:#1c2530;--muted:#5f6b7a;--line:#d5dbe3}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fafbfc}
header,main,footer{max-width:1100px;margin:0 auto;padding:0 14px}
h1{font-size:1.4em;margin:.8em 0 .2em}h2{font-size:1.2em;margin:1.4em 0 .4em;border-bottom:2px solid var(--line);padding-bottom:.2em}
h3{font-size:1.02em;margin:1.2em 0 .4em}h4{font-size:.95em;margin:.9em 0 .2em}
small,.meta,.hint,.legend,.typical,.date{color:var(--muted);font-weight:normal}
.meta{font-size:.85em;word-break:break-all}.hint{font-size:.85em}
nav a{margin-right:.8em}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef1f5;padding:0 .25em;border-radius:3px;word-break:break-all}
.scroll{overflow:auto;max-height:55vh;border:1px solid var(--line);background:#fff}
table.matrix{border-collapse:collapse;font-size:.85em;min-width:100%}
.matrix th,.matrix td{border:1px solid var(--line);padding:.05em .45em;text-align:center;white-space:nowrap}
.matrix thead th{position:sticky;top:0;background:#f1f4f8;z-index:1}
.matrix th.run{text-align:left;font-weight:normal;position:sticky;left:0;background:#fff}
.matrix td a,.matrix td span{display:block;color:inherit;text-decoration:none;min-width:1.6em}
.matrix td.n{text-align:left;color:var(--muted)}
.h-ok{background:var(--ok);color:var(--ok-fg)}.h-warning{background:var(--warn);color:var(--warn-fg)}
.h-error{background:var(--err);color:var(--err-fg)}.h-open{background:var(--open);color:var(--open-fg)}
.h-cancelled{background:var(--cancel);color:var(--cancel-fg)}.h-none{background:repeating-linear-gradient(45deg,#fff,#fff 4px,#f3f4f6 4px,#f3f4f6 8px);color:var(--muted)}
.matrix th.run.h-error{background:var(--err)}.matrix th.run.h-warning{background:var(--warn)}
.legend span{display:inline-block;padding:0 .4em;margin:.15em .1em;border-radius:3px;font-size:.85em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(290px,1fr));gap:10px}
.card{margin:0;background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.card.flagged{border-color:var(--err-fg)}
.card figcaption{display:flex;gap:.5em;align-items:baseline;flex-wrap:wrap;word-break:break-all}
.card .last{margin-left:auto;font-variant-numeric:tabular-nums}
.nflag{color:var(--err-fg);font-size:.85em}
.typical{font-size:.8em;margin:.2em 0 0}
svg.spark{display:block;width:100%;height:auto;margin-top:4px}
.spark .band-error{fill:#eef2f7}.spark .band-warn{fill:#d9e2ee}
.spark .line{fill:none;stroke:#1f4e8c;stroke-width:1.75px;vector-effect:non-scaling-stroke}
.spark .dot{fill:#1f4e8c;stroke:#fff;stroke-width:1px;vector-effect:non-scaling-stroke}
.spark .rule{stroke-width:1.5px;vector-effect:non-scaling-stroke;stroke-dasharray:3 3}
.spark .flag-error{fill:#d32f2f;stroke:#d32f2f}.spark .flag-warning{fill:#e69500;stroke:#e69500}.spark .flag-info{fill:#1976d2;stroke:#1976d2}
.spark .dot.flag{stroke:#fff}
.filter{border:1px solid var(--line);border-radius:6px;margin:.6em 0;padding:.3em .8em;background:#fff}
.filter label{margin-right:1em;white-space:nowrap}
.issues ul{list-style:none;padding:0;margin:0}
.issues li{padding:.35em .5em;border-left:4px solid var(--line);margin:.25em 0;background:#fff;overflow-wrap:anywhere}
.issues li.sev-error{border-color:var(--err-fg)}.issues li.sev-warning{border-color:#f9a825}.issues li.sev-info{border-color:#1976d2}
.sev{display:inline-block;min-width:4.5em;font-size:.78em;font-weight:600;text-transform:uppercase}
.sev-error .sev{color:var(--err-fg)}.sev-warning .sev{color:var(--warn-fg)}.sev-info .sev{color:#1565c0}
.stage{font-size:.85em;background:#eef1f5;border-radius:3px;padding:0 .35em}
.detail{display:block;color:var(--muted);font-size:.85em}
.run-issues:target h4{background:var(--warn);scroll-margin-top:8px}
body[data-hide~="error"] .issues li.sev-error,body[data-hide~="warning"] .issues li.sev-warning,body[data-hide~="info"] .issues li.sev-info{display:none}
footer{font-size:.8em;color:var(--muted);margin-top:2em;padding-bottom:2em}
@media (max-width:600px){body{font-size:14px}.cards{grid-template-columns:1fr}.matrix .date{display:none}}
`;
