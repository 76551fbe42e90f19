import { ValidationError } from '../core/errors.js';
import type { TargetCheck } from './report/targets.js';

/** One scored prediction of one run, with where it came from (the pooled tables name the worst one). */
export interface ScoredError {
  readonly scenario: string;
  readonly seed: number;
  readonly shardId: string;
  readonly atMs: number;
  /** |predicted − observed| / observed, a fraction. */
  readonly absolutePercentageError: number;
}

/** The pooled error figures of many scored predictions; percentages, null when nothing was scored. */
export interface PooledErrors {
  readonly scored: number;
  /** Mean absolute percentage error over every pooled prediction (not a mean of per-run MAPEs). */
  readonly mapePercent: number | null;
  readonly medianPercent: number | null;
  readonly maxPercent: number | null;
  /** Share of predictions within `withinPercent`, percent. */
  readonly withinSharePercent: number | null;
  /** The prediction with the largest error (the first one in input order on a tie). */
  readonly worst?: ScoredError;
}

/**
 * Pools scored predictions: MAPE, median and max absolute percentage error, and the share within
 * `withinPercent` (10 %, issue #2's bound). The median of an even count is the mean of the middle two.
 */
export function poolErrors(errors: readonly ScoredError[], withinPercent = 10): PooledErrors {
  if (errors.length === 0) return { scored: 0, mapePercent: null, medianPercent: null, maxPercent: null, withinSharePercent: null };
  const apes = errors.map((e) => 100 * e.absolutePercentageError);
  const sorted = [...apes].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  let worst = 0;
  apes.forEach((a, i) => {
    if (a > apes[worst]!) worst = i;
  });
  return {
    scored: errors.length,
    mapePercent: apes.reduce((a, b) => a + b, 0) / apes.length,
    medianPercent: median,
    maxPercent: apes[worst]!,
    withinSharePercent: (100 * apes.filter((a) => a <= withinPercent).length) / apes.length,
    worst: errors[worst]!,
  };
}

/** How often each target was met, and ruled out by the model, over the seeds of one scenario. */
export interface VerdictCount {
  readonly target: string;
  readonly seeds: number;
  readonly met: number;
  readonly infeasible: number;
  /** The seeds in which it was not met, ascending as given. */
  readonly missedSeeds: readonly number[];
}

/** Counts per target (in first-seen order) over one scenario's runs, one `checkTargets` answer per seed. */
export function countVerdicts(perSeed: readonly { readonly seed: number; readonly checks: readonly TargetCheck[] }[]): VerdictCount[] {
  const counts = new Map<string, { seeds: number; met: number; infeasible: number; missedSeeds: number[] }>();
  for (const { seed, checks } of perSeed) {
    for (const c of checks) {
      const n = counts.get(c.target) ?? { seeds: 0, met: 0, infeasible: 0, missedSeeds: [] };
      counts.set(c.target, {
        seeds: n.seeds + 1,
        met: n.met + (c.met ? 1 : 0),
        infeasible: n.infeasible + (c.feasible === false ? 1 : 0),
        missedSeeds: c.met ? n.missedSeeds : [...n.missedSeeds, seed],
      });
    }
  }
  return [...counts].map(([target, n]) => ({ target, ...n }));
}

/** One row of the verdict table, Markdown: met k / n, infeasible k / n, and the seeds that missed. */
export function formatVerdictRow(scenario: string, v: VerdictCount): string {
  const missed = v.missedSeeds.length === 0 ? '–' : v.missedSeeds.length === v.seeds ? 'all' : v.missedSeeds.join(', ');
  return `| ${scenario} | ${v.target} | ${v.met} / ${v.seeds} | ${v.infeasible > 0 ? `${v.infeasible} / ${v.seeds}` : '–'} | ${missed} |`;
}

export const VERDICT_HEADER = '| scenario | target | met in seeds | infeasible in seeds | missed in seeds |\n|---|---|---|---|---|';

/**
 * Parses a seed list: `1-10`, `3`, or a comma-separated mix (`1-3,7`); ascending, without duplicates.
 * A bad list is a ValidationError naming `--seeds`.
 */
export function parseSeeds(text: string): number[] {
  const seeds = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
    const from = m ? Number(m[1]) : NaN;
    const to = m?.[2] !== undefined ? Number(m[2]) : from;
    if (!m || !Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from || to - from >= 10_000) {
      throw new ValidationError('--seeds', 'a list of non-negative integers or ascending ranges such as 1-10 or 1-3,7', text);
    }
    for (let s = from; s <= to; s++) seeds.add(s);
  }
  return [...seeds].sort((a, b) => a - b);
}

/** One row of the pooled error table, Markdown; `label` names the scenario (or "all"); the worst prediction's scenario is named when it differs. */
export function formatPooledRow(label: string, runs: number, p: PooledErrors): string {
  const pct = (x: number | null, digits = 2): string => (x === null ? '–' : `${x.toFixed(digits)} %`);
  const where = p.worst && p.worst.scenario !== label ? `${p.worst.scenario}, ` : '';
  const worst = p.worst ? ` (${where}seed ${p.worst.seed}, ${p.worst.shardId} at min ${round1(p.worst.atMs / 60_000)})` : '';
  return `| ${label} | ${runs} | ${p.scored} | ${pct(p.mapePercent)} | ${pct(p.medianPercent)} | ${pct(p.maxPercent)}${worst} | ${pct(p.withinSharePercent, 1)} |`;
}

export const POOLED_HEADER = '| scenario | spm runs | scored predictions | MAPE | median APE | max APE (where) | within 10 % |\n|---|---|---|---|---|---|---|';

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
