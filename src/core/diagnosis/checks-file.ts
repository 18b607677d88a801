/**
 * contexta.yml: the checks a team declares next to its pipeline. Found like the
 * workspace (--checks FILE, CONTEXTA_CHECKS, else the nearest contexta.yml from
 * the working directory up), parsed with `yaml` for node positions and validated
 * with zod; any problem is a usage error naming `contexta.yml:LINE:COL` and what
 * is allowed. Only `diagnose` loads this module, and only when there is a file
 * (checks-locate.ts finds it): never `record`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { ContextaError } from '../errors';
import { describeIssue } from '../writing/validate';
import type { ChecksFile } from './checks';
import { ChecksDocument, toChecks } from './checks-schema';

/** Where `at` is in the file: the value there (or, with `key`, its key), else the deepest node the path reaches. */
function positionOf(doc: Document, lc: LineCounter, at: (string | number)[], key = false): { line: number; col: number } {
  for (let n = at.length; n >= 0; n--) {
    const node = key && n === at.length ? undefined : doc.getIn(at.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]);
    if (n > 0) {
      // A key's own position (for unrecognized keys and values that are null).
      const parent = doc.getIn(at.slice(0, n - 1), true) as { items?: { key: unknown }[] } | undefined;
      const pair = parent?.items?.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === at[n - 1]);
      if (pair && isNode(pair.key) && pair.key.range) return lc.linePos(pair.key.range[0]);
    }
  }
  return { line: 1, col: 1 };
}

const ALLOWED = 'see docs/diagnosis.md#declared-checks-contextayml: top level `version`, `rules`, `projects`; per project `stages`, `compare`, `freshness`, `anomaly`, `rules`';

interface ZodIssue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  errors?: ZodIssue[][];
}

/** A union (`false`, or a settings map) fails as a whole: report the branch that got furthest, at its own path. */
function innermost(issue: ZodIssue): ZodIssue {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return issue;
  const branches = issue.errors.map((list) => list[0]).filter(Boolean);
  const best = branches.find((b) => b.path.length > 0 || b.code !== 'invalid_type') ?? branches[0];
  return best ? innermost({ ...best, path: [...issue.path, ...best.path] }) : issue;
}

export function loadChecks(file: string): ChecksFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ContextaError('usage', `cannot read checks file ${file}: ${(err as Error).message}`, { file });
  }
  const label = path.basename(file);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    // The message names where the parser gave up ("at line 3, column 1"), which is where the reader should look.
    const said = /at line (\d+), column (\d+)/.exec(e.message);
    const pos = said ? { line: Number(said[1]), col: Number(said[2]) } : (e.linePos?.[0] ?? { line: 1, col: 1 });
    const what = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new ContextaError('usage', `${label}:${pos.line}:${pos.col}: not valid YAML: ${what}`, { file, line: pos.line, col: pos.col });
  }
  const parsed = ChecksDocument.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = innermost(parsed.error.issues[0] as ZodIssue);
    const where = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const keys = (issue as { keys?: string[] }).keys;
    const pos = positionOf(doc, lc, keys?.length ? [...where, keys[0]] : where, !!keys?.length);
    const field = where.join('.') || '(top level)';
    const value = doc.getIn(where);
    const message = keys?.length ? `unknown key ${JSON.stringify(keys[0])} in ${field}` : `${field} ${describeIssue(issue as Parameters<typeof describeIssue>[0], value)}`;
    throw new ContextaError('usage', `${label}:${pos.line}:${pos.col}: ${message} (${ALLOWED})`, { file, line: pos.line, col: pos.col, field });
  }
  const result = toChecks(parsed.data, file);
  if ('problem' in result) {
    const pos = positionOf(doc, lc, result.path, result.key);
    throw new ContextaError('usage', `${label}:${pos.line}:${pos.col}: ${result.problem}`, { file, line: pos.line, col: pos.col, field: result.path.join('.') });
  }
  return result;
}
