/**
 * Which metric is a row count: declared by the user (flags or environment),
 * never guessed, as `<stage>.<metric-key>`: the stage name has no dots, so the
 * first dot splits it from the key.
 */
import { ContextaError } from '../../errors';
import { componentProblem } from '../../../schema/refs';

export function parseRowDeclarations(items: string[], source: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const item of items.map((s) => s.trim()).filter(Boolean)) {
    const dot = item.indexOf('.');
    const stage = dot > 0 ? item.slice(0, dot) : '';
    const key = dot > 0 ? item.slice(dot + 1) : '';
    const problem = stage ? componentProblem(stage) : 'is empty';
    if (problem || !key) {
      throw new ContextaError('usage', `${source} ${JSON.stringify(item)}: expected <stage>.<metric-key>, e.g. validate.rows-out${problem ? ` (the stage ${problem})` : ''}`, {
        field: source,
        value: item,
      });
    }
    out[stage] = key;
  }
  return out;
}

/** Flags win over the environment, stage by stage. */
export function rowDeclarations(flags: string[] | undefined, env: string | undefined, flag: string, envName: string): Record<string, string> {
  return { ...parseRowDeclarations((env ?? '').split(','), envName), ...parseRowDeclarations(flags ?? [], flag) };
}
