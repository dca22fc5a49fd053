// Command-line arguments of the scheduling benchmarks. Unknown flags and bad values throw naming the flag.
import { type FreeTimeModel, parseFreeTimeFlag } from '../../../models/sim/options.js';

export interface BenchArgs {
  workload: string;
  trace: string | undefined;
  seeds: number[];
  policies: string[] | undefined;
  loads: number[];
  tasks: number | undefined;
  resamples: number;
  out: string;
  /** how busy agents' free times are predicted in every run (models/sim/options.ts) */
  freeTime: FreeTimeModel;
}

export const DEFAULT_REPORT_SEEDS = [1001, 1002, 1003, 1004, 1005];
export const DEFAULT_LOADS = [0.3, 0.5, 0.7, 0.9, 1.1, 1.3, 1.5];

export const USAGE = `usage: npm run bench -- scheduler [--workload NAME|FILE] [--trace FILE] [--seeds 1001..1005|a,b,c]
       [--policies a,b,...] [--loads 0.3,0.5,...] [--tasks N] [--resamples N] [--out DIR]
       [--free-time estimate|fitted]`;

/** "1001..1005" or "1,2,3" */
export function parseSeeds(v: string, flag = '--seeds'): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(v);
  const seeds = range
    ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i)
    : v.split(',').map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.length > 1000 || !seeds.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new TypeError(`${flag}: want 1..1000 non-negative integers as A..B or a,b,c; got "${v}"`);
  }
  return seeds;
}

function parseNumbers(v: string, flag: string, min: number, max: number): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || !xs.every((x) => Number.isFinite(x) && x >= min && x <= max)) {
    throw new TypeError(`${flag}: want numbers in [${min}, ${max}] separated by commas; got "${v}"`);
  }
  return xs;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const a: BenchArgs = {
    workload: 'train-v1',
    trace: undefined,
    seeds: DEFAULT_REPORT_SEEDS,
    policies: undefined,
    loads: DEFAULT_LOADS,
    tasks: undefined,
    resamples: 1000,
    out: 'bench/results',
    freeTime: 'estimate',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new TypeError(`${flag}: missing value\n${USAGE}`);
    i++;
    if (flag === '--workload') a.workload = value;
    else if (flag === '--trace') a.trace = value;
    else if (flag === '--seeds') a.seeds = parseSeeds(value);
    else if (flag === '--policies') a.policies = value.split(',').map((s) => s.trim());
    else if (flag === '--loads') a.loads = parseNumbers(value, flag, 0.01, 10);
    else if (flag === '--tasks') a.tasks = parseNumbers(value, flag, 10, 1_000_000)[0];
    else if (flag === '--resamples') a.resamples = Math.round(parseNumbers(value, flag, 100, 100_000)[0]!);
    else if (flag === '--out') a.out = value;
    else if (flag === '--free-time') a.freeTime = parseFreeTimeFlag(value);
    else throw new TypeError(`unknown flag ${flag}\n${USAGE}`);
  }
  return a;
}
