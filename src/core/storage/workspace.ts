/**
 * Finding, creating and opening a workspace. Found like git finds .git:
 * --workspace, else CONTEXTA_WORKSPACE, else the nearest .contexta/ upwards,
 * else ./.contexta.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContextaError } from '../errors';
import { createFileExclusive, jsonText, readJsonFile } from './fsio';
import { WORKSPACE_FORMAT, WORKSPACE_FORMAT_VERSION, WorkspaceInfo } from '../../schema/entities';

export const DEFAULT_DIR = '.contexta';

export interface WorkspaceLocation {
  root: string;
  source: 'flag' | 'env' | 'found' | 'default';
}

export interface Workspace {
  root: string;
  info: WorkspaceInfo;
}

export function locateWorkspace(opts: { flag?: string; env?: string; cwd: string }): WorkspaceLocation {
  if (opts.flag) return { root: path.resolve(opts.cwd, opts.flag), source: 'flag' };
  if (opts.env) return { root: path.resolve(opts.cwd, opts.env), source: 'env' };
  let dir = path.resolve(opts.cwd);
  for (;;) {
    const candidate = path.join(dir, DEFAULT_DIR);
    if (isDir(candidate)) return { root: candidate, source: 'found' };
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return { root: path.resolve(opts.cwd, DEFAULT_DIR), source: 'default' };
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Open an existing workspace for reading or writing; never creates or rewrites anything. */
export function openWorkspace(root: string): Workspace {
  const file = path.join(root, 'workspace.json');
  const read = readJsonFile(file);
  if (!read.ok) {
    if (read.missing) {
      throw new ContextaError(
        'workspace',
        isDir(root)
          ? `${root} is not a contexta workspace (no workspace.json); run \`contexta init\``
          : `no contexta workspace at ${root}; run \`contexta init\` or pass --workspace PATH`,
        { workspace: root },
      );
    }
    throw new ContextaError('workspace', `cannot read workspace: ${read.reason}`, { workspace: root });
  }
  const info = checkInfo(read.value, file);
  return { root, info };
}

function checkInfo(value: unknown, file: string): WorkspaceInfo {
  const parsed = WorkspaceInfo.safeParse(value);
  if (!parsed.success) {
    throw new ContextaError(
      'workspace',
      `${file} is not a contexta workspace descriptor (expected {"format": "${WORKSPACE_FORMAT}", "format_version": N})`,
      { file },
    );
  }
  if (parsed.data.format_version > WORKSPACE_FORMAT_VERSION) {
    throw new ContextaError(
      'workspace',
      `workspace ${path.dirname(file)} has format version ${parsed.data.format_version}, newer than this contexta understands (${WORKSPACE_FORMAT_VERSION}); upgrade contexta — the workspace was not changed`,
      { file, format_version: parsed.data.format_version, supported: WORKSPACE_FORMAT_VERSION },
    );
  }
  return parsed.data;
}

/** No timestamp on purpose: `seed` must write the same bytes every time. */
export function workspaceInfo(): WorkspaceInfo {
  return { format: WORKSPACE_FORMAT, format_version: WORKSPACE_FORMAT_VERSION };
}

/** Create the workspace if absent (idempotent, never clobbers). Returns whether it was created. */
export function initWorkspace(root: string): { workspace: Workspace; created: boolean } {
  // An existing workspace is checked first, so a newer format is refused before anything is created in it.
  if (fs.existsSync(path.join(root, 'workspace.json'))) openWorkspace(root);
  try {
    fs.mkdirSync(path.join(root, 'projects'), { recursive: true });
  } catch (err) {
    throw new ContextaError('io', `cannot create workspace at ${root}: ${(err as Error).message}`, { workspace: root });
  }
  const info = workspaceInfo();
  const created = createFileExclusive(path.join(root, 'workspace.json'), jsonText(info));
  return { workspace: openWorkspace(root), created };
}

/** Open the workspace for writing, creating it first when it does not exist yet. */
export function openOrInitWorkspace(root: string): Workspace {
  if (fs.existsSync(path.join(root, 'workspace.json'))) return openWorkspace(root);
  return initWorkspace(root).workspace;
}
