/**
 * Deterministic run ids: the OpenLineage client's static UUIDv7 scheme
 * (Python `openlineage.client.uuid.generate_static_uuid`), so separate shell
 * calls and re-exports of the same run agree without any shared state.
 *
 * 48 bits of Unix milliseconds, then the first 76 bits of
 * SHA-1(isoformat(instant in UTC) + data), with the version (7) and the RFC 4122
 * variant bits set.
 */
import { createHash } from 'node:crypto';

/** Python's `datetime.isoformat()` for an aware UTC datetime: microseconds only when non-zero, `+00:00`. */
export function pythonIsoformat(ms: number): string {
  const d = new Date(ms);
  const base = d.toISOString().slice(0, 19);
  const millis = d.getUTCMilliseconds();
  return `${base}${millis ? `.${String(millis * 1000).padStart(6, '0')}` : ''}+00:00`;
}

export function staticUuid(instant: string | number, data: string): string {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${String(instant)}`);
  const digest = createHash('sha1').update(pythonIsoformat(ms) + data, 'utf8').digest('hex');
  const node = BigInt(`0x${digest}`) >> 84n;
  let value = (BigInt(ms) & 0xffff_ffff_ffffn) << 80n;
  value |= node & 0xffff_ffff_ffff_ffff_ffffn;
  value = (value & ~(0xf000n << 64n)) | (7n << 76n);
  value = (value & ~(0xc000n << 48n)) | (0x8000n << 48n);
  const hex = value.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
