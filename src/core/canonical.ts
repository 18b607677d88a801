/**
 * The stored form of a record: compact JSON with keys sorted at every depth,
 * as the Python library writes them (json.dumps(sort_keys=True)). Same record,
 * same bytes: what makes import → snapshot → import byte-stable.
 */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeysDeep(v);
  }
  return out;
}

/** True when keys are already in order at every depth (what the Python library and contexta write). */
function isSortedDeep(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isSortedDeep);
  if (value === null || typeof value !== 'object') return true;
  let previous = '';
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (key < previous || v === undefined || !isSortedDeep(v)) return false;
    previous = key;
  }
  return true;
}

export function canonicalLine(record: unknown): string {
  // Most input is sorted already: checking is cheaper than copying every object.
  return JSON.stringify(isSortedDeep(record) ? record : sortKeysDeep(record));
}

/** `k=v` pairs from --attr/--tag; values that look like numbers or booleans are stored as such. */
export function typedValue(raw: string): string | number | boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(raw)) {
    const n = Number(raw);
    if (Number.isFinite(n)) return n;
  }
  return raw;
}
