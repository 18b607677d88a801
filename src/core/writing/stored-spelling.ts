/**
 * How the stored form spells escapes and numbers, checked on input text by the
 * stored-form scan (canonical-text.ts): the escapes JSON.stringify (and Python's
 * json.dumps) writes, and numbers as Python writes their value.
 */
import { pyFloatRepr } from './canonical';
import { BACKSLASH, DOT, isDigit, MINUS, PLUS, QUOTE, ZERO } from './char-codes';


/**
 * Characters taken by the escape at `b[i]` (a backslash) when it is one JSON.stringify writes
 * (short forms, else \u00XX for control characters only, lowercase hex), else 0.
 */
export function storedEscape(b: string, i: number, end: number): number {
  if (i + 1 >= end) return 0;
  const d = b.charCodeAt(i + 1);
  // " \ b f n r t
  if (d === QUOTE || d === BACKSLASH || d === 0x62 || d === 0x66 || d === 0x6e || d === 0x72 || d === 0x74) return 2;
  if (d !== 0x75 || i + 5 >= end || b.charCodeAt(i + 2) !== ZERO || b.charCodeAt(i + 3) !== ZERO) return 0;
  const hi = b.charCodeAt(i + 4);
  const lo = b.charCodeAt(i + 5);
  if (hi !== ZERO && hi !== 0x31) return 0;
  const low = isDigit(lo) ? lo - ZERO : lo >= 0x61 && lo <= 0x66 ? lo - 0x61 + 10 : -1;
  if (low < 0) return 0;
  const code = (hi - ZERO) * 16 + low;
  // Those with a short form are never written as \u00XX.
  if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return 0;
  return 6;
}

/**
 * A number lexeme with a fraction or an exponent: 0 when the stored form spells its
 * value otherwise, 1 when it is that spelling, 2 when it is and the value is integral
 * (`2.0`: a Python float JSON.parse would turn into the int 2).
 */
function storedFloat(b: string, from: number, to: number): number {
  const lexeme = b.slice(from, to);
  const n = Number(lexeme);
  if (!Number.isFinite(n)) return 0;
  if (Number.isInteger(n)) return pyFloatRepr(n) === lexeme ? 2 : 0;
  // Where Python's repr is fixed notation, a non-integral value's shortest digits are
  // JavaScript's too (the serializer relies on the same: canonical.ts plainSafe).
  const a = Math.abs(n);
  return (a >= 1e-4 && a < 1e16 ? String(n) : pyFloatRepr(n)) === lexeme ? 1 : 0;
}

/**
 * The number at `b[i]` when spelled as the stored form spells its value: its end
 * times two, plus one when its value is integral but a float (`2.0`); -1 otherwise.
 */
export function storedNumber(b: string, i: number, end: number): number {
  const from = i;
  const c = b.charCodeAt(i);
  if (c === MINUS) i++;
  if (i < end && b.charCodeAt(i) === ZERO) i++;
  else {
    const d = i;
    while (i < end && isDigit(b.charCodeAt(i))) i++;
    if (i === d) return -1;
  }
  const intDigits = i - from - (c === MINUS ? 1 : 0);
  let float = false;
  let fraction = -1;
  if (i < end && b.charCodeAt(i) === DOT) {
    const d = (fraction = ++i);
    while (i < end && isDigit(b.charCodeAt(i))) i++;
    if (i === d) return -1;
    float = true;
  }
  if (i < end && (b.charCodeAt(i) === 0x65 || b.charCodeAt(i) === 0x45)) {
    i++;
    if (i < end && (b.charCodeAt(i) === PLUS || b.charCodeAt(i) === MINUS)) i++;
    const d = i;
    while (i < end && isDigit(b.charCodeAt(i))) i++;
    if (i === d) return -1;
    float = true;
    fraction = -1;
  }
  if (!float) {
    // Up to 15 digits is always a safe integer; `-0` is stored as `0`.
    return intDigits > 15 || (c === MINUS && b.charCodeAt(from + 1) === ZERO) ? -1 : i * 2;
  }
  if (fraction > 0 && b.charCodeAt(i - 1) !== ZERO) {
    // Without converting: a fixed-notation lexeme of at most 15 significant digits, no
    // trailing zero and a value from 1e-4 on is the stored spelling of its value. (Decimals
    // of up to 15 significant digits are distinct doubles, so the shortest round-trip
    // digits, which Python's repr and String() write in fixed notation there, are these.)
    let zeros = 0;
    const wholeIsZero = intDigits === 1 && b.charCodeAt(fraction - 2) === ZERO;
    if (wholeIsZero) while (b.charCodeAt(fraction + zeros) === ZERO) zeros++;
    const significant = (wholeIsZero ? 0 : intDigits) + (i - fraction) - zeros;
    if (zeros <= 3 && significant <= 15) return i * 2;
  }
  const kind = storedFloat(b, from, i);
  return kind === 0 ? -1 : i * 2 + (kind === 2 ? 1 : 0);
}
