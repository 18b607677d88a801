/** `contexta rules` as text: one block per rule, grouped by kind, with its severity policy and options. */
import type { RuleMeta } from '../core/diagnosis/rules/meta';
import { makeChalk, paintSeverity, type RenderOptions } from './style';

const KIND_TITLE: Record<RuleMeta['kind'], string> = {
  recorded: 'Recorded: what the pipeline itself said',
  integrity: 'Integrity: the workspace files',
  learned: 'Learned: from the project\'s own history (no configuration)',
  declared: 'Declared: from contexta.yml',
};

export function renderRules(metas: readonly RuleMeta[], opts: RenderOptions): string {
  const c = makeChalk(opts.color);
  const out: string[] = [];
  for (const kind of ['learned', 'declared', 'recorded', 'integrity'] as const) {
    const list = metas.filter((m) => m.kind === kind);
    if (!list.length) continue;
    out.push(c.bold(KIND_TITLE[kind]));
    for (const m of list) {
      out.push(`  ${c.bold(m.code)}  ${paintSeverity(c, m.severity, m.severity)}  ${m.description}`);
      out.push(c.dim(`    severity: ${m.severity_policy}`));
      for (const o of m.options) out.push(c.dim(`    ${o.name} = ${o.default}: ${o.description}`));
    }
    out.push('');
  }
  out.push('Tune or silence a rule in contexta.yml: `rules: { <code>: off | info | warn | error }` (see docs/diagnosis.md).');
  return out.join('\n');
}

/** The rule reference of docs/diagnosis.md, generated from the same metadata (a test keeps the two equal). */
export function rulesMarkdown(metas: readonly RuleMeta[]): string {
  const out: string[] = [];
  for (const kind of ['learned', 'declared', 'recorded', 'integrity'] as const) {
    out.push(`#### ${KIND_TITLE[kind]}`, '');
    for (const m of metas.filter((x) => x.kind === kind)) {
      out.push(`##### \`${m.code}\``, '', `${m.description[0].toUpperCase()}${m.description.slice(1)}.`, '');
      out.push(`- Default severity: **${m.severity}**. ${m.severity_policy[0].toUpperCase()}${m.severity_policy.slice(1)}.`);
      for (const o of m.options) out.push(`- \`${o.name}\` (default \`${o.default}\`): ${o.description}.`);
      out.push(`- Silence: \`rules: { ${m.code}: off }\` in contexta.yml; or change its severity: \`${m.code}: warn\`.`, '');
    }
  }
  return out.join('\n').trimEnd();
}
