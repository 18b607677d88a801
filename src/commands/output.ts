/** Writing results: JSON documents, NDJSON streams (via ndjson) and rendered text. */
import type { CliContext } from './context';

export async function writeNdjson(ctx: CliContext, items: Iterable<unknown>): Promise<void> {
  const { default: ndjson } = await import('ndjson');
  const stream = ndjson.stringify();
  stream.on('data', (chunk: Buffer | string) => ctx.stdout.write(String(chunk)));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  for (const item of items) stream.write(item);
  stream.end();
  stream.resume();
  await done;
}

export function renderOptions(ctx: CliContext): { color: boolean; width?: number; tty?: boolean } {
  return { color: ctx.color, width: ctx.stdoutIsTTY ? ctx.columns : undefined, tty: Boolean(ctx.stdoutIsTTY) };
}

/** Rendered text always ends with exactly one newline, so shell prompts and pipes stay tidy. */
export function writeText(ctx: CliContext, text: string): void {
  ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
