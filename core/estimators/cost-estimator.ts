/**
 * Per-record cost estimated from a sample, as a shadow measures it: n records, the sum of their busy ms
 * and the sum of squares. From these come the mean, the sample variance and a 95 % confidence interval
 * whose relative half-width is z·CV/√n (ANCHORS, "Measurement limits").
 */
export const Z_95 = 1.96;

export interface CostEstimate {
  readonly samples: number;
  readonly meanMs: number;
  /** Sample variance (n − 1 in the denominator), ms². */
  readonly varianceMs2: number;
  readonly stdDevMs: number;
  /** Coefficient of variation: stdDev / mean (0 when the mean is 0). */
  readonly cv: number;
  /** Relative standard error of the mean: CV / √n. */
  readonly relativeStdError: number;
  /** Half-width of the interval relative to the mean: z · CV / √n. */
  readonly relativeHalfWidth: number;
  readonly lowMs: number;
  readonly highMs: number;
}

/**
 * Estimates the mean per-record cost and its interval; `undefined` when nothing was sampled. Rounding can
 * make sumSq − sum²/n slightly negative for a constant cost, so the variance is floored at 0.
 */
export function estimateCost(samples: number, sumMs: number, sumSquaresMs2: number, z = Z_95): CostEstimate | undefined {
  if (!(samples > 0) || !Number.isFinite(sumMs) || !Number.isFinite(sumSquaresMs2)) return undefined;
  const meanMs = sumMs / samples;
  const varianceMs2 = samples > 1 ? Math.max(0, (sumSquaresMs2 - (sumMs * sumMs) / samples) / (samples - 1)) : 0;
  const stdDevMs = Math.sqrt(varianceMs2);
  const cv = meanMs > 0 ? stdDevMs / meanMs : 0;
  const relativeStdError = cv / Math.sqrt(samples);
  const halfWidthMs = (z * stdDevMs) / Math.sqrt(samples);
  return {
    samples,
    meanMs,
    varianceMs2,
    stdDevMs,
    cv,
    relativeStdError,
    relativeHalfWidth: z * relativeStdError,
    lowMs: Math.max(0, meanMs - halfWidthMs),
    highMs: meanMs + halfWidthMs,
  };
}

/** Samples needed for a relative half-width `targetRelativeError` at confidence z: ⌈(z·CV/e)²⌉, at least 1. */
export function samplesNeeded(cv: number, targetRelativeError: number, z = Z_95): number {
  if (!(targetRelativeError > 0) || !(cv >= 0)) return 1;
  return Math.max(1, Math.ceil(Math.pow((z * cv) / targetRelativeError, 2)));
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * The replication rate (a fraction) that gathers `samples` records within `windowMs` at `recordsPerSec`:
 * r = n / (rate × window), clamped to [minRate, maxRate]. With no records flowing, the highest rate.
 */
export function replicationRateFor(samples: number, recordsPerSec: number, windowMs: number, minRate: number, maxRate: number): number {
  const expected = recordsPerSec * (windowMs / 1000);
  if (!(expected > 0)) return maxRate;
  return clamp(samples / expected, minRate, maxRate);
}
