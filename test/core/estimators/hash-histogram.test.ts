import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketOf, bucketStart, detectHotKey, loadBalancedSplitKey, loadShareBelow } from '../../../core/estimators/hash-histogram.js';
import { MAX_HASH_KEY } from '../../../core/model/hash-key.js';
import type { HashKeyHistogram } from '../../../core/model/metrics.js';

const histogram = (costs: number[], records?: number[]): HashKeyHistogram => ({
  buckets: costs.map((costMs, i) => ({ costMs, records: records?.[i] ?? (costMs > 0 ? 1 : 0) })),
});

describe('hash-key load histogram helpers', () => {
  const range = { start: 0n, end: 999n };

  it('maps keys to equal-width buckets', () => {
    expect(bucketStart(range, 4, 1)).toBe(250n);
    expect(bucketStart(range, 4, 4)).toBe(1000n);
    expect(bucketOf(range, 4, 249n)).toBe(0);
    expect(bucketOf(range, 4, 250n)).toBe(1);
    expect(bucketOf(range, 4, 999n)).toBe(3);
  });

  it('interpolates the split key inside the bucket where the load crosses half (worked numbers)', () => {
    // loads 10, 30, 40, 20: half (50) falls 10/40 into bucket 2 → 500 + 250·0.25 = 562
    const split = loadBalancedSplitKey(range, histogram([10, 30, 40, 20]))!;
    expect(split.newStartingHashKey).toBe(562n);
    expect(split.lowLoadShare).toBeCloseTo(0.4992, 6);
  });

  it('splits a uniform load at the midpoint', () => {
    const split = loadBalancedSplitKey({ start: 0n, end: MAX_HASH_KEY }, histogram([5, 5, 5, 5]))!;
    expect(split.newStartingHashKey).toBe(1n << 127n);
    expect(split.lowLoadShare).toBeCloseTo(0.5, 9);
  });

  it('falls back to record counts when no cost was measured, and to the midpoint when nothing was', () => {
    expect(loadBalancedSplitKey(range, histogram([0, 0, 0, 0], [0, 0, 0, 8]))!.newStartingHashKey).toBe(875n);
    expect(loadBalancedSplitKey(range, histogram([0, 0, 0, 0], [0, 0, 0, 0]))!.newStartingHashKey).toBe(500n);
  });

  it('keeps both children non-empty when all load sits at the low edge', () => {
    const split = loadBalancedSplitKey({ start: 5n, end: 6n }, histogram([1, 0]))!;
    expect(split.newStartingHashKey).toBe(6n);
    expect(split.lowLoadShare).toBe(1);
  });

  it('cannot split a range of one key', () => {
    expect(loadBalancedSplitKey({ start: 7n, end: 7n }, histogram([1, 1]))).toBeUndefined();
  });

  it('reports the share of load below any key', () => {
    expect(loadShareBelow(range, histogram([10, 30, 40, 20]), 500n)).toBeCloseTo(0.4, 9);
    expect(loadShareBelow(range, histogram([10, 30, 40, 20]), 0n)).toBe(0);
    expect(loadShareBelow(range, histogram([10, 30, 40, 20]), 1000n)).toBe(1);
  });

  it.each([
    ['one bucket with 90 % of the load', [1, 1, 90, 1, 1, 1, 1, 4], true],
    ['a uniform load', [1, 1, 1, 1, 1, 1, 1, 1], false],
    ['a skewed but divisible load', [10, 30, 40, 20], false],
  ])('detects a single hot key: %s', (_what, costs, hot) => {
    const check = detectHotKey(histogram(costs), 0.7);
    expect(check.hot).toBe(hot);
  });

  it('names the dominating bucket and the best split it allows', () => {
    expect(detectHotKey(histogram([1, 1, 90, 1, 1, 1, 1, 4]), 0.7)).toMatchObject({ bucketIndex: 2, bucketShare: 0.9, bestHeavierShare: 0.92 });
  });

  it('always puts the split key strictly inside the parent range, with a share in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_HASH_KEY - 1n }),
        fc.bigInt({ min: 1n, max: MAX_HASH_KEY }),
        fc.array(fc.record({ costMs: fc.double({ min: 0, max: 1e6, noNaN: true }), records: fc.nat(10_000) }), { minLength: 2, maxLength: 64 }),
        (start, width, buckets) => {
          const end = start + width > MAX_HASH_KEY ? MAX_HASH_KEY : start + width;
          const split = loadBalancedSplitKey({ start, end }, { buckets })!;
          expect(split.newStartingHashKey > start).toBe(true);
          expect(split.newStartingHashKey <= end).toBe(true);
          expect(split.lowLoadShare).toBeGreaterThanOrEqual(0);
          expect(split.lowLoadShare).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});
