/**
 * Timestamps as the record contract stores them: UTC, `Z`, whole seconds or six
 * fractional digits, which is what the Python library writes
 * (`datetime.isoformat()` with `+00:00` replaced by `Z`). `--at 2025-04-07T11:00:00+09:00`
 * is stored as `2025-04-07T02:00:00Z`: the same instant.
 */
// The contract's timestamp grammar. (When the shared contract's normalizeTimestamp — the
// library's own parser — is available, it can take this check over: it wants the `Z` form this file produces.)
import { ISO_TIMESTAMP } from '../../schema/records';

const PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;

export type InstantResult = { utc: string } | { problem: string };

const TIMESTAMP_FORM = 'an ISO-8601 timestamp with a zone, e.g. 2025-03-18T02:00:00Z or 2025-03-18T11:00:00+09:00';

/**
 * Check `text` with the contract's Timestamp rule, then refuse what is no real
 * instant (2025-02-30, T24:00:00, year 0000: the Python library refuses them too)
 * and convert to the stored UTC form. Digits beyond microseconds are dropped, as
 * the library does.
 */
export function utcTimestamp(text: string): InstantResult {
  const m = ISO_TIMESTAMP.test(text) ? PARTS.exec(text) : null;
  if (!m) return { problem: `must be ${TIMESTAMP_FORM}` };
  const [, y, mo, d, h, mi, s, fraction = '', zone, sign, zh, zm] = m;
  const fields = [y, mo, d, h, mi, s].map(Number);
  const [year, month, day, hour, minute, second] = fields;
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, 0);
  const real =
    year >= 1 &&
    local.getUTCFullYear() === year &&
    local.getUTCMonth() === month - 1 &&
    local.getUTCDate() === day &&
    local.getUTCHours() === hour &&
    local.getUTCMinutes() === minute &&
    local.getUTCSeconds() === second;
  if (!real) return { problem: `is not a real date and time (${TIMESTAMP_FORM}; hours 00-23, days that exist in that month, years 0001-9999)` };
  const offsetMinutes = zone === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (Number(zh) * 60 + Number(zm));
  if (zone !== 'Z' && (Number(zh) > 23 || Number(zm) > 59)) return { problem: `has an impossible zone offset ${zone}` };
  const utc = new Date(local.getTime() - offsetMinutes * 60_000);
  const utcYear = utc.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return { problem: 'falls outside the years 0001-9999 once converted to UTC' };
  const micro = fraction.slice(0, 6).padEnd(6, '0');
  return { utc: `${isoSeconds(utc)}${/^0+$/.test(micro) ? '' : `.${micro}`}Z` };
}

/** `YYYY-MM-DDTHH:MM:SS` of a Date in UTC, four-digit years included. */
function isoSeconds(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** Now, in the stored form (microseconds as the library writes them; JavaScript clocks give milliseconds). */
export function utcNow(date: Date): string {
  const ms = date.getUTCMilliseconds();
  return `${isoSeconds(date)}${ms ? `.${String(ms).padStart(3, '0')}000` : ''}Z`;
}
