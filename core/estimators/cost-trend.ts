/**
 * The trend of a mean per-record cost, from cumulative counters read at successive times (a shadow's
 * records and busy ms since its stats began, as the SPM snapshots them every tick).
 *
 * Why from differences of counters: the cumulative mean hides a drift (it is dominated by old records), and
 * the per-interval mean (Δbusy / Δrecords between two reads) is what the worker measured in that interval.
 * Why a weighted least-squares line and not Holt: the SPM keeps only a handful of reads per shadow (about
 * two measurement windows), too few for Holt's smoothing to settle, and the records of an interval are
 * what makes its mean trustworthy: the variance of a mean falls as 1/n, so each interval weighs by its
 * record count (inverse-variance weights).
 */
export interface CounterRead {
  readonly atMs: number;
  /** Records counted since the counters began (non-decreasing). */
  readonly records: number;
  /** Busy ms summed over those records. */
  readonly busyMs: number;
}

export interface IntervalCost {
  /** Centre of the interval. */
  readonly atMs: number;
  readonly meanCostMs: number;
  readonly records: number;
}

export interface CostTrend {
  /** Change of the per-record cost per ms of time (ms per record per ms). */
  readonly slopePerMs: number;
  /**
   * Standard error of `slopePerMs`, from the weighted residuals about the line (Infinity with two
   * intervals: no degree of freedom is left to estimate it). It is what tells a drift from noise.
   */
  readonly standardErrorPerMs: number;
  /** Intervals the line was fitted to. */
  readonly intervals: number;
  /** Time between the centres of the first and the last interval: the range the line is known over. */
  readonly spanMs: number;
}

/**
 * A slope counts as a drift only when it is at least this many standard errors from zero (about a 95 %
 * two-sided test with enough intervals). Below it the slope is noise: on a flat cost with CV 0.3 and three
 * intervals of 100 records it swings the horizon by ±13 % (one SD), enough for a noisy falling slope to
 * pass a capacity check onto a target that cannot take the shard.
 */
export const TREND_SIGNIFICANCE_SE = 2;

/** True when the slope is at least `TREND_SIGNIFICANCE_SE` standard errors from zero. */
export function isSignificant(trend: CostTrend): boolean {
  return Math.abs(trend.slopePerMs) >= TREND_SIGNIFICANCE_SE * trend.standardErrorPerMs;
}

/**
 * Per-interval mean costs between consecutive reads (sorted by time here). An interval with fewer than
 * `minRecords` records, or where a counter went backwards (a reset), is skipped: its mean is noise.
 */
export function intervalCosts(reads: readonly CounterRead[], minRecords: number): IntervalCost[] {
  const sorted = [...reads].filter((r) => [r.atMs, r.records, r.busyMs].every(Number.isFinite)).sort((a, b) => a.atMs - b.atMs);
  const out: IntervalCost[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    const records = b.records - a.records;
    const busyMs = b.busyMs - a.busyMs;
    if (b.atMs <= a.atMs || records < Math.max(1, minRecords) || busyMs < 0) continue;
    out.push({ atMs: (a.atMs + b.atMs) / 2, meanCostMs: busyMs / records, records });
  }
  return out;
}

/**
 * Weighted least-squares slope of the interval means over time and its standard error; `undefined` with
 * fewer than `minPoints` intervals or when they all sit at the same time (no slope to speak of).
 *
 * With weights n_i (records), the model is Var(mean_i) = σ²/n_i; σ² is estimated from the weighted
 * residuals, s² = Σ n_i·r_i² / (k − 2), and Var(slope) = s² / Sxx. A residual-based estimate also catches a
 * cost that moves but not along a line (it shows as scatter, so the slope is trusted less).
 */
export function costTrend(intervals: readonly IntervalCost[], minPoints: number): CostTrend | undefined {
  if (intervals.length < Math.max(2, minPoints)) return undefined;
  const w = intervals.reduce((s, p) => s + p.records, 0);
  const tBar = intervals.reduce((s, p) => s + p.records * p.atMs, 0) / w;
  const yBar = intervals.reduce((s, p) => s + p.records * p.meanCostMs, 0) / w;
  const sxx = intervals.reduce((s, p) => s + p.records * (p.atMs - tBar) ** 2, 0);
  const sxy = intervals.reduce((s, p) => s + p.records * (p.atMs - tBar) * (p.meanCostMs - yBar), 0);
  if (!(sxx > 0)) return undefined;
  const slopePerMs = sxy / sxx;
  const k = intervals.length;
  const rss = intervals.reduce((s, p) => s + p.records * (p.meanCostMs - (yBar + slopePerMs * (p.atMs - tBar))) ** 2, 0);
  const standardErrorPerMs = k > 2 ? Math.sqrt(rss / (k - 2) / sxx) : Number.POSITIVE_INFINITY;
  const times = intervals.map((p) => p.atMs);
  return { slopePerMs, standardErrorPerMs, intervals: k, spanMs: Math.max(...times) - Math.min(...times) };
}
