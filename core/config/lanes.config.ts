import { z } from 'zod';

/**
 * Burst lanes of Foreshadow's dispatcher (core/model/lanes.ts): a lagging shard's batch is fanned out by
 * partition-key hash over several concurrent invocations of its owner, per-key order kept, the way the event
 * source mapping's ParallelizationFactor does it, but only while the shard lags.
 */
export const lanesConfigSchema = z
  .strictObject({
    /** Concurrent invocations of the owner per batch at most (1 turns burst lanes off). @default 4 */
    max: z.number().int().min(1).max(10).default(4),
    /**
     * Age of a batch's oldest record at or above which a second lane opens; one more lane per further
     * `openAtAgeMs` of age, up to `max`. A batch that does not lag is up to its batching window (1 s by
     * default) plus about one poll (1 s) old; the CDK app raises it to window + 2 s when unset and refuses a
     * lower value. @default 3000
     */
    openAtAgeMs: z.number().int().min(1).max(3_600_000).default(3000),
    /**
     * Open lanes close when the shard's recent demand (busy time per wall-clock time, in its owner's time)
     * falls below this many lanes: it fits one lane again. @default 0.9
     */
    closeBelowDemand: z.number().gt(0).max(10).default(0.9),
  })
  .prefault({});

export type LanesConfig = z.infer<typeof lanesConfigSchema>;
