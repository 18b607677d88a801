/**
 * From the names people already have (`scheduled__2025-04-07T02:00:00+00:00`,
 * `feature_engineering`, `Nightly`) to StableRef components, by fixed rules
 * (docs/names.md). The component is the path segment and the ref part; the
 * name as given is kept where the contract allows free text (project and run
 * `name`). Same name in, same component out, on every machine.
 */
import { nodeCrypto } from '../core/random';
import { COMPONENT_MAX, componentProblem } from './refs';

/** Longest name accepted, in characters (after trimming). */
export const NAME_MAX = 255;
const HASH_DIGITS = 8;

/** Characters that would forge lines or reorder text wherever a name is printed. */
const UNPRINTABLE = /[\p{Cc}\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/u;

export interface DerivedName {
  /** The name as given, trimmed (the Python library strips names too). */
  given: string;
  /** The StableRef component derived from it: equal to `given` when that is one already. */
  component: string;
}

export type NameResult = DerivedName | { problem: string };

/**
 * Derive the ref component of a project, run or stage name:
 * 1. surrounding whitespace is trimmed; an empty name, one longer than NAME_MAX
 *    characters, or one holding control or bidi characters is refused;
 * 2. a name that is a valid component already is its own component;
 * 3. otherwise accents are dropped (Unicode NFKD, combining marks removed), A-Z is
 *    lowercased, every run of characters other than a-z and 0-9 becomes one `-`,
 *    and `-` is trimmed from both ends; nothing left is refused;
 * 4. a result longer than 63 characters is cut to 54, trailing `-` trimmed, and
 *    `-` plus the first 8 hex digits of SHA-256(name as given, UTF-8) appended,
 *    so two long names that share a beginning still get different components.
 */
export function deriveName(raw: string): NameResult {
  const given = raw.trim();
  if (given === '') return { problem: 'is empty' };
  if (given.length > NAME_MAX) return { problem: `is ${given.length} characters long (at most ${NAME_MAX})` };
  if (UNPRINTABLE.test(given)) return { problem: 'holds a control or bidirectional-override character' };
  if (componentProblem(given) === null) return { given, component: given };
  const kebab = given
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[A-Z]+/g, (s) => s.toLowerCase())
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (kebab === '') return { problem: 'has no letter or digit (a-z, 0-9) to make a ref from' };
  if (kebab.length <= COMPONENT_MAX) return { given, component: kebab };
  const hash = nodeCrypto().createHash('sha256').update(given, 'utf8').digest('hex').slice(0, HASH_DIGITS);
  const head = kebab.slice(0, COMPONENT_MAX - HASH_DIGITS - 1).replace(/-+$/, '');
  return { given, component: `${head}-${hash}` };
}

/** The component of a name, or null when the name is refused. */
export function componentOf(raw: string): string | null {
  const derived = deriveName(raw);
  return 'problem' in derived ? null : derived.component;
}
