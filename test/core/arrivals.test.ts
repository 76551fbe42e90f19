import { describe, expect, it } from 'vitest';
import { arrivalFactor, estimateArrivals, type ReadPeriod } from '../../core/forecast/arrivals.js';

const MINUTE = 60_000;
const period = (minute: number, records: number, meanAgeMs: number): ReadPeriod => ({ atMs: minute * MINUTE, periodMs: MINUTE, incomingRecords: records, incomingBytes: records * 100, ageMsSum: records * meanAgeMs });

describe('estimateArrivals: what reached a shard, from what its owner read and how old it was', () => {
  it.each([
    ['keeps up (steady age)', 1_000, 1_000, 1],
    ['caught up after a period of waiting (a child behind its parent): counts stand', 8_000, 600, 1],
    ['reads a third of what arrives (age rises 40 s a minute)', 10_000, 50_000, 3],
    ['drains a backlog twice as fast as records arrive (age falls 60 s a minute)', 120_000, 60_000, 0.5],
    ['stalls (age rises a whole minute a minute): capped at 10x', 10_000, 70_000, 10],
  ])('a shard that %s', (_what, before, after, factor) => {
    expect(arrivalFactor(period(1, 600, before), period(2, 600, after))).toBeCloseTo(factor, 9);
  });

  it('scales records and bytes alike and keeps what it has no slope for: the first period, a gap, a period with no ages', () => {
    const out = estimateArrivals([period(1, 600, 10_000), period(2, 600, 50_000), period(4, 600, 90_000), period(5, 600, 0), period(6, 600, 20_000)]);
    expect(out.map((p) => [Math.round(p.incomingRecords), Math.round(p.incomingBytes)])).toEqual([
      [600, 60_000],
      [1_800, 180_000],
      [600, 60_000],
      [600, 60_000],
      [600, 60_000],
    ]);
  });

  it('recovers the arrival rate of a saturated owner exactly, whatever the rate', () => {
    // Arrivals at λ, reads at μ < λ from a backlog: the record read at t arrived at t·μ/λ.
    for (const [lambda, mu] of [[900, 333], [2_000, 1_000], [150, 140]] as const) {
      const meanAge = (minute: number) => (minute + 0.5) * MINUTE * (1 - mu / lambda);
      const points = [10, 11].map((m) => period(m, mu * 60, meanAge(m)));
      expect(estimateArrivals(points)[1]!.incomingRecords / 60).toBeCloseTo(lambda, 6);
    }
  });
});
