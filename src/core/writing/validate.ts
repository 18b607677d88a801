/**
 * Validation of whole records. `checkRecord` is the shared contract (the Python
 * library's rules, src/schema/records.ts) and returns the record as the library
 * stores it. The 0.1.0 contract and what readers accept are in readable.ts, kept
 * apart so writers (`record metric`, paid per pipeline stage) never build its zod
 * schemas at start-up. Problems, not exceptions, so `record import` can name the
 * line and field of each.
 */
import { normalizeRecord, type CanonicalRecord as Rec } from '../../schema/records';
import type { Problem } from '../../schema/fields';

export type { Problem } from '../../schema/fields';

export interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  values?: unknown[];
  expected?: string;
  received?: string;
  keys?: string[];
}

export function formatPath(path: PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/** A zod issue in words a shell user can act on: what is wrong and what is allowed. */
export function describeIssue(issue: ZodIssueLike, input?: unknown): string {
  switch (issue.code) {
    case 'invalid_value':
      return `must be one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      if (issue.received === 'undefined' || (input === undefined && issue.expected !== 'undefined')) {
        return `is required (${issue.expected})`;
      }
      if (issue.expected === 'number') return 'must be a finite number';
      return `must be ${article(issue.expected ?? 'value')}`;
    default:
      return issue.message;
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** Parse and check one record under the shared contract. `record` (the stored form) is set only when there are no problems. */
export function checkRecord(input: unknown): { record?: Rec; problems: Problem[] } {
  return normalizeRecord(input);
}

export function problemsText(problems: Problem[]): string {
  return problems.map((p) => (p.path ? `${p.path} ${p.message}` : p.message)).join('; ');
}
