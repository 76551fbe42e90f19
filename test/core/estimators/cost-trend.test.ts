import { describe, expect, it } from 'vitest';
import { costTrend, intervalCosts, isSignificant } from '../../../core/estimators/cost-trend.js';

const MIN = 60_000;
const read = (atMs: number, records: number, busyMs: number) => ({ atMs, records, busyMs });

describe('per-interval mean costs from cumulative counters', () => {
  it('takes Δbusy / Δrecords between consecutive reads, centred on the interval, in time order', () => {
    // 100 records at 1 ms, then 200 records at 1.5 ms; reads given out of order.
    expect(intervalCosts([read(2 * MIN, 300, 400), read(0, 0, 0), read(MIN, 100, 100)], 1)).toEqual([
      { atMs: 30_000, meanCostMs: 1, records: 100 },
      { atMs: 90_000, meanCostMs: 1.5, records: 200 },
    ]);
  });

  it.each([
    ['fewer records than the minimum', [read(0, 0, 0), read(MIN, 49, 49), read(2 * MIN, 149, 199)], [{ atMs: 90_000, meanCostMs: 1.5, records: 100 }]],
    ['a counter that went backwards (a reset)', [read(0, 500, 500), read(MIN, 100, 100), read(2 * MIN, 200, 300)], [{ atMs: 90_000, meanCostMs: 2, records: 100 }]],
    ['two reads at the same time', [read(0, 0, 0), read(0, 100, 100), read(MIN, 200, 300)], [{ atMs: 30_000, meanCostMs: 2, records: 100 }]],
  ])('skips an interval with %s', (_why, reads, expected) => {
    expect(intervalCosts(reads, 50)).toEqual(expected);
  });
});

describe('the weighted least-squares cost trend', () => {
  it('weighs each interval by its records (1.0, 1.3, 1.4 ms with 100, 100, 200 records one minute apart: 0.1909 ms per minute)', () => {
    const trend = costTrend(
      [
        { atMs: 0, meanCostMs: 1.0, records: 100 },
        { atMs: MIN, meanCostMs: 1.3, records: 100 },
        { atMs: 2 * MIN, meanCostMs: 1.4, records: 200 },
      ],
      3,
    );
    // t̄ = 75 s, ȳ = 1.275; Sxy = 3.15e6, Sxx = 9.9e11 (ms² · records); unweighted it would be 0.2 ms/min.
    expect(trend?.intervals).toBe(3);
    expect((trend?.slopePerMs ?? 0) * MIN).toBeCloseTo((3.15e6 / 9.9e11) * MIN, 10);
    expect((trend?.slopePerMs ?? 0) * MIN).toBeCloseTo(0.1909, 4);
  });

  it('estimates the slope’s standard error from the weighted residuals, and the span of the interval centres', () => {
    const trend = costTrend(
      [
        { atMs: 0, meanCostMs: 1.0, records: 100 },
        { atMs: MIN, meanCostMs: 1.3, records: 100 },
        { atMs: 2 * MIN, meanCostMs: 1.4, records: 200 },
      ],
      3,
    );
    // Fitted line at t̄ = 75 s, ȳ = 1.275: residuals −0.0364, 0.0727, −0.0182 (ms), RSS_w = 100·r₁² + 100·r₂² + 200·r₃²;
    // SE = √(RSS_w / (3 − 2) / Sxx).
    const slope = 3.15e6 / 9.9e11;
    const r = [1.0 - (1.275 + slope * -75_000), 1.3 - (1.275 + slope * -15_000), 1.4 - (1.275 + slope * 45_000)];
    const rss = 100 * r[0]! ** 2 + 100 * r[1]! ** 2 + 200 * r[2]! ** 2;
    expect(trend?.standardErrorPerMs).toBeCloseTo(Math.sqrt(rss / 9.9e11), 15);
    expect((trend?.standardErrorPerMs ?? 0) * MIN).toBeCloseTo(0.0514, 4);
    expect(trend?.spanMs).toBe(2 * MIN);
    // 0.1909 ms/min against 2 × 0.0514: a drift.
    expect(trend && isSignificant(trend)).toBe(true);
  });

  it.each([
    ['a slope within 2 SE of zero is noise', [1.0, 1.4, 1.1, 1.3, 1.2], false],
    ['a steady rise with little scatter is a drift', [1.1, 1.25, 1.3, 1.4, 1.5], true],
  ])('%s', (_why, costs, significant) => {
    const trend = costTrend(costs.map((c, i) => ({ atMs: i * MIN, meanCostMs: c, records: 100 })), 3);
    expect(trend && isSignificant(trend)).toBe(significant);
  });

  it('has an infinite standard error with two intervals (no degree of freedom left), so never a significant slope', () => {
    const trend = costTrend([{ atMs: 0, meanCostMs: 1, records: 100 }, { atMs: MIN, meanCostMs: 2, records: 100 }], 2);
    expect(trend?.standardErrorPerMs).toBe(Number.POSITIVE_INFINITY);
    expect(trend && isSignificant(trend)).toBe(false);
  });

  it('is flat for a constant cost', () => {
    const flat = [0, 1, 2, 3].map((i) => ({ atMs: i * MIN, meanCostMs: 2, records: 100 + i }));
    expect(costTrend(flat, 3)?.slopePerMs).toBe(0);
  });

  it('has no trend with fewer intervals than the minimum, or all at one time', () => {
    expect(costTrend([{ atMs: 0, meanCostMs: 1, records: 100 }, { atMs: MIN, meanCostMs: 2, records: 100 }], 3)).toBeUndefined();
    expect(costTrend([0, 0, 0].map((_, i) => ({ atMs: MIN, meanCostMs: i, records: 100 })), 3)).toBeUndefined();
  });
});
