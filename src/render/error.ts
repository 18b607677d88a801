/**
 * The one-line error people see on stderr (the JSON form is the caller's job). Prefixed
 * with the program name, as Unix tools do, so it is clear which tool in a pipeline failed.
 */
import { makeChalk, safe, type RenderOptions } from './style';

export interface ErrorInfo {
  code: string;
  message: string;
  details?: Record<string, unknown> | null;
}

export function renderError(err: ErrorInfo, opts: RenderOptions): string {
  const c = makeChalk(opts.color);
  const prefix = opts.color ? `contexta: ${c.red.bold('error:')} ` : 'contexta: ';
  // Messages may continue on indented lines ("\n  ", e.g. import refusals listing bad
  // lines): only that separator starts a line. Any other newline (in a path, a name, a
  // value) is escaped, so data can never forge a line of its own such as `contexta: error:`.
  const [first, ...rest] = err.message.split('\n  ').map(safe);
  const lines = [prefix + first, ...rest.map((line) => `  ${line}`)];
  const hint = err.details?.hint;
  // A hint is the next command to try; on its own line so it can be copied.
  if (typeof hint === 'string' && hint) lines.push(c.dim(`hint: ${safe(hint)}`));
  return `${lines.join('\n')}\n`;
}
