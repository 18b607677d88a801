/**
 * Field rules of the shared contract, one function per rule of the Python library
 * (contract/models/context.py, records.py, extensions.py). Each reads a raw JSON
 * value, reports a problem naming the rule and a close valid example, and returns
 * the value as the library normalizes it (strings stripped, timestamps in UTC Z form).
 */
import { normalizeTimestamp } from './timestamps';
import { pyStrip } from './text';
import { refProblem, type RefKind } from './refs';

export interface Problem {
  path: string;
  message: string;
}

/** Non-enumerable mark of keys whose integral numbers are Python floats (`2.0`, not `2`). */
export const FLOAT_KEYS: unique symbol = Symbol('floatKeys');
export type Marked = { [FLOAT_KEYS]?: Set<string | number> };

export function markFloat(container: object, key: string | number): void {
  const c = container as Marked;
  if (!c[FLOAT_KEYS]) Object.defineProperty(c, FLOAT_KEYS, { value: new Set(), enumerable: false });
  c[FLOAT_KEYS]!.add(key);
}
export const isMarkedFloat = (container: object, key: string | number) =>
  (container as Marked)[FLOAT_KEYS]?.has(key) === true;

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const DOT_TOKEN = /^[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)*$/;
export const SNAKE_TOKEN = /^[a-z][a-z0-9_]*$/;
export const DOT_OR_SNAKE_TOKEN = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/;

/** A valid token close to `text`: lowercased, characters outside the grammar turned into `-` (or `_`). */
export function closeToken(text: string, pattern: RegExp): string {
  const joiner = pattern === DOT_TOKEN ? '-' : '_';
  const other = joiner === '-' ? /_/g : /-/g;
  const parts = text
    .toLowerCase()
    .replace(other, joiner)
    .split('.')
    .map((p) => p.replace(pattern === SNAKE_TOKEN || pattern === DOT_OR_SNAKE_TOKEN ? /[^a-z0-9_]+/g : /[^a-z0-9-]+/g, joiner).replace(/^[^a-z]+/, ''))
    .filter(Boolean);
  const guess = pattern === SNAKE_TOKEN ? parts.join('_') : parts.join('.');
  return pattern.test(guess) ? guess : pattern === SNAKE_TOKEN ? 'float' : 'my.key';
}

export class Fields {
  readonly problems: Problem[] = [];
  constructor(readonly prefix: string) {}

  /** Record a problem; only the first per field (a missing field is not also "not a string"). */
  fail(field: string, message: string): undefined {
    const path = this.prefix ? `${this.prefix}.${field}` : field;
    if (!this.problems.some((p) => p.path === path)) this.problems.push({ path, message });
    return undefined;
  }

  /** The library's _check_unknown_fields. */
  known(obj: Obj, allowed: ReadonlySet<string>, model: string): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.has(key)) this.fail(key, `is not a field of ${model} (allowed: ${[...allowed].join(', ')})`);
    }
  }

  required(obj: Obj, field: string): boolean {
    if (obj[field] === undefined) {
      this.fail(field, 'is required');
      return false;
    }
    return true;
  }

  /** _normalize_required_string: a string, stripped, not blank. */
  text(value: unknown, field: string): string | undefined {
    if (typeof value !== 'string') return this.fail(field, 'must be a string');
    const text = pyStrip(value);
    if (!text) return this.fail(field, 'must not be blank');
    return text;
  }

  optText(value: unknown, field: string): string | undefined {
    return value === undefined || value === null ? undefined : this.text(value, field);
  }

  marker(value: unknown, field: string, allowed: readonly string[]): string | undefined {
    const text = this.text(value, field);
    if (text === undefined) return undefined;
    if (!allowed.includes(text)) return this.fail(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')} (got ${JSON.stringify(text)})`);
    return text;
  }

  token(value: unknown, field: string, pattern: RegExp, rule: string): string | undefined {
    const text = this.text(value, field);
    if (text === undefined) return undefined;
    if (!pattern.test(text)) {
      return this.fail(field, `must be ${rule} (got ${JSON.stringify(text)}); did you mean \`${closeToken(text, pattern)}\`?`);
    }
    return text;
  }

  timestamp(value: unknown, field: string): { value: string; ms: number } | undefined {
    const result = normalizeTimestamp(value);
    if (!result.ok) return this.fail(field, result.problem);
    return { value: result.value, ms: result.ms };
  }

  ref(value: unknown, field: string, kind?: RefKind): string | undefined {
    if (typeof value !== 'string') return this.fail(field, 'must be a StableRef string (kind:value)');
    const problem = refProblem(value, kind);
    return problem ? this.fail(field, problem) : value;
  }

  optRef(value: unknown, field: string, kind?: RefKind): string | undefined {
    return value === undefined || value === null ? undefined : this.ref(value, field, kind);
  }

  /** _normalize_string_mapping (tags): string keys and values, both stripped and not blank, sorted. */
  stringMap(value: unknown, field: string): Obj | undefined {
    if (value === undefined || value === null) return {};
    if (!isObj(value)) return this.fail(field, 'must be an object of strings');
    const out: Obj = {};
    for (const [key, item] of Object.entries(value)) {
      const k = pyStrip(key);
      if (!k) return this.fail(field, 'has a blank key');
      if (typeof item !== 'string' || !pyStrip(item)) {
        return this.fail(`${field}.${key}`, 'must be a non-blank string (tag values are text: quote numbers, e.g. "3")');
      }
      defineOwn(out, k, pyStrip(item));
    }
    return out;
  }

  /** _normalize_json_mapping (attributes): top-level keys stripped and not blank; values any JSON. */
  jsonMap(value: unknown, field: string): Obj | undefined {
    if (value === undefined || value === null) return {};
    if (!isObj(value)) return this.fail(field, 'must be an object');
    const out: Obj = {};
    for (const key of Object.keys(value)) {
      const k = pyStrip(key);
      if (!k) return this.fail(field, 'has a blank key');
      defineOwn(out, k, value[key]);
      if (isMarkedFloat(value, key)) markFloat(out, k);
    }
    return out;
  }

  /**
   * `extensions`: the library's reader validates each namespace against its extension
   * registry, which is empty when it reads a segment, so any extension is refused there.
   */
  extensions(value: unknown, field: string): unknown[] | undefined {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return this.fail(field, 'must be a list');
    if (value.length === 0) return [];
    const ns = isObj(value[0]) ? JSON.stringify(value[0].namespace) : 'the first one';
    return this.fail(field, `must be empty: the Python library refuses extension namespaces it has not registered (${ns}); put such data in attributes`);
  }
}

/** Plain assignment of a "__proto__" key (JSON.parse makes it an own key) would drop it silently. */
export function defineOwn(target: Obj, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
