/**
 * The stored form of a record, byte for byte what the Python library writes:
 * `json.dumps(to_payload(record), ensure_ascii=False, sort_keys=True,
 * separators=(",", ":"))`. So: keys sorted by code point at every depth, null
 * members of objects dropped (its `_jsonify`), non-ASCII kept as is, integers
 * as digits and floats as Python's `repr` (`2.0`, `1e-07`, `1.5e+16`).
 * Same record, same bytes: what makes import → snapshot → import byte-stable.
 */
import { isMarkedFloat } from '../../schema/fields';
import { KEEP_NULL } from '../../schema/records';

/** Python's repr() of a float: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1) || '0';
  return `${sign}${whole}.${frac}`;
}

function pyNumber(n: number, float: boolean): string {
  if (!float && Number.isInteger(n)) return Number.isSafeInteger(n) ? String(n === 0 ? 0 : n) : BigInt(n).toString();
  return pyFloatRepr(n);
}

const ASCII_KEYS = /^[\x00-\x7f]*$/;
/** Python sorts str keys by code point; JS's default sort compares UTF-16 units (differs above U+FFFF). */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  if (keys.every((k) => ASCII_KEYS.test(k))) return keys.sort();
  return keys.sort((a, b) => {
    const ca = Array.from(a, (c) => c.codePointAt(0)!);
    const cb = Array.from(b, (c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i] - cb[i];
    return ca.length - cb.length;
  });
}

function write(value: unknown, parent: object | null, key: string | number): string {
  if (value === null || value === undefined || value === KEEP_NULL) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error('non-finite numbers cannot be stored (the library refuses NaN and Infinity)');
      return pyNumber(value, parent !== null && isMarkedFloat(parent, key));
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new Error(`cannot store a ${typeof value}`);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => write(v, value, i)).join(',')}]`;
  const parts: string[] = [];
  for (const k of sortedKeys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== null && v !== undefined) parts.push(`${JSON.stringify(k)}:${write(v, value, k)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * True when JSON.stringify already writes what Python writes: keys in code-point
 * order, no null members, no float needing Python's form (integral floats, and
 * magnitudes where the two switch to exponents differently). The common case, and
 * several times faster than building the text here.
 */
function plainSafe(value: unknown, parent: object | null, key: string | number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      if (Number.isInteger(value)) return Math.abs(value) < 1e21 && !Object.is(value, -0) && !(parent !== null && isMarkedFloat(parent, key));
      return Math.abs(value) >= 1e-4 && Math.abs(value) < 1e16;
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return parent !== null && Array.isArray(parent);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!plainSafe(value[i], value, i)) return false;
    return true;
  }
  let previous = '';
  let first = true;
  for (const k in value) {
    // Only ASCII keys compare the same in UTF-16 and code-point order; others take the slow path.
    if ((!first && k <= previous) || k.charCodeAt(k.length - 1) > 0x7f || !ASCII_KEYS.test(k)) return false;
    const v = (value as Record<string, unknown>)[k];
    if (v === null || v === undefined || !plainSafe(v, value, k)) return false;
    previous = k;
    first = false;
  }
  return true;
}

/** One stored line (no newline) for a normalized record or document. */
export function canonicalLine(record: unknown): string {
  return plainSafe(record, null, '') ? JSON.stringify(record) : write(record, null, '');
}

/** Plain assignment of a "__proto__" key (JSON.parse makes it an own key) would drop it silently. */
export { defineOwn } from '../../schema/fields';
