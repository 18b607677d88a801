/**
 * The one escaping rule for every text view (tables, headers, error messages): recorded
 * data and user-given names are shown, never obeyed by the terminal. Escaped, as visible
 * text:
 * - C0 controls, DEL and C1 controls (ESC[2J would clear the screen, \n would forge a row
 *   or a fake `contexta: error:` line, \r would overwrite one);
 * - bidi controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069), which reorder what
 *   people read ("Trojan Source");
 * - U+2028/U+2029, line and paragraph separators that some terminals and viewers break on.
 * The backslash itself is left alone: escapes are for reading, not for parsing back
 * (machine readers use --json).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Any value as one safe terminal line (null and undefined as the empty string). */
export function escapeText(value: unknown): string {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
  // The test first: most text has nothing to escape, and replace() with a callback is slower.
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text) ? text.replace(UNSAFE, escapeChar) : text;
}
