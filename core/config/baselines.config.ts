import { z } from 'zod';

/**
 * Settings of the baseline policies, at their documented defaults (see ANCHORS.md, "Baselines"). Each
 * baseline is a re-implementation from public descriptions; where the sources disagree the field says so.
 *
 * Time base: `decide` runs once per `tickIntervalMs` (60 s on the aws profile, seconds locally). Cadences
 * the sources state in minutes are expressed in ticks (one tick stands for one minute on the aws profile),
 * so a time-compressed local run keeps the same shape. A `...Ms` field left unset is derived that way.
 */
export const baselinesConfigSchema = z
  .strictObject({
    /** Patent US 10127086, claims 1–3 (`reactive-threshold`). The patent fixes no numbers: these are ours. */
    reactiveThreshold: z
      .strictObject({
        /** Moves per tick at most. @default 1 */
        maxMovesPerTick: z.number().int().min(0).max(100).default(1),
        /** A worker counts as above average when its weight exceeds average × (1 + this). @default 0.1 */
        aboveAverageFraction: z.number().min(0).max(10).default(0.1),
        /**
         * Observed busy fraction (of a worker's slots, or of one slot for one of its shards) at or above which the
         * worker is overloaded. Same figure as the SPM's `overloadThreshold`, so the two differ only in
         * observing versus forecasting. @default 0.85
         */
        overloadUtilization: z.number().gt(0).max(10).default(0.85),
        /** Consecutive ticks a worker must be observed overloaded before anything moves off it. @default 2 */
        overloadTicks: z.number().int().min(1).max(1000).default(2),
        /**
         * What a partition's weight measures: the claims say "rate at which data is read", i.e. bytes read per
         * second (estimated as records processed × mean record size); `records` uses records processed per second.
         * @default 'bytes'
         */
        weightBasis: z.enum(['bytes', 'records']).default('bytes'),
      })
      .prefault({}),
    /** KCL 3.x `VarianceBasedLeaseAssignmentDecider` (`kcl3-variance`). */
    kcl3Variance: z
      .strictObject({
        /** Utilization outside average × (1 ± this percent) triggers rebalancing (`reBalanceThresholdPercentage`). @default 10 */
        varianceThresholdPercent: z.number().min(0).max(100).default(10),
        /**
         * Share of the excess load moved per balancing round, in percent (`dampeningPercentage`). The sources
         * disagree: `LeaseManagementConfig` and the configuration table say 60, the deep-dive says 80.
         * @default 60 (the code's default)
         */
        dampeningPercent: z.number().min(0).max(100).default(60),
        /**
         * Variance balancing runs every Nth assignment round (`varianceBalancingFrequency`). One tick is one
         * round: KCL's round is `failoverTimeMillis` (10 s), ours is `tickIntervalMs`. @default 3
         */
        balanceEveryNthTick: z.number().int().min(1).max(100).default(3),
        /** EMA weight of the newest per-lease throughput sample (KCL: fixed 0.5). @default 0.5 */
        leaseThroughputEmaAlpha: z.number().gt(0).lte(1).default(0.5),
        /** EMA weight of the newest worker utilization sample (`workerMetricsEMAAlpha`). @default 0.5 */
        workerUtilizationEmaAlpha: z.number().gt(0).lte(1).default(0.5),
        /** Take the smallest lease when no lease fits under the throughput to take (`allowThroughputOvershoot`). @default true */
        allowThroughputOvershoot: z.boolean().default(true),
        /** Moves per tick at most. KCL has no such cap (dampening is its budget); this is a safety valve. @default 100 */
        maxMovesPerTick: z.number().int().min(0).max(10_000).default(100),
      })
      .prefault({}),
    /** A plain event source mapping with `ParallelizationFactor` (`parallelization-factor`). */
    parallelizationFactor: z
      .strictObject({
        /** Concurrent batches per shard, order kept per partition key (the mapping's `ParallelizationFactor`, 1 to 10). @default 10 */
        factor: z.number().int().min(1).max(10).default(10),
      })
      .prefault({}),
    /** Kinesis on-demand capacity mode (`on-demand`), as documented (ANCHORS.md, "On-demand mode"). */
    onDemand: z
      .strictObject({
        /** Write capacity kept, as a multiple of the peak write rate seen. @default 2 */
        peakMultiple: z.number().gt(1).max(10).default(2),
        /** A shard whose ingest reaches this fraction of its write limit (~500 KB/s of 1 MiB/s) is split evenly. @default 0.5 */
        hotShardIngestFraction: z.number().gt(0).lte(1).default(0.5),
        /**
         * Consecutive 60-s points a shard (or the stream, for the peak rule) must stay above before Kinesis
         * splits: "within ~15 minutes" is an upper bound, so the default takes the fast end. @default 1
         */
        sustainPoints: z.number().int().min(1).max(60).default(1),
        /**
         * Scale-down considers the peak of this window: capacity comes down only when 2× the window's peak fits
         * in fewer shards. @default 1440 × tickIntervalMs (86400000 = 24 h on the aws profile)
         */
        scaleDownWindowMs: z.number().int().min(1).max(30 * 86_400_000).optional(),
      })
      .prefault({}),
    /** A per-shard splitter in the style of awslabs/amazon-kinesis-scaling-utils (`reactive-split`). */
    reactiveSplit: z
      .strictObject({
        /** A shard's ingest at or above this share of its write limit counts as high (`scaleThresholdPct`). @default 75 */
        ingestThresholdPercent: z.number().gt(0).max(100).default(75),
        /**
         * Processing counts as high when the shard's iterator age (IteratorAgeMilliseconds, maximum of the
         * period) reaches this. @default 60000
         */
        iteratorAgeThresholdMs: z.number().int().min(1).max(86_400_000).default(60_000),
        /** Consecutive high 60-s periods before a split (`scaleAfterMins`). @default 5 */
        highPeriods: z.number().int().min(1).max(1000).default(5),
        /** A shard whose parent split less than this long ago is not split again (`coolOffMins`). @default 15 × tickIntervalMs (15 min on aws) */
        coolOffMs: z.number().int().min(0).max(86_400_000).optional(),
        /** Never split above this many open shards. @default 10000 */
        maxShardCount: z.number().int().min(1).max(100_000).default(10_000),
      })
      .prefault({}),
    /** aws-samples/kinesis-auto-scaling (`alarm-autoscaler`). */
    alarmAutoscaler: z
      .strictObject({
        /** Scale up when stream utilization ≥ this for `scaleUpPoints` of the last `scaleUpWindowPoints` periods. @default 0.75 */
        scaleUpThreshold: z.number().gt(0).lte(2).default(0.75),
        /** @default 5 (25 min of 5-min periods) */
        scaleUpPoints: z.number().int().min(1).max(1000).default(5),
        /** @default 5 */
        scaleUpWindowPoints: z.number().int().min(1).max(1000).default(5),
        /** Scale down when stream utilization < this for `scaleDownPoints` of the last `scaleDownWindowPoints`. @default 0.25 */
        scaleDownThreshold: z.number().min(0).lt(1).default(0.25),
        /** @default 57 (285 of 300 min) */
        scaleDownPoints: z.number().int().min(1).max(1000).default(57),
        /** @default 60 */
        scaleDownWindowPoints: z.number().int().min(1).max(1000).default(60),
        /** Length of one alarm period in ms. @default 5 × tickIntervalMs (300000 = 5 min on the aws profile) */
        periodMs: z.number().int().min(1).max(86_400_000).optional(),
        /**
         * A stream whose max iterator age reaches this does not scale down (`SCALE_DOWN_MIN_ITER_AGE_MINS`).
         * @default 30 × tickIntervalMs (1800000 = 30 min on the aws profile)
         */
        scaleDownMinIteratorAgeMs: z.number().int().min(1).max(604_800_000).optional(),
        /** UpdateShardCount calls allowed per rolling window (Kinesis quota). @default 10 */
        maxUpdatesPerWindow: z.number().int().min(1).max(1000).default(10),
        /** The rolling window of that quota, in ms. @default 1440 × tickIntervalMs (86400000 = 24 h on the aws profile) */
        updateWindowMs: z.number().int().min(1).max(30 * 86_400_000).optional(),
        /** Never scale below this many shards. @default 1 */
        minShardCount: z.number().int().min(1).max(100_000).default(1),
        /** Never scale above this many shards (UpdateShardCount refuses more than 10000 per stream). @default 10000 */
        maxShardCount: z.number().int().min(1).max(100_000).default(10_000),
      })
      .superRefine((c, ctx) => {
        if (c.scaleUpPoints > c.scaleUpWindowPoints) {
          ctx.addIssue({ code: 'custom', path: ['scaleUpPoints'], message: `at most scaleUpWindowPoints (${c.scaleUpWindowPoints})` });
        }
        if (c.scaleDownPoints > c.scaleDownWindowPoints) {
          ctx.addIssue({ code: 'custom', path: ['scaleDownPoints'], message: `at most scaleDownWindowPoints (${c.scaleDownWindowPoints})` });
        }
        if (c.scaleDownThreshold >= c.scaleUpThreshold) {
          ctx.addIssue({ code: 'custom', path: ['scaleDownThreshold'], message: `less than scaleUpThreshold (${c.scaleUpThreshold})` });
        }
        if (c.minShardCount > c.maxShardCount) {
          ctx.addIssue({ code: 'custom', path: ['minShardCount'], message: `at most maxShardCount (${c.maxShardCount})` });
        }
      })
      .prefault({}),
  })
  .prefault({});

export type BaselinesConfig = z.infer<typeof baselinesConfigSchema>;
