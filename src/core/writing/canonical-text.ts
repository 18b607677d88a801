/**
 * A proof, on the text of an input line, that the record it holds is already
 * written in the stored form (canonical.ts: compact, keys in code-point order,
 * no null members, JSON.stringify's escapes, Python's number spellings), so
 * `record import` can store the input bytes instead of serializing the parsed
 * record again. Serializing was half the cost of an import, and the Python
 * library's lines are nearly always already in that form.
 *
 * `findStoredRecord` accepts a strict subset of JSON and defers (returns false)
 * on anything else; the caller then takes the full path, which decides. What
 * it accepts is a line that:
 *  - is one object, with no whitespace outside strings, and keys strictly
 *    increasing at every depth in code-point order (Python's sort_keys; strictly:
 *    no duplicates, which JSON.parse would merge);
 *  - holds no null object member (the stored form drops those), no key with an
 *    escape, and in strings only the escapes JSON.stringify writes (`\"`, `\\`,
 *    `\b\f\n\r\t`, `\u00XX` for other control characters; not `\/`, not `\u00e9`);
 *  - spells each number as the stored form does: integers of at most 15 digits
 *    (never `-0`), other numbers exactly as Python's repr writes their value
 *    (`2.0`, `0.5`, `1e-07`, `1e+16`; not `1.50`, `1E3`, `1000.0e0`);
 *  - is a record ({envelope, ...}) or a RecordStore wrapper whose `record` member
 *    is an object, the wrapper's other characters being printable ASCII.
 * Then the stored line of the parsed record is byte for byte the record's slice
 * (test/unit/import-fast-path.test.ts checks this against the full path).
 */
import { pyFloatRepr } from './canonical';

/** Deeper than any record the library writes; deeper input takes the full path. */
const MAX_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
const DOT = 0x2e;
const PLUS = 0x2b;

/** Where the record's text is in the line, set by a successful findStoredRecord (the wrapper around it is ASCII). */
export interface StoredRecordText {
  start: number;
  end: number;
  /** The record holds a number JSON.parse would lose the float-ness of (`2.0`): parse it with the exact parser. */
  exact: boolean;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const ASCII_TEXT = (c: number) => c >= 0x20 && c < 0x80;

/** 1 for the characters below 0x80 a string holds as they are: all but control characters, `"` and `\\`. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;

// The scan's stack, one level per open object or array (reused: no allocation per line).
const isObject = new Uint8Array(MAX_DEPTH + 1);
/** Where the previous key of the object at each depth is (start -1: none yet). */
const keyStart = new Int32Array(MAX_DEPTH + 1);
const keyEnd = new Int32Array(MAX_DEPTH + 1);

const RECORD_KEY = [0x72, 0x65, 0x63, 0x6f, 0x72, 0x64]; // record
const ENVELOPE_KEY = [0x65, 0x6e, 0x76, 0x65, 0x6c, 0x6f, 0x70, 0x65]; // envelope
function keyIs(b: string, ks: number, ke: number, name: number[]): boolean {
  if (ke - ks !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (b.charCodeAt(ks + k) !== name[k]) return false;
  return true;
}

/**
 * True when the line `b` (decoded as UTF-8) is in stored form (see above); then `out`
 * tells where the record's text is. False defers to the full path. One flat loop
 * with local state (a recursive scanner with its state in module variables cost
 * more than JSON.parse). On a line without a backslash (nearly all), a string ends
 * at the next quote, found by the native indexOf instead of a loop over its characters.
 */
export function findStoredRecord(b: string, out: StoredRecordText): boolean {
  const start = 0;
  const end = b.length;
  if (start >= end || b.charCodeAt(start) !== OPEN_OBJECT) return false;
  // Without a backslash, a string ends at the next quote (control characters in the
  // record make JSON.parse refuse it; the wrapper's characters are checked at the end).
  const plain = b.indexOf('\\') === -1;
  let i = start;
  let depth = 0;
  let exact = false;
  let expectKey = false;
  let recordStart = -1;
  let recordEnd = -1;
  let inRecordMember = false;
  let hasEnvelope = false;
  for (;;) {
    if (expectKey) {
      // A member of the object at `depth`: "key": then its value.
      if (i >= end || b.charCodeAt(i) !== QUOTE) return false;
      const ks = ++i;
      if (plain) {
        i = b.indexOf('"', i);
        if (i < 0) return false;
      } else {
        for (;;) {
          while (i < end && PLAIN[b.charCodeAt(i)] === 1) i++;
          if (i >= end) return false;
          const c = b.charCodeAt(i);
          if (c === QUOTE) break;
          // An escaped key's text does not sort as its value does; a control character is not JSON.
          if (c < 0x80) return false;
          i++;
        }
      }
      const ke = i++;
      const ps = keyStart[depth];
      if (ps >= 0) {
        // Strictly after the previous key, in code-point order (Python's sort_keys).
        const pe = keyEnd[depth];
        const n = Math.min(ke - ks, pe - ps);
        let k = 0;
        while (k < n && b.charCodeAt(ks + k) === b.charCodeAt(ps + k)) k++;
        if (k < n) {
          const x = b.charCodeAt(ks + k);
          const y = b.charCodeAt(ps + k);
          // UTF-16 order is code-point order except where surrogates meet U+E000-U+FFFF: defer there.
          if (x < y || x >= 0xd800 || y >= 0xd800) return false;
        } else if (ke - ks <= pe - ps) return false;
      }
      keyStart[depth] = ks;
      keyEnd[depth] = ke;
      if (i >= end || b.charCodeAt(i) !== COLON) return false;
      i++;
      if (depth === 1) {
        if (keyIs(b, ks, ke, RECORD_KEY)) {
          recordStart = i;
          inRecordMember = true;
        } else if (keyIs(b, ks, ke, ENVELOPE_KEY)) hasEnvelope = true;
      }
      expectKey = false;
    }
    // A value starts at i.
    if (i >= end) return false;
    const c = b.charCodeAt(i);
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > MAX_DEPTH) return false;
      const object = c === OPEN_OBJECT;
      isObject[depth] = object ? 1 : 0;
      keyStart[depth] = -1;
      i++;
      if (i < end && b.charCodeAt(i) !== (object ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        expectKey = object;
        continue;
      }
      i++;
      depth--;
    } else if (c === QUOTE) {
      i++;
      if (plain) {
        i = b.indexOf('"', i) + 1;
        if (i === 0) return false;
      } else for (;;) {
        while (i < end && PLAIN[b.charCodeAt(i)] === 1) i++;
        if (i >= end) return false;
        const d = b.charCodeAt(i);
        if (d === QUOTE) {
          i++;
          break;
        }
        if (d >= 0x80) i++;
        else if (d === BACKSLASH) {
          const skip = storedEscape(b, i, end);
          if (skip === 0) return false;
          i += skip;
        } else return false; // a control character: not JSON
      }
    } else if (c === MINUS || isDigit(c)) {
      const to = storedNumber(b, i, end);
      if (to < 0) return false;
      if ((to & 1) === 1) exact = true;
      i = to >> 1;
    } else if (c === 0x74) {
      // true
      if (i + 4 > end || b.charCodeAt(i + 1) !== 0x72 || b.charCodeAt(i + 2) !== 0x75 || b.charCodeAt(i + 3) !== 0x65) return false;
      i += 4;
    } else if (c === 0x66) {
      // false
      if (i + 5 > end || b.charCodeAt(i + 1) !== 0x61 || b.charCodeAt(i + 2) !== 0x6c || b.charCodeAt(i + 3) !== 0x73 || b.charCodeAt(i + 4) !== 0x65) return false;
      i += 5;
    } else if (c === 0x6e && depth > 0 && isObject[depth] === 0) {
      // null: kept in arrays; an object member that is null is dropped from the stored form
      if (i + 4 > end || b.charCodeAt(i + 1) !== 0x75 || b.charCodeAt(i + 2) !== 0x6c || b.charCodeAt(i + 3) !== 0x6c) return false;
      i += 4;
    } else return false;
    // After a value: close what ends here, then a comma (next member or element) or the end.
    for (;;) {
      if (depth === 0) {
        if (i !== end) return false;
        return found(b, start, end, out, hasEnvelope, recordStart, recordEnd, exact);
      }
      if (inRecordMember && depth === 1) {
        recordEnd = i;
        inRecordMember = false;
      }
      if (i >= end) return false;
      const d = b.charCodeAt(i++);
      if (d === COMMA) {
        expectKey = isObject[depth] === 1;
        break;
      }
      if (d !== (isObject[depth] === 1 ? CLOSE_OBJECT : CLOSE_ARRAY)) return false;
      depth--;
    }
  }
}

function found(
  b: string, start: number, end: number, out: StoredRecordText,
  hasEnvelope: boolean, recordStart: number, recordEnd: number, exact: boolean,
): boolean {
  if (hasEnvelope) {
    out.start = start;
    out.end = end;
  } else {
    if (recordStart < 0 || b.charCodeAt(recordStart) !== OPEN_OBJECT) return false;
    // The wrapper's own strings: no control character (JSON.parse only sees the record), and
    // ASCII, so that the record's offsets in the text are its offsets in the bytes too.
    for (let k = start; k < recordStart; k++) if (!ASCII_TEXT(b.charCodeAt(k))) return false;
    for (let k = recordEnd; k < end; k++) if (!ASCII_TEXT(b.charCodeAt(k))) return false;
    out.start = recordStart;
    out.end = recordEnd;
  }
  out.exact = exact;
  return true;
}

/**
 * Characters taken by the escape at `b[i]` (a backslash) when it is one JSON.stringify writes
 * (short forms, else \u00XX for control characters only, lowercase hex), else 0.
 */
function storedEscape(b: string, i: number, end: number): number {
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
function storedNumber(b: string, i: number, end: number): number {
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
