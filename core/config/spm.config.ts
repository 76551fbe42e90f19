import { z } from 'zod';

/**
 * Settings of the SPM policy. Hysteresis and budgets are named, with units in the name (STYLE 6).
 * Utilization is the busy fraction of one worker slot (busy ms per second / 1000).
 */
export const spmConfigSchema = z
  .strictObject({
    /** A shard above this utilization for `hotTicks` ticks (or forecast above it) is hot. @default 0.6 */
    hotThreshold: z.number().gt(0).lte(1).default(0.6),
    /** Consecutive ticks above `hotThreshold` before a shard is hot. @default 2 */
    hotTicks: z.number().int().min(1).max(100).default(2),
    /** The origin's forecast crossing this within the horizon triggers promotion. @default 0.85 */
    overloadThreshold: z.number().gt(0).lte(2).default(0.85),
    /** A target may take a shard only if its forecast plus the prediction stays at or below this. @default 0.75 */
    safeThreshold: z.number().gt(0).lte(1).default(0.75),
    /** How far ahead forecasts look, in ms. @default 600000 (10 min) */
    horizonMs: z.number().int().min(1000).max(86_400_000).default(600_000),
    /** Minimum time between two ownership changes of the same shard, in ms. @default 600000 */
    cooldownMs: z.number().int().min(0).max(86_400_000).default(600_000),
    /**
     * How a shard's cost is measured. `sampled`: a shadow runs the processor on sampled records on another
     * worker (a dry run: `defineProcessor`, or `fromBatchHandler` with `sideEffectFree`). `owner-only`: the
     * processor may not run twice (`fromBatchHandler` without `sideEffectFree`), so no shadow is created and the
     * shard is measured on its owner only; moves and splits that need a measurement elsewhere hold, saying so.
     * @default sampled
     */
    shadowing: z.enum(['sampled', 'owner-only']).default('sampled'),
    /** Live shadows at most, cluster-wide. @default 4 */
    maxShadows: z.number().int().min(0).max(1000).default(4),
    /** Moves per tick at most. @default 2 */
    maxMovesPerTick: z.number().int().min(0).max(100).default(2),
    /** Splits per tick at most (the stream must be ACTIVE between splits anyway). @default 1 */
    maxSplitsPerTick: z.number().int().min(0).max(10).default(1),
    /**
     * A shard measured at or above this utilization now (its owner is already behind, not only forecast
     * to be) moves at once to the roomiest worker that can absorb it by speed hint, without waiting a
     * tick for a shadow's measurement: every tick waited is a minute of backlog. The move is checked
     * afterwards like any other (reverse shadow, rollback). 0 turns it off. @default 0.95
     */
    urgentUtilization: z.number().min(0).max(100).default(0.95),
    /** A move must lower the origin's forecast by at least this much utilization. @default 0.05 */
    minImpact: z.number().min(0).max(1).default(0.05),
    /** A shadow must have measured this many records before its prediction is used. @default 200 */
    minShadowSamples: z.number().int().min(1).max(1_000_000).default(200),
    /** Split instead of move when forecast ingest exceeds this fraction of the shard's write limit. @default 0.9 */
    splitIngestFraction: z.number().gt(0).lte(1).default(0.9),
    /**
     * Two adjacent cold shards merge when together they stay at or below this fraction of one shard's write
     * limit, now and at the horizon (merge.rule.ts); at most half of `splitIngestFraction`, so that a merge and
     * the split undoing it are far apart. 0 turns merges off. @default 0.25 (at 0.3 the built-in sudden
     * scenarios throttle hundreds of thousands of records after a step lands on a merged shard: docs/ARCHITECTURE.md)
     */
    mergeIngestFraction: z.number().min(0).lt(1).default(0.25),
    /** Buckets of the hash-key load histogram the shadow keeps. @default 32 */
    histogramBuckets: z.number().int().min(2).max(1024).default(32),
    /** Holt level weight of a new metric point (one period's gap). @default 0.5 */
    levelSmoothing: z.number().gt(0).lte(1).default(0.5),
    /** Holt trend weight of a new slope (one period's gap). @default 0.3 */
    trendSmoothing: z.number().min(0).lte(1).default(0.3),
    /** Damping of the trend per metric period ahead (1 = straight-line extrapolation). @default 0.9 */
    trendDampingPerPeriod: z.number().gt(0).lte(1).default(0.9),
    /** A shadow is dropped once its shard's utilization and forecast stay below this for `coolTicks` ticks. @default 0.45 */
    coolThreshold: z.number().min(0).lte(2).default(0.45),
    /** Consecutive cool ticks before a shadow is dropped. @default 3 */
    coolTicks: z.number().int().min(1).max(100).default(3),
    /** Metric periods of the new owner's data needed before a prediction is scored. @default 2 */
    settlePeriods: z.number().int().min(1).max(60).default(2),
    /**
     * A shard is a single hot key (a split cannot halve it) when the best split on histogram bucket
     * boundaries leaves more than this share of the load in one child. @default 0.7
     */
    hotKeyMaxShare: z.number().gt(0.5).lte(1).default(0.7),
    /** Half-width of the prediction's 95 % interval, relative to its mean, above which it is not used yet. @default 0.15 */
    maxPredictionRelativeError: z.number().gt(0).lte(10).default(0.15),
    replication: z
      .strictObject({
        /**
         * Shadow busy time at most, as a fraction of the owners' busy time: the rates of new and re-rated forward
         * shadows are capped so that every live shadow's estimated load stays within it. @default 0.02
         */
        maxOverheadFraction: z.number().gt(0).lte(1).default(0.02),
        /** Lowest and highest replication rate, as fractions. @default 0.01 and 0.2 */
        minRate: z.number().gt(0).lte(1).default(0.01),
        maxRate: z.number().gt(0).lte(1).default(0.2),
        /** Rate before anything is known about the shard. @default 0.05 */
        initialRate: z.number().gt(0).lte(1).default(0.05),
        /** Target half-width of the 95 % interval, relative to the mean. @default 0.05 */
        targetRelativeError: z.number().gt(0).lt(1).default(0.05),
        /** Prediction error (absolute percentage) above which the rate is raised. @default 0.1 */
        accuracyTarget: z.number().gt(0).lt(10).default(0.1),
        /** Window over which the samples must be gathered, in ms. @default 120000 */
        measurementWindowMs: z.number().int().min(1000).max(3_600_000).default(120_000),
        /** Coefficient of variation of per-record cost assumed before a shard was ever measured. @default 1 */
        assumedCostCv: z.number().min(0).max(100).default(1),
        /** Factor applied to r after a prediction misses `accuracyTarget`. @default 2 */
        raiseFactor: z.number().gt(1).max(10).default(2),
        /** Factor applied to r after `lowerAfterHits` predictions in a row were inside the target. @default 0.7 */
        lowerFactor: z.number().gt(0).lt(1).default(0.7),
        /** Consecutive accurate predictions before r is lowered. @default 3 */
        lowerAfterHits: z.number().int().min(1).max(100).default(3),
      })
      .prefault({}),
    reverseShadow: z
      .strictObject({
        /** Keep a low-rate shadow on the old owner after a move, to roll back on evidence. @default true */
        enabled: z.boolean().default(true),
        rate: z.number().gt(0).lte(1).default(0.01),
        /** How long the reverse shadow lives, in ms. @default 900000 */
        durationMs: z.number().int().min(0).max(86_400_000).default(900_000),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    if (c.replication.minRate > c.replication.maxRate) {
      ctx.addIssue({ code: 'custom', path: ['replication', 'minRate'], message: `at most replication.maxRate (${c.replication.maxRate})` });
    }
    if (c.mergeIngestFraction > c.splitIngestFraction / 2) {
      ctx.addIssue({ code: 'custom', path: ['mergeIngestFraction'], message: `at most half of splitIngestFraction (${c.splitIngestFraction / 2}), or a merge could be split again at once` });
    }
    if (c.safeThreshold > c.overloadThreshold) {
      ctx.addIssue({ code: 'custom', path: ['safeThreshold'], message: `at most overloadThreshold (${c.overloadThreshold})` });
    }
  });

export type SpmConfig = z.infer<typeof spmConfigSchema>;
