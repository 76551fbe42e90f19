import { workerBusyUtilization } from '../../core/model/metrics.js';
import type { Simulation } from './engine.js';
import { emptyShardMetrics } from './state.js';

/**
 * Ends a metric period: every shard and worker gets one point, visible to the SPM only `metricDelayMs`
 * after the period's end (CloudWatch's lag on `aws`). The timeline for charts takes the same figures
 * undelayed.
 */
export function closePeriod(sim: Simulation, endMs: number): void {
  const { metricDelayMs, metricWindowPoints } = sim.profile;
  const periodMs = sim.metricPeriodMs;
  const keep = metricWindowPoints + Math.ceil(metricDelayMs / periodMs) + 2;
  const atMs = endMs - periodMs;
  const visibleAtMs = endMs + metricDelayMs;
  let maxShardUtilization = 0;
  let openShards = 0;
  for (const shard of sim.shards.values()) {
    if (shard.drainedAtMs !== undefined && shard.drainedAtMs < atMs) continue;
    if (shard.state === 'OPEN') openShards++;
    const m = shard.metrics;
    shard.points.push({ atMs, periodMs, visibleAtMs, ...m });
    if (shard.points.length > keep) shard.points.shift();
    maxShardUtilization = Math.max(maxShardUtilization, m.busyMs / periodMs);
    shard.metrics = emptyShardMetrics();
  }
  const workerUtilization: Record<string, number> = {};
  for (const w of sim.workers) {
    const m = w.metrics;
    w.points.push({ atMs, periodMs, visibleAtMs, ...m });
    if (w.points.length > keep) w.points.shift();
    workerUtilization[w.id] = workerBusyUtilization({ periodMs, primaryBusyMs: m.primaryBusyMs }, w.slots);
    w.metrics = { primaryBusyMs: 0, shadowBusyMs: 0, invocations: 0, errors: 0 };
  }
  sim.stats.timeline.push({ atMs: endMs, workerUtilization, maxShardUtilization, openShards, liveShadows: sim.shadows.size });
}
