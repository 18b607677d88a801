/**
 * docs/diagnosis.md stays in step with the rules: its rule reference is exactly
 * what the rules' metadata generates, and every rule `contexta rules` lists
 * (and only those) is documented there with its severity and option defaults.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULE_METAS, RULES } from '../../src/core/diagnosis/rules/index';
import { rulesMarkdown } from '../../src/render/rules';

const DOC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'diagnosis.md');
const START = /<!-- rules:start[^>]*-->\n/;
const END = '<!-- rules:end -->';

test('docs/diagnosis.md rule reference is generated from the rules metadata', () => {
  const text = fs.readFileSync(DOC, 'utf8');
  const start = START.exec(text);
  assert.ok(start, 'docs/diagnosis.md has a <!-- rules:start --> marker');
  const block = text.slice(start.index + start[0].length, text.indexOf(END)).trim();
  assert.equal(block, rulesMarkdown(RULE_METAS), 'run: node --import tsx scripts/rules-doc.ts');
});

test('every rule has metadata, one code each, and is documented with its defaults', () => {
  const text = fs.readFileSync(DOC, 'utf8');
  assert.equal(RULE_METAS.length, RULES.length);
  assert.equal(new Set(RULE_METAS.map((m) => m.code)).size, RULE_METAS.length);
  for (const m of RULE_METAS) {
    assert.match(text, new RegExp(`##### \`${m.code}\``));
    assert.ok(['error', 'warning', 'info'].includes(m.severity));
    for (const o of m.options) assert.ok(text.includes(`\`${o.name}\` (default \`${o.default}\`)`), `${m.code}.${o.name}`);
  }
  const documented = [...text.matchAll(/^##### `([a-z_]+)`$/gm)].map((x) => x[1]);
  assert.deepEqual(documented.sort(), RULE_METAS.map((m) => m.code).sort());
});
