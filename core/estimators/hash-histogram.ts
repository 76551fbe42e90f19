import type { HashKeyRange } from '../model/hash-key.js';
import type { HashKeyHistogram } from '../model/metrics.js';

/**
 * Helpers over a shadow's hash-key load histogram: equal-width buckets across a shard's hash-key range,
 * each with the records and busy ms that fell in it. The split key that halves the MEASURED load comes
 * from here (AWS's resharding guidance: split hot shards at measured hot keys, not at the midpoint).
 */
const FIXED_POINT = 1_000_000_000n;

/** First hash key of bucket `index` (index = bucket count gives end + 1). */
export function bucketStart(range: HashKeyRange, buckets: number, index: number): bigint {
  const width = range.end - range.start + 1n;
  return range.start + (width * BigInt(index)) / BigInt(buckets);
}

/** Index of the bucket holding `key` (keys outside the range are clamped to the first or last bucket). */
export function bucketOf(range: HashKeyRange, buckets: number, key: bigint): number {
  if (key <= range.start) return 0;
  if (key >= range.end) return buckets - 1;
  const width = range.end - range.start + 1n;
  const index = Number(((key - range.start) * BigInt(buckets)) / width);
  return Math.min(buckets - 1, Math.max(0, index));
}

/**
 * Load per bucket: busy ms where anything was measured, otherwise record counts (a histogram of records
 * with zero cost still tells where the keys are). Negative or non-finite entries count as 0.
 */
export function bucketLoads(histogram: HashKeyHistogram): number[] {
  const cost = histogram.buckets.map((b) => (Number.isFinite(b.costMs) && b.costMs > 0 ? b.costMs : 0));
  if (cost.some((c) => c > 0)) return cost;
  return histogram.buckets.map((b) => (Number.isFinite(b.records) && b.records > 0 ? b.records : 0));
}

/** Share (0..1) of the measured load on keys below `key`, uniform inside a bucket. */
/**
 * Share of a shadow's sampled records that hash outside the shard's range above which its histogram does not
 * say where the load lies (a producer routes by explicit hash keys): the split falls back to the midpoint.
 * A producer that sets explicit hash keys on a fraction f of its records puts about f × (1 − the shard's share
 * of the key space) of them outside; 5 % is well above what a plain producer can cause (none).
 */
export const MAX_UNPLACED_SHARE = 0.05;

/** Share of the sampled records (placed and unplaced) that the histogram could not place. */
export function unplacedShare(histogram: HashKeyHistogram): number {
  const unplaced = histogram.unplaced ?? 0;
  const placed = histogram.buckets.reduce((s, b) => s + b.records, 0);
  return unplaced > 0 ? unplaced / (unplaced + placed) : 0;
}

export function loadShareBelow(range: HashKeyRange, histogram: HashKeyHistogram, key: bigint): number {
  const loads = bucketLoads(histogram);
  const total = loads.reduce((s, l) => s + l, 0);
  const n = loads.length;
  if (total <= 0 || n === 0) return positionShare(range, key);
  let below = 0;
  for (let i = 0; i < n; i += 1) {
    const lo = bucketStart(range, n, i);
    const hi = bucketStart(range, n, i + 1);
    const load = loads[i] ?? 0;
    if (key >= hi) below += load;
    else if (key > lo) below += (load * Number(((key - lo) * FIXED_POINT) / (hi - lo))) / Number(FIXED_POINT);
  }
  return below / total;
}

function positionShare(range: HashKeyRange, key: bigint): number {
  const width = range.end - range.start + 1n;
  if (key <= range.start) return 0;
  if (key > range.end) return 1;
  return Number(((key - range.start) * FIXED_POINT) / width) / Number(FIXED_POINT);
}

export interface SplitPoint {
  /** `NewStartingHashKey`: keys at or above it go to the high child. Always in (start, end]. */
  readonly newStartingHashKey: bigint;
  /** Measured load share of the low child (keys below the split key). */
  readonly lowLoadShare: number;
}

/**
 * The split key that halves the measured load: find the bucket where the cumulative load crosses half and
 * interpolate inside it. The key is clamped to (start, end] so both children are non-empty, which means a
 * one-key range cannot be split (`undefined`). With no measured load it falls back to the midpoint.
 */
export function loadBalancedSplitKey(range: HashKeyRange, histogram: HashKeyHistogram): SplitPoint | undefined {
  if (range.end <= range.start) return undefined;
  const loads = bucketLoads(histogram);
  const total = loads.reduce((s, l) => s + l, 0);
  const n = loads.length;
  let key: bigint;
  if (total <= 0 || n === 0) {
    key = range.start + (range.end - range.start + 1n) / 2n;
  } else {
    const half = total / 2;
    let cumulative = 0;
    let index = n - 1;
    for (let i = 0; i < n; i += 1) {
      const load = loads[i] ?? 0;
      if (cumulative + load >= half && load > 0) {
        index = i;
        break;
      }
      cumulative += load;
    }
    const load = loads[index] ?? 0;
    const fraction = load > 0 ? Math.min(1, Math.max(0, (half - cumulative) / load)) : 0.5;
    const lo = bucketStart(range, n, index);
    const hi = bucketStart(range, n, index + 1);
    key = lo + ((hi - lo) * BigInt(Math.round(fraction * Number(FIXED_POINT)))) / FIXED_POINT;
  }
  if (key <= range.start) key = range.start + 1n;
  if (key > range.end) key = range.end;
  return { newStartingHashKey: key, lowLoadShare: loadShareBelow(range, histogram, key) };
}

export interface HotKeyCheck {
  /** True when a single bucket dominates so that no split can bring the heavier child near half. */
  readonly hot: boolean;
  /** The bucket with the largest share of the load, and that share. */
  readonly bucketIndex: number;
  readonly bucketShare: number;
  /**
   * The heavier child's share at the best split on a bucket boundary, i.e. if the top bucket were one
   * indivisible key. 0.5 is a perfect split.
   */
  readonly bestHeavierShare: number;
}

/**
 * Detects a hot single key. A histogram cannot tell one key from many inside a bucket, so the check
 * assumes the worst for the dominating bucket (one key) and asks whether a split on bucket boundaries can
 * still leave the heavier child at or below `maxHeavierShare`. If not, splitting does not fix the shard:
 * one child inherits nearly all of the load.
 */
export function detectHotKey(histogram: HashKeyHistogram, maxHeavierShare: number): HotKeyCheck {
  const loads = bucketLoads(histogram);
  const total = loads.reduce((s, l) => s + l, 0);
  if (total <= 0) return { hot: false, bucketIndex: 0, bucketShare: 0, bestHeavierShare: 0.5 };
  let bucketIndex = 0;
  for (let i = 1; i < loads.length; i += 1) if ((loads[i] ?? 0) > (loads[bucketIndex] ?? 0)) bucketIndex = i;
  let bestHeavierShare = 1;
  let cumulative = 0;
  for (let i = 0; i < loads.length - 1; i += 1) {
    cumulative += loads[i] ?? 0;
    const low = cumulative / total;
    bestHeavierShare = Math.min(bestHeavierShare, Math.max(low, 1 - low));
  }
  const bucketShare = (loads[bucketIndex] ?? 0) / total;
  return { hot: bestHeavierShare > maxHeavierShare, bucketIndex, bucketShare, bestHeavierShare };
}
