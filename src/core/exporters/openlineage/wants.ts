/**
 * The record hook's only static import: decides from flags and environment
 * alone (no file read, no YAML) whether a `record` call should emit, so a
 * `record` without --emit and without OPENLINEAGE_URL pays nothing.
 */
type Env = Record<string, string | undefined>;

export const isTruthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

export function emitWanted(flag: unknown, env: Env): boolean {
  if (isTruthy(env.OPENLINEAGE_DISABLED)) return false;
  return flag === true || Boolean(env.OPENLINEAGE_URL);
}
