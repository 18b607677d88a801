/**
 * Transport configuration, found the way the OpenLineage clients find it:
 * OPENLINEAGE_DISABLED turns everything off; else the first openlineage.yml of
 * OPENLINEAGE_CONFIG, ./openlineage.yml, ~/.openlineage/openlineage.yml; else
 * OPENLINEAGE_URL (+ OPENLINEAGE_ENDPOINT, OPENLINEAGE_API_KEY) as an HTTP
 * transport; else nothing is configured (contexta then sends nothing).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ContextaError } from '../../errors';
import { isTruthy } from './wants';

export const DEFAULT_ENDPOINT = 'api/v1/lineage';
export const DEFAULT_NAMESPACE = 'contexta';
/** Per request, as the Python client's default; the whole call is bounded separately (see transports.ts). */
export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_RETRIES = 3;
export const DEFAULT_BACKOFF_MS = 300;

export interface HttpConfig {
  type: 'http';
  url: string;
  endpoint: string;
  apiKey?: string;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}
export interface FileConfig {
  type: 'file';
  path: string;
  append: boolean;
}
export interface ConsoleConfig {
  type: 'console';
}
export interface CompositeConfig {
  type: 'composite';
  transports: TransportConfig[];
  continueOnFailure: boolean;
}
export type TransportConfig = HttpConfig | FileConfig | ConsoleConfig | CompositeConfig;

export interface OpenLineageSettings {
  /** null: disabled, or nothing configured. */
  transport: TransportConfig | null;
  namespace: string;
  /** Where the transport came from, for messages: a file path, "OPENLINEAGE_URL", "disabled" or "none". */
  source: string;
}

type Env = Record<string, string | undefined>;

const truthy = isTruthy;

export function resolveSettings(env: Env, cwd: string, home: string | undefined): OpenLineageSettings {
  const namespace = env.OPENLINEAGE_NAMESPACE || DEFAULT_NAMESPACE;
  if (truthy(env.OPENLINEAGE_DISABLED)) return { transport: null, namespace, source: 'disabled' };
  const candidates = [
    env.OPENLINEAGE_CONFIG ? path.resolve(cwd, env.OPENLINEAGE_CONFIG) : null,
    path.join(cwd, 'openlineage.yml'),
    home ? path.join(home, '.openlineage', 'openlineage.yml') : null,
  ].filter((p): p is string => p !== null);
  for (const file of candidates) {
    const text = readIfExists(file, file === candidates[0] && Boolean(env.OPENLINEAGE_CONFIG));
    if (text === null) continue;
    const doc = parseYaml(text, file);
    const transport = doc.transport === undefined ? null : transportFrom(doc.transport, `${file}: transport`);
    if (transport) return { transport, namespace, source: file };
  }
  if (env.OPENLINEAGE_URL) {
    const transport = httpFrom(
      { url: env.OPENLINEAGE_URL, endpoint: env.OPENLINEAGE_ENDPOINT, auth: env.OPENLINEAGE_API_KEY ? { type: 'api_key', apiKey: env.OPENLINEAGE_API_KEY } : undefined },
      'OPENLINEAGE_URL',
    );
    return { transport, namespace, source: 'OPENLINEAGE_URL' };
  }
  return { transport: null, namespace, source: 'none' };
}

function readIfExists(file: string, required: boolean): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!required && (code === 'ENOENT' || code === 'ENOTDIR')) return null;
    throw new ContextaError('usage', `cannot read OpenLineage config ${file} (OPENLINEAGE_CONFIG): ${code ?? String(err)}`, { file });
  }
}

function parseYaml(text: string, file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ContextaError('usage', `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { file });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ContextaError('usage', `${file} must be a mapping with a "transport" key`, { file });
  return doc as Record<string, unknown>;
}

const bad = (where: string, what: string) => new ContextaError('usage', `${where}: ${what}`, { field: where });

function transportFrom(raw: unknown, where: string): TransportConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad(where, 'must be a mapping with a "type"');
  const t = raw as Record<string, unknown>;
  switch (t.type) {
    case 'http':
      return httpFrom(t, where);
    case 'file': {
      if (typeof t.log_file_path !== 'string' || !t.log_file_path) throw bad(`${where}.log_file_path`, 'is required for a file transport');
      return { type: 'file', path: t.log_file_path, append: t.append === undefined ? false : t.append === true };
    }
    case 'console':
      return { type: 'console' };
    case 'composite': {
      const list = Array.isArray(t.transports) ? t.transports : t.transports && typeof t.transports === 'object' ? Object.values(t.transports) : null;
      if (!list || list.length === 0) throw bad(`${where}.transports`, 'must list at least one transport');
      return {
        type: 'composite',
        transports: list.map((child, i) => transportFrom(child, `${where}.transports[${i}]`)),
        continueOnFailure: t.continue_on_failure === undefined ? true : t.continue_on_failure === true,
      };
    }
    default:
      throw bad(`${where}.type`, `${JSON.stringify(t.type)} is not supported (allowed: http, file, console, composite)`);
  }
}

function httpFrom(t: Record<string, unknown>, where: string): HttpConfig {
  const url = t.url;
  if (typeof url !== 'string' || !/^https?:\/\/[^/]/i.test(url)) throw bad(`${where}${where.endsWith('URL') ? '' : '.url'}`, `must be an http(s) URL, got ${JSON.stringify(url)}`);
  try {
    new URL(url);
  } catch {
    throw bad(where, `${JSON.stringify(url)} is not a valid URL`);
  }
  const endpoint = t.endpoint === undefined || t.endpoint === '' ? DEFAULT_ENDPOINT : String(t.endpoint);
  const auth = t.auth as Record<string, unknown> | undefined;
  let apiKey: string | undefined;
  if (auth && typeof auth === 'object') {
    if (auth.type !== undefined && auth.type !== 'api_key') throw bad(`${where}.auth.type`, `${JSON.stringify(auth.type)} is not supported (allowed: api_key)`);
    const key = auth.apiKey ?? auth.api_key;
    if (typeof key === 'string' && key) apiKey = key;
  }
  const seconds = t.timeout === undefined ? DEFAULT_TIMEOUT_MS / 1000 : Number(t.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) throw bad(`${where}.timeout`, 'must be a positive number of seconds');
  const retry = (t.retry ?? {}) as Record<string, unknown>;
  const total = retry.total === undefined ? DEFAULT_RETRIES : Number(retry.total);
  if (!Number.isInteger(total) || total < 0 || total > 10) throw bad(`${where}.retry.total`, 'must be an integer from 0 to 10');
  const factor = retry.backoff_factor === undefined ? DEFAULT_BACKOFF_MS / 1000 : Number(retry.backoff_factor);
  if (!Number.isFinite(factor) || factor < 0 || factor > 10) throw bad(`${where}.retry.backoff_factor`, 'must be from 0 to 10 seconds');
  return { type: 'http', url, endpoint, apiKey, timeoutMs: Math.round(seconds * 1000), retries: total, backoffMs: Math.round(factor * 1000) };
}

/** Where events for an HTTP transport go: {url}/{endpoint}, with exactly one slash between. */
export function lineageUrl(config: HttpConfig): string {
  return `${config.url.replace(/\/+$/, '')}/${config.endpoint.replace(/^\/+/, '')}`;
}
