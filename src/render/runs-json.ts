/**
 * `runs --json` written from rows as text: the same bytes as
 * `JSON.stringify(report, null, 2)`. Each row is made as it stands at its depth in the
 * document, so the read cache can remember that text and a warm call copies it out:
 * over 10,000 runs, parsing remembered rows and stringifying the document again was a
 * quarter of the call.
 */
import type { RunsListing, RunsRow } from '../core/reading/reports';

const ROW_BEFORE = '{\n  "runs": [\n';
const ROW_AFTER = '\n  ]\n}';

/** A row as it stands in the document's runs array (indented as JSON.stringify(doc, null, 2) puts it). */
export function runsRowJson(row: RunsRow): string {
  const doc = JSON.stringify({ runs: [row] }, null, 2);
  return doc.slice(ROW_BEFORE.length, doc.length - ROW_AFTER.length);
}

/** The document: its fields in RunsReport's order (workspace, runs, matched, unreadable), the rows put in place. */
export function renderRunsJson(listing: RunsListing): string {
  const { workspace, rows, matched, unreadable } = listing;
  const doc = JSON.stringify({ workspace, runs: [], matched, unreadable }, null, 2);
  if (!rows.length) return doc;
  // A raw newline never occurs inside a JSON string, so this is the runs key itself.
  const key = '\n  "runs": [';
  const at = doc.indexOf(`${key}]`) + key.length;
  return `${doc.slice(0, at)}\n${rows.join(',\n')}\n  ]${doc.slice(at + 1)}`;
}
