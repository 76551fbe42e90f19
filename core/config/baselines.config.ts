import { z } from 'zod';

/**
 * Settings of the baseline policies, at their documented defaults (see ../shared/ANCHORS.md). Times are
 * in ms of simulated or real time. Each baseline is a re-implementation from public descriptions.
 */
export const baselinesConfigSchema = z
  .strictObject({
    reactiveThreshold: z
      .strictObject({
        /** Moves per tick at most. @default 1 */
        maxMovesPerTick: z.number().int().min(0).max(100).default(1),
        /** A worker counts as above average when its weight exceeds average × (1 + this). @default 0.1 */
        aboveAverageFraction: z.number().min(0).max(10).default(0.1),
      })
      .prefault({}),
    kcl3Variance: z
      .strictObject({
        /** Utilization outside average × (1 ± this percent) triggers rebalancing. @default 10 */
        varianceThresholdPercent: z.number().min(0).max(100).default(10),
        /** Share of the excess load moved per round. @default 60 (config table; the deep-dive says 80) */
        dampeningPercent: z.number().min(0).max(100).default(60),
        /** Variance balancing runs every Nth assignment round. @default 3 */
        balanceEveryNthTick: z.number().int().min(1).max(100).default(3),
        /** EMA weight of the newest throughput sample. @default 0.5 */
        emaAlpha: z.number().gt(0).lte(1).default(0.5),
      })
      .prefault({}),
    alarmAutoscaler: z
      .strictObject({
        /** Scale up when stream utilization ≥ this for `scaleUpPoints` of the last `scaleUpPoints` periods. @default 0.75 */
        scaleUpThreshold: z.number().gt(0).lte(2).default(0.75),
        scaleUpPoints: z.number().int().min(1).max(1000).default(5),
        scaleDownThreshold: z.number().min(0).lt(1).default(0.25),
        /** Scale down when below for `scaleDownPoints` of the last `scaleDownWindowPoints`. @default 57 of 60 */
        scaleDownPoints: z.number().int().min(1).max(1000).default(57),
        scaleDownWindowPoints: z.number().int().min(1).max(1000).default(60),
        /** Length of one alarm period in ms. @default 300000 (5 min) */
        periodMs: z.number().int().min(1000).max(86_400_000).default(300_000),
      })
      .prefault({}),
  })
  .prefault({});

export type BaselinesConfig = z.infer<typeof baselinesConfigSchema>;
