/**
 * Regenerate the rule reference of docs/diagnosis.md from the rules' metadata:
 * `node --import tsx scripts/rules-doc.ts` (test/unit/diagnosis-docs.test.ts fails until it is in step).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULE_METAS } from '../src/core/diagnosis/rules/index';
import { rulesMarkdown } from '../src/render/rules';

const doc = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'diagnosis.md');
const text = fs.readFileSync(doc, 'utf8');
const start = /<!-- rules:start[^>]*-->\n/.exec(text);
const end = text.indexOf('<!-- rules:end -->');
if (!start || end < 0) throw new Error('docs/diagnosis.md lacks the rules:start / rules:end markers');
fs.writeFileSync(doc, `${text.slice(0, start.index + start[0].length)}${rulesMarkdown(RULE_METAS)}\n${text.slice(end)}`);
