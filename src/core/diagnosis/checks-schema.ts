/**
 * The shape of contexta.yml (zod) and its conversion to ProjectChecks: durations
 * (`90s`, `30m`, `26h`, `2d`) to ms, comparison expressions to operands, dbt's
 * `warn` to warning. Conversion problems come back with the path they are at,
 * so the loader can point at LINE:COL.
 */
import * as z from 'zod/mini';
import type { AnomalySettings, ChecksFile, CheckSeverity, Comparison, ComparisonOp, MetricRef, ProjectChecks, RuleSetting, StageCheck } from './checks';
import { RULE_METAS } from './rules/index';

const Severity = z.enum(['warn', 'warning', 'error']);
const RuleLevel = z.enum(['off', 'info', 'warn', 'warning', 'error']);
const Duration = z.string();
const Num = z.number().check(z.refine(Number.isFinite, { error: 'must be a finite number' }));

const Count = z.number().check(z.refine((n) => Number.isInteger(n) && n >= 1, { error: 'must be a whole number of at least 1' }));
const DurationBounds = z.strictObject({ min: z.optional(Duration), max: z.optional(Duration), severity: z.optional(Severity) });
const MetricDecl = z.nullable(z.strictObject({ min: z.optional(Num), max: z.optional(Num), required: z.optional(z.boolean()), severity: z.optional(Severity) }));
const StageDecl = z.nullable(
  z.strictObject({
    required: z.optional(z.boolean()),
    severity: z.optional(Severity),
    duration: z.optional(DurationBounds),
    metrics: z.optional(z.record(z.string(), MetricDecl)),
  }),
);
const CompareDecl = z.union([z.string(), z.strictObject({ check: z.string(), severity: z.optional(Severity) })]);
const AnomalyDecl = z.union([
  z.boolean(),
  z.strictObject({
    window: z.optional(Count),
    min_history: z.optional(Count),
    sensitivity: z.optional(z.enum(['low', 'normal', 'high'])),
    direction: z.optional(z.enum(['drop', 'rise', 'both'])),
    min_change: z.optional(z.number().check(z.refine((n) => Number.isFinite(n) && n >= 0, { error: 'must be a number of at least 0 (a fraction: 0.1 = 10%)' }))),
    baseline_from: z.optional(z.union([z.string(), z.date()])),
  }),
]);
const ProjectDecl = z.nullable(
  z.strictObject({
    stages: z.optional(z.record(z.string(), StageDecl)),
    compare: z.optional(z.array(CompareDecl)),
    freshness: z.optional(z.strictObject({ warn_after: z.optional(Duration), error_after: z.optional(Duration) })),
    anomaly: z.optional(z.record(z.string(), AnomalyDecl)),
    rules: z.optional(z.record(z.string(), RuleLevel)),
  }),
);

export const ChecksDocument = z.strictObject({
  version: z.optional(z.literal(1)),
  rules: z.optional(z.record(z.string(), RuleLevel)),
  projects: z.optional(z.record(z.string(), ProjectDecl)),
});
export type ChecksDocument = z.infer<typeof ChecksDocument>;

type Problem = { problem: string; path: (string | number)[]; key: boolean };
/** A problem at a place in the file; `key`: the key itself is wrong (point at it, not at its value). */
class At extends Error {
  constructor(readonly problem: string, readonly at: (string | number)[], readonly key = false) {
    super(problem);
  }
}

const severity = (s: string | undefined, fallback: CheckSeverity = 'error'): CheckSeverity =>
  s === undefined ? fallback : s === 'error' ? 'error' : 'warning';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function durationMs(text: string | undefined, at: (string | number)[]): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!m) throw new At(`${JSON.stringify(text)} is not a duration; write a number and a unit: 500ms, 90s, 30m, 26h, 2d`, at);
  return Number(m[1]) * UNITS[m[2]];
}

const REF = '([A-Za-z0-9_-]+)\\.([A-Za-z0-9_.-]+)';
const NUM = '(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)';
const EXPR = new RegExp(`^\\s*${REF}\\s*(>=|<=|==|!=|>|<)\\s*(?:${NUM}\\s*\\*\\s*)?(?:${REF}|${NUM})\\s*$`);

export function parseComparison(expr: string, sev: CheckSeverity, at: (string | number)[]): Comparison {
  const m = EXPR.exec(expr);
  if (!m) {
    throw new At(`${JSON.stringify(expr)} is not a comparison; write <stage>.<metric> <op> [<number> *] <stage>.<metric>|<number>, with op one of >= > <= < == != (e.g. "validate.rows-out >= 0.9 * ingest.rows-out")`, at);
  }
  const [, ls, lk, op, factor, rs, rk, constant] = m;
  const right: MetricRef | null = rs ? { stage: rs, key: rk } : null;
  return { expr: expr.trim(), left: { stage: ls, key: lk }, op: op as ComparisonOp, factor: right ? Number(factor ?? 1) : Number(factor ?? 1) * Number(constant), right, severity: sev };
}

function ruleSettings(raw: Record<string, string> | undefined, at: (string | number)[]): Record<string, RuleSetting> {
  const known = new Set(RULE_METAS.map((m) => m.code));
  const out: Record<string, RuleSetting> = {};
  for (const [code, level] of Object.entries(raw ?? {})) {
    if (!known.has(code)) throw new At(`unknown rule ${JSON.stringify(code)}; rules are: ${[...known].join(', ')} (see \`contexta rules\`)`, [...at, code], true);
    out[code] = level === 'warn' ? 'warning' : (level as RuleSetting);
  }
  return out;
}

function anomaly(raw: Record<string, z.infer<typeof AnomalyDecl>> | undefined, at: (string | number)[]): Record<string, AnomalySettings> {
  const out: Record<string, AnomalySettings> = {};
  for (const [key, v] of Object.entries(raw ?? {})) {
    if (key !== '*' && !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_.*-]+$/.test(key)) {
      throw new At(`anomaly key ${JSON.stringify(key)} must be <stage>.<metric>, <stage>.duration, <stage>.* or *`, [...at, key]);
    }
    if (typeof v === 'boolean') {
      out[key] = { enabled: v };
      continue;
    }
    const from = v.baseline_from instanceof Date ? v.baseline_from.toISOString() : v.baseline_from;
    if (from !== undefined && Number.isNaN(Date.parse(from))) throw new At(`baseline_from ${JSON.stringify(from)} is not a date or timestamp (e.g. 2026-03-01)`, [...at, key, 'baseline_from']);
    const { baseline_from: _b, ...rest } = v;
    out[key] = { enabled: true, ...rest, ...(from !== undefined ? { baseline_from: from } : {}) };
  }
  return out;
}

function project(raw: NonNullable<z.infer<typeof ProjectDecl>>, at: (string | number)[]): ProjectChecks {
  const stages: Record<string, StageCheck> = {};
  for (const [name, decl] of Object.entries(raw.stages ?? {})) {
    const d = decl ?? {};
    const sev = severity(d.severity);
    const metrics: StageCheck['metrics'] = {};
    for (const [key, m] of Object.entries(d.metrics ?? {})) {
      metrics[key] = { required: m?.required ?? true, severity: severity(m?.severity, sev), min: m?.min, max: m?.max };
    }
    const dur = d.duration;
    stages[name] = {
      required: d.required ?? true,
      severity: sev,
      metrics,
      ...(dur
        ? { duration: { min: durationMs(dur.min, [...at, 'stages', name, 'duration', 'min']), max: durationMs(dur.max, [...at, 'stages', name, 'duration', 'max']), severity: severity(dur.severity, sev) } }
        : {}),
    };
  }
  const comparisons = (raw.compare ?? []).map((c, i) =>
    typeof c === 'string' ? parseComparison(c, 'error', [...at, 'compare', i]) : parseComparison(c.check, severity(c.severity), [...at, 'compare', i, 'check']),
  );
  const f = raw.freshness;
  return {
    stages,
    comparisons,
    ...(f ? { freshness: { warn_after_ms: durationMs(f.warn_after, [...at, 'freshness', 'warn_after']), error_after_ms: durationMs(f.error_after, [...at, 'freshness', 'error_after']) } } : {}),
    anomaly: anomaly(raw.anomaly, [...at, 'anomaly']),
    rules: ruleSettings(raw.rules, [...at, 'rules']),
  };
}

export function toChecks(doc: ChecksDocument, file: string): ChecksFile | Problem {
  try {
    const projects: Record<string, ProjectChecks> = {};
    for (const [name, p] of Object.entries(doc.projects ?? {})) projects[name] = project(p ?? {}, ['projects', name]);
    return { file, projects, rules: ruleSettings(doc.rules, ['rules']) };
  } catch (err) {
    if (err instanceof At) return { problem: err.problem, path: err.at, key: err.key };
    throw err;
  }
}
