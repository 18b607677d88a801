/** Sizes and repetitions; BENCH_QUICK=1 gives a ~1 minute run, env vars override single knobs. */
export interface Config {
  quick: boolean;
  startupPairs: number;
  importRecords: number;
  importReps: number;
  diagnoseRecords: number;
  diagnoseReps: number;
  jqReps: number;
  wcReps: number;
  runsSizes: number[];
  runsRecordsPerRun: number;
  /** A `runs` call slower than this is killed and reported as a timeout. */
  runsTimeoutMs: number;
  /** Skip the second `runs` call when the first took longer than this (keeps the total runtime bounded). */
  runsSecondCallBudgetMs: number;
}

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number (got ${JSON.stringify(raw)})`);
  return n;
}

export function loadConfig(): Config {
  const quick = process.env.BENCH_QUICK === '1';
  const sizes = process.env.BENCH_RUNS_SIZES;
  return {
    quick,
    startupPairs: intEnv('BENCH_PAIRS', quick ? 8 : 30),
    importRecords: intEnv('BENCH_IMPORT_RECORDS', quick ? 50_000 : 200_000),
    importReps: intEnv('BENCH_IMPORT_REPS', quick ? 2 : 3),
    diagnoseRecords: intEnv('BENCH_RECORDS', quick ? 100_000 : 500_000),
    diagnoseReps: intEnv('BENCH_DIAGNOSE_REPS', quick ? 2 : 3),
    jqReps: quick ? 1 : 2,
    wcReps: 5,
    runsSizes: sizes ? sizes.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0) : quick ? [300, 1000, 3000] : [1000, 3000, 10000],
    runsRecordsPerRun: 10,
    runsTimeoutMs: intEnv('BENCH_RUNS_TIMEOUT_MS', quick ? 60_000 : 150_000),
    runsSecondCallBudgetMs: quick ? 15_000 : 60_000,
  };
}
