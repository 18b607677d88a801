import * as z from 'zod/mini';
import { initWorkspace } from '../core/storage/workspace';
import { ensureProject } from '../core/storage/store';
import type { CliContext, RawOptions } from './context';
import { escapeText } from '../render/escape';
import { Name, nowIso, parseOptions, workspaceRoot, writeJson } from './options';

export const InitOptions = z.object({
  project: z.optional(Name),
  json: z.optional(z.boolean()),
});
export type InitOptions = z.infer<typeof InitOptions>;

/** `contexta init`: create the workspace (and a project) if absent; running it again changes nothing. */
export function init(ctx: CliContext, raw: RawOptions): number {
  const opts = parseOptions(InitOptions, raw);
  const root = workspaceRoot(ctx);
  const { workspace, created } = initWorkspace(root);
  // The project keeps the name as typed; its ref component comes from Name (docs/names.md).
  if (opts.project) ensureProject(workspace, opts.project, nowIso(ctx), { project: String(raw.project).trim() });
  if (opts.json) {
    writeJson(ctx, { workspace: root, created, project: opts.project ?? null });
  } else {
    ctx.stdout.write(`${created ? 'Initialized empty contexta workspace in' : 'Reinitialized existing contexta workspace (nothing changed) in'} ${escapeText(root)}\n`);
  }
  return 0;
}
