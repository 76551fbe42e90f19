import { describe, expect, it } from 'vitest';
import { estimateCost, replicationRateFor, samplesNeeded } from '../../../core/estimators/cost-estimator.js';

describe('the sampled per-record cost estimator', () => {
  it('computes mean, sample variance, CV and the 95 % interval (costs 1, 2, 3, 4 ms)', () => {
    const e = estimateCost(4, 10, 30)!;
    expect(e.meanMs).toBe(2.5);
    expect(e.varianceMs2).toBeCloseTo(5 / 3, 12);
    expect(e.stdDevMs).toBeCloseTo(1.290994, 6);
    expect(e.cv).toBeCloseTo(0.516398, 6);
    expect(e.relativeStdError).toBeCloseTo(0.258199, 6);
    expect(e.relativeHalfWidth).toBeCloseTo(0.506070, 6);
    expect(e.lowMs).toBeCloseTo(2.5 - 1.2651745, 6);
    expect(e.highMs).toBeCloseTo(2.5 + 1.2651745, 6);
  });

  it('has nothing to say about an empty sample', () => {
    expect(estimateCost(0, 0, 0)).toBeUndefined();
  });

  it('treats a single sample and a constant cost as zero variance, never negative', () => {
    expect(estimateCost(1, 3, 9)).toMatchObject({ meanMs: 3, varianceMs2: 0, cv: 0 });
    // 0.1 ms × 3: float rounding would give a tiny negative variance.
    expect(estimateCost(3, 0.1 + 0.1 + 0.1, 0.01 + 0.01 + 0.01)!.varianceMs2).toBeGreaterThanOrEqual(0);
  });

  it.each([
    // cv, target relative error, samples: ⌈(1.96·cv/e)²⌉
    [0.5, 0.05, 385],
    [1, 0.05, 1537],
    [1, 0.1, 385],
    [0, 0.05, 1],
  ])('needs n = ⌈(1.96·%s/%s)²⌉ = %s samples', (cv, e, n) => {
    expect(samplesNeeded(cv, e)).toBe(n);
  });

  it.each([
    // samples, records/s, window ms, expected r
    [1537, 500, 120_000, 1537 / 60_000],
    [385, 500, 120_000, 0.01], // 0.0064 below the floor
    [1537, 10, 120_000, 0.2], // 1.28 above the cap
    [100, 0, 120_000, 0.2], // no records flowing
  ])('sets the initial rate to n / (rate × window) within [1 %, 20 %] (%s samples at %s records/s)', (n, rps, windowMs, r) => {
    expect(replicationRateFor(n, rps, windowMs, 0.01, 0.2)).toBeCloseTo(r, 12);
  });
});
