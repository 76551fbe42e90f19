import type { MetricsSource } from '../../core/ports/index.js';

/**
 * Hands the SPM only metric periods that are over (and past the availability delay), as CloudWatch shows a
 * period's datapoint once it is complete. Without this, a store returns the newest period cut off at
 * "now − delay" (the local EMF store does; CloudWatch returns a partial sum for a minute still being
 * published); the SPM's series consumes each period once, so a period first seen half-full stays half-full
 * and shard load reads low (measured locally: about half of the real load on the quick-start ramp). Used
 * by the local runtime and by the SPM Lambda around the CloudWatch source.
 */
export function completePeriodsOnly(source: MetricsSource, now: () => number, availabilityDelayMs: number): MetricsSource {
  const complete = <P extends { atMs: number; periodMs: number }>(byId: Record<string, P[]>): Record<string, P[]> => {
    const visibleTo = now() - availabilityDelayMs;
    return Object.fromEntries(Object.entries(byId).map(([id, points]) => [id, points.filter((p) => p.atMs + p.periodMs <= visibleTo)]));
  };
  return {
    shardMetrics: async (ids, fromMs, toMs, periodMs, fields) => complete(await source.shardMetrics(ids, fromMs, toMs, periodMs, fields)),
    workerMetrics: async (ids, fromMs, toMs, periodMs, fields) => complete(await source.workerMetrics(ids, fromMs, toMs, periodMs, fields)),
  };
}
