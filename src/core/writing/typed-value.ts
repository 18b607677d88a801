/**
 * What a user types on the command line, turned into a stored value without
 * changing it silently (docs/values.md).
 *
 * The record contract is JSON, read by contexta (JavaScript doubles) and by the
 * Python library (exact integers, doubles written with `repr`). An `--attr`
 * value becomes a number only when both write it back as exactly the text that
 * was typed; anything else stays the string it was. A metric value must be a
 * number, so one that would be stored as a different value is refused.
 */

/** Integers and decimals in JSON's number grammar: no hex, no `1_000`, no leading zeros. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const JSON_INTEGER = /^-?(?:0|[1-9]\d*)$/;
/** Any plain decimal notation a person writes for a measurement: `12`, `+3`, `007`, `.5`, `5.`, `-1.5E3`. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** `--attr` values: `true`/`false`, numbers that survive both writers unchanged, else the text itself. */
export function attributeValue(raw: string): string | number | boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (!JSON_NUMBER.test(raw)) return raw;
  const n = Number(raw);
  if (JSON_INTEGER.test(raw)) {
    // Python keeps any integer exactly; a double only up to 2^53.
    return Number.isSafeInteger(n) && String(n) === raw ? n : raw;
  }
  // Written with a point or an exponent, Python reads a float and writes repr(float).
  return Number.isFinite(n) && String(n) === raw && pythonFloatRepr(n) === raw ? n : raw;
}

/**
 * Python's `repr(float)`: the same shortest round-trip digits as JavaScript, but
 * positional only for exponents -4..15 (JavaScript: -7..20), always with a point,
 * and a two-digit exponent (`1e-07`).
 */
export function pythonFloatRepr(n: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const e10 = Number(exp);
  const sign = n < 0 ? '-' : '';
  if (e10 >= -4 && e10 < 16) {
    if (e10 < 0) return `${sign}0.${'0'.repeat(-e10 - 1)}${digits}`;
    const whole = digits.slice(0, e10 + 1).padEnd(e10 + 1, '0');
    const fraction = digits.slice(e10 + 1) || '0';
    return `${sign}${whole}.${fraction}`;
  }
  const point = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const expSign = e10 < 0 ? '-' : '+';
  return `${sign}${point}e${expSign}${String(Math.abs(e10)).padStart(2, '0')}`;
}

export const METRIC_VALUE_FORMS = 'a finite number in decimal notation, such as 42, -1, 0.5 or 1.5e3';

export type MetricValue = { value: number; integer: boolean } | { problem: string };

/** A metric value: any decimal notation whose value is stored exactly as typed (surrounding spaces, as `wc -l` prints, are fine). */
export function metricValue(raw: string): MetricValue {
  const text = raw.trim();
  if (!DECIMAL.test(text)) return { problem: notADecimal(text) };
  const n = Number(text);
  if (!Number.isFinite(n)) return { problem: `overflows: it is beyond the largest number a record can hold (about 1.8e308); give ${METRIC_VALUE_FORMS}` };
  if (n === 0 && decimalKey(text) !== '0') {
    return { problem: `underflows: it is too small to store and would become 0; give ${METRIC_VALUE_FORMS}` };
  }
  const stored = String(n);
  if (decimalKey(stored) !== decimalKey(text)) {
    return {
      problem: `cannot be stored exactly: a record holds a 64-bit float, so it would become ${stored} (write ${stored} if that is what you mean)`,
    };
  }
  return { value: Object.is(n, -0) ? 0 : n, integer: Number.isInteger(n) && !text.includes('.') };
}

function notADecimal(text: string): string {
  const allowed = `give ${METRIC_VALUE_FORMS}`;
  if (/^[+-]?(?:nan|inf|infinity)$/i.test(text)) {
    return `is not allowed: NaN and infinities have no JSON form and the record contract refuses them; ${allowed}`;
  }
  if (/^[+-]?0[xob][0-9a-f]+$/i.test(text)) {
    const n = Number(text.replace(/^[+-]/, ''));
    const hint = Number.isSafeInteger(n) ? ` (write ${text.startsWith('-') ? '-' : ''}${n})` : '';
    return `is a hexadecimal, octal or binary literal, which JSON and the record contract do not read${hint}; ${allowed}`;
  }
  if (/^[+-]?[\d.]+(?:_\d+)+/.test(text)) return `has digit separators (_), which JSON does not read (write ${text.replace(/_/g, '')}); ${allowed}`;
  if (text === '') return `is empty; ${allowed}`;
  return `is not a number; ${allowed}`;
}

/**
 * The exact decimal value of a decimal text, as `digits e exponent` with no
 * leading or trailing zeros ("0" for zero, whatever its sign): two texts have the
 * same key exactly when they denote the same decimal number.
 */
export function decimalKey(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return text;
  const [, sign, whole = '', fraction = '', exp = '0'] = match;
  let digits = whole + fraction;
  let e = BigInt(exp) - BigInt(fraction.length);
  const lead = /^0*/.exec(digits)![0].length;
  digits = digits.slice(lead);
  if (digits === '') return '0';
  const trail = /0*$/.exec(digits)![0].length;
  digits = digits.slice(0, digits.length - trail);
  e += BigInt(trail);
  return `${sign === '-' ? '-' : ''}${digits}e${e}`;
}
