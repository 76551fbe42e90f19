import type { LanesConfig } from '../config/lanes.config.js';

/**
 * Burst lanes: how many concurrent invocations a shard's next batch gets, from the age of the batch's oldest
 * record and the shard's recent demand, in lanes (its busy time per wall-clock time, in its owner's time).
 *
 * - Open: from `openAtAgeMs` on, one more lane per further `openAtAgeMs` of age, up to `max` (defaults: a
 *   batch 3 s old gets 2 lanes, 6 s 3, 9 s or more 4). Lanes only add; the age never closes one.
 * - Hold: open lanes stay while the shard needs more than `closeBelowDemand` of one lane. Closing when the
 *   backlog is gone would let it build up again at once, and the shard would flap between lagging and caught up.
 * - Close: back to one lane when its demand fits one lane again.
 *
 * It is a reflex of the data plane, decided per batch: the SPM's tick decides once a minute on minute
 * points, too late for a step in load inside that minute (docs/ARCHITECTURE.md, "Burst lanes").
 */
export function burstLanes(current: number, oldestAgeMs: number, demandLanes: number, config: LanesConfig): number {
  if (config.max <= 1) return 1;
  const byAge = oldestAgeMs >= config.openAtAgeMs ? Math.min(config.max, 1 + Math.floor(oldestAgeMs / config.openAtAgeMs)) : 1;
  const held = current > 1 && demandLanes >= config.closeBelowDemand ? Math.min(current, config.max) : 1;
  return Math.max(byAge, held);
}

/**
 * A shard's demand in lanes, smoothed over batches: `previous` moved towards this batch's busy time (its
 * lanes' together, in the owner's time) per wall-clock time since the previous batch started. Weight 0.3
 * per batch: about the last three batches count.
 */
export function laneDemand(previous: number, busyMs: number, wallMs: number): number {
  if (!(wallMs > 0)) return previous;
  return previous + 0.3 * (busyMs / wallMs - previous);
}
