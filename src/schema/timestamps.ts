/**
 * Timestamps as the Python library reads them: `_normalize_timestamp_field`
 * strips the text, requires a trailing `Z`, swaps it for `+00:00` and hands it
 * to CPython 3.13's `datetime.fromisoformat` (the C parser, ported here step by
 * step), then stores `isoformat()` with `Z`: microseconds only when non-zero.
 * So `2025-03-18 02:19Z` is stored as `2025-03-18T02:19:00Z`; `+09:00`,
 * `2025-02-30`, `T24:00:00` and year 0000 are refused, as the library refuses them.
 */
import { pyStrip } from './text';

/** ISO-8601 with a zone; fractional seconds of any precision (Python writes microseconds). 0.1.0's timestamp grammar, still used for CLI input. */
export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export type TimestampResult = { ok: true; value: string; ms: number } | { ok: false; problem: string };

const EXAMPLE = 'e.g. 2025-03-18T02:00:00Z';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

function digits(s: string, at: number, n: number): number | null {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    if (!isDigit(s[i])) return null;
    v = v * 10 + (s.charCodeAt(i) - 48);
  }
  return v;
}

/** CPython's _find_isoformat_datetime_separator. */
function separatorAt(s: string): number {
  const len = s.length;
  if (len === 7) return 7;
  if (s[4] === '-') {
    if (s[5] === 'W') {
      if (len > 8 && s[8] === '-') {
        if (len === 9) return -1;
        if (len > 10 && isDigit(s[10])) return 8;
        return 10;
      }
      return 8;
    }
    return 10;
  }
  if (s[4] === 'W') {
    let idx = 7;
    while (idx < len && isDigit(s[idx])) idx++;
    if (idx < 9) return idx;
    return idx % 2 === 0 ? 7 : 8;
  }
  return 8;
}

const isLeap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (y: number, m: number) => (m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m]);

function isoWeekToDate(year: number, week: number, day: number): [number, number, number] | null {
  if (year < 1 || year > 9999) return null;
  const jan1 = new Date(Date.UTC(2000, 0, 1));
  jan1.setUTCFullYear(year, 0, 1);
  const jan1Weekday = (jan1.getUTCDay() + 6) % 7; // Monday = 0
  if (week < 1 || week > 53) return null;
  if (week === 53) {
    // Python: ordinal % 7 of Jan 1 is 4 (Thursday) or 3 (Wednesday) in a leap year.
    if (!(jan1Weekday === 3 || (jan1Weekday === 2 && isLeap(year)))) return null;
  }
  if (day < 1 || day > 7) return null;
  const week1Monday = jan1.getTime() - jan1Weekday * 86_400_000 + (jan1Weekday > 3 ? 7 * 86_400_000 : 0);
  const d = new Date(week1Monday + ((week - 1) * 7 + (day - 1)) * 86_400_000);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

function parseDate(s: string): [number, number, number] | null {
  const year = digits(s, 0, 4);
  if (year === null) return null;
  const sep = s[4] === '-';
  let p = sep ? 5 : 4;
  if (s[p] === 'W') {
    p++;
    const week = digits(s, p, 2);
    if (week === null) return null;
    p += 2;
    let day = 1;
    if (p < s.length) {
      if (sep && s[p++] !== '-') return null;
      const d = digits(s, p, 1);
      if (d === null) return null;
      day = d;
    }
    return isoWeekToDate(year, week, day);
  }
  const month = digits(s, p, 2);
  if (month === null) return null;
  p += 2;
  if (sep && s[p++] !== '-') return null;
  const day = digits(s, p, 2);
  if (day === null) return null;
  return [year, month, day];
}

/** CPython's parse_hh_mm_ss_ff: [h, m, s, us, rest] where rest = 1 when text follows. */
function parseHms(s: string, start: number, end: number): [number, number, number, number, number] | null {
  const vals = [0, 0, 0];
  let us = 0;
  let p = start;
  let hasSep = true;
  let i = 0;
  for (; i < 3; i++) {
    const v = digits(s, p, 2);
    if (v === null) return null;
    vals[i] = v;
    p += 2;
    const c = s[p++];
    if (i === 0) hasSep = c === ':';
    if (p >= end) return [vals[0], vals[1], vals[2], 0, c !== undefined ? 1 : 0];
    if (hasSep && c === ':') continue;
    if (c === '.' || c === ',') break;
    if (!hasSep) p--;
    else return null;
  }
  const remains = end - p;
  const toParse = Math.min(remains, 6);
  const frac = toParse === 0 ? 0 : digits(s, p, toParse);
  if (frac === null) return null;
  us = toParse === 0 ? 0 : frac * [0, 100000, 10000, 1000, 100, 10, 1][toParse];
  p += toParse;
  while (isDigit(s[p])) p++;
  return [vals[0], vals[1], vals[2], us, p < end ? 1 : 0];
}

/** datetime.fromisoformat on the text, returning UTC parts or null when CPython refuses it. */
function fromIsoFormat(text: string): { y: number; mo: number; d: number; h: number; mi: number; s: number; us: number; off: number } | null {
  if (text.length < 7) return null;
  const sepAt = separatorAt(text);
  if (sepAt < 0) return null;
  for (let i = 0; i < text.length; i++) if (i !== sepAt && text.charCodeAt(i) > 0x7f) return null;
  const date = parseDate(text.slice(0, sepAt));
  if (!date) return null;
  let h = 0, mi = 0, s = 0, us = 0, off = 0;
  const t = text.slice(sepAt + 1);
  if (t) {
    let tz = 0;
    while (tz < t.length && t[tz] !== 'Z' && t[tz] !== '+' && t[tz] !== '-') tz++;
    const hms = parseHms(t, 0, tz);
    if (!hms) return null;
    [h, mi, s, us] = hms;
    if (tz === t.length) {
      if (hms[4] === 1) return null;
    } else if (t[tz] === 'Z') {
      if (tz + 1 !== t.length) return null;
    } else {
      const zone = parseHms(t, tz + 1, t.length);
      if (!zone || zone[4] === 1) return null;
      const sign = t[tz] === '-' ? -1 : 1;
      off = sign * ((zone[0] * 3600 + zone[1] * 60 + zone[2]) * 1e6 + zone[3]);
      if (Math.abs(off) >= 86_400e6) return null;
    }
  }
  const [y, mo, d] = date;
  if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return null;
  if (h > 23 || mi > 59 || s > 59 || us > 999_999) return null;
  return { y, mo, d, h, mi, s, us, off };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

// Records of a batch share timestamps: the last two answers are kept.
let lastRaw: unknown = null;
let lastResult: TimestampResult | null = null;
let prevRaw: unknown = null;
let prevResult: TimestampResult | null = null;

/** The library's normalized form of a timestamp field, or why it refuses it. */
export function normalizeTimestamp(raw: unknown): TimestampResult {
  if (raw === lastRaw && lastResult) return lastResult;
  if (raw === prevRaw && prevResult) return prevResult;
  const result = computeTimestamp(raw);
  prevRaw = lastRaw;
  prevResult = lastResult;
  lastRaw = raw;
  lastResult = result;
  return result;
}

function computeTimestamp(raw: unknown): TimestampResult {
  if (typeof raw !== 'string') return { ok: false, problem: `must be a timestamp string (${EXAMPLE})` };
  const text = pyStrip(raw);
  if (!text) return { ok: false, problem: `must not be blank (${EXAMPLE})` };
  if (!text.endsWith('Z')) {
    return { ok: false, problem: `must be an ISO-8601 UTC timestamp ending in Z (${EXAMPLE}); convert offsets such as +09:00 to UTC` };
  }
  const parts = fromIsoFormat(`${text.slice(0, -1)}+00:00`);
  if (!parts) return { ok: false, problem: `is not a valid ISO-8601 date and time (${EXAMPLE})` };
  const base = new Date(0);
  base.setUTCFullYear(parts.y, parts.mo - 1, parts.d);
  base.setUTCHours(parts.h, parts.mi, parts.s, 0);
  const ms = base.getTime() + Math.floor(parts.us / 1000) - parts.off / 1000;
  // The offset is always zero here (a second zone in the text is refused), so the fields are UTC already.
  const value = `${pad(parts.y, 4)}-${pad(parts.mo, 2)}-${pad(parts.d, 2)}T${pad(parts.h, 2)}:${pad(parts.mi, 2)}:${pad(parts.s, 2)}${parts.us ? `.${pad(parts.us, 6)}` : ''}Z`;
  return { ok: true, value, ms };
}
