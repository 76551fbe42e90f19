import { estimateArrivals } from '../../core/forecast/arrivals.js';
import type { ClusterView } from '../../core/model/cluster-view.js';
import { workerBusyUtilization, type ShardMetricPoint, type ShadowStats, type WorkerMetricPoint } from '../../core/model/metrics.js';
import type { PartitionMetadata } from '../../core/model/partition.js';
import type { ShadowPartition } from '../../core/model/shadow.js';
import type { WorkerNodeMetadata } from '../../core/model/worker.js';
import type { Simulation } from './engine.js';

/**
 * The ClusterView a policy sees at a tick, as the SPM Lambda would load it: partitions and workers with
 * figures from the DELAYED metric points (only points whose `visibleAtMs` has passed), shadows and their
 * stats as they are now (workers write ShadowStats straight to the metadata store, no delay).
 * `utilization` is the newest visible point; its trend is the least-squares slope of the last 3 points.
 * A worker's nominal speed is reported, never its hidden slowdown. A worker's utilization is its primary
 * busy time over its primary slots: shadows run on the class's own shadow function (`shadowSlots`), so
 * they take nothing from the capacity a move would use; their busy time stays in the worker's metric
 * points (`shadowBusyMs`).
 */
export function buildView(sim: Simulation): ClusterView {
  const now = sim.nowMs;
  const shardMetrics: Record<string, ShardMetricPoint[]> = {};
  const workerMetrics: Record<string, WorkerMetricPoint[]> = {};
  const window = sim.profile.metricWindowPoints;
  // Points carry CloudWatch's visibility time; a policy on another data path sees them that much earlier. On
  // the metadata-table path worker points and write throttles are still CloudWatch's, as late as there.
  const seenAt = now + sim.profile.metricDelayMs - sim.viewDelayMs;
  const cloudwatchSeenAt = now + sim.profile.metricDelayMs - sim.cloudwatchDelayMs;
  const tablePath = sim.deployment.dataPath === 'metadata-table';
  const lateThrottles = tablePath && cloudwatchSeenAt < seenAt;
  const forwardShadow = new Map<string, { id: string; rate: number }>();
  for (const sh of sim.shadows.values()) if (sh.kind === 'forward' && !forwardShadow.has(sh.shardId)) forwardShadow.set(sh.shardId, { id: sh.id, rate: sh.rate });

  const partitions: PartitionMetadata[] = [];
  for (const s of sim.shards.values()) {
    const seen = visible(s.points, seenAt, window, tablePath ? (p, visibleAtMs) => asTableReads(p, lateThrottles && visibleAtMs > cloudwatchSeenAt) : undefined);
    // The table path's reader estimates what arrived from the ages (core/forecast/arrivals.ts); so does its view.
    const points: ShardMetricPoint[] = (tablePath ? estimateArrivals(seen) : seen).map(({ ageMsSum: _age, ...p }) => p);
    shardMetrics[s.id] = points;
    const last = points[points.length - 1];
    const utils = points.slice(-3).map((p) => ({ t: p.atMs / 1000, u: p.busyMs / p.periodMs }));
    const shadow = forwardShadow.get(s.id);
    partitions.push({
      shardId: s.id,
      hashKeyRange: s.range,
      parentShardIds: s.parentIds,
      state: s.state,
      ownerWorkerId: s.owner,
      epoch: s.epoch,
      ingestRecordsPerSec: last ? last.incomingRecords / (last.periodMs / 1000) : 0,
      ingestBytesPerSec: last ? last.incomingBytes / (last.periodMs / 1000) : 0,
      utilization: last ? last.busyMs / last.periodMs : 0,
      utilizationTrendPerSec: slope(utils),
      ...(shadow ? { shadowPartitionId: shadow.id, shadowReplicationRate: shadow.rate } : {}),
      ...(s.predictedUtilization ? { predictedUtilization: s.predictedUtilization } : {}),
      ...(s.lastMoveAtMs !== undefined ? { lastMoveAtMs: s.lastMoveAtMs } : {}),
    });
  }

  const workers: WorkerNodeMetadata[] = sim.workers.map((w) => {
    const points = visible(w.points, sim.deployment.dataPath === 'metadata-table' ? cloudwatchSeenAt : seenAt, window);
    workerMetrics[w.id] = points;
    const last = points[points.length - 1];
    const utilization = last ? workerBusyUtilization(last, w.slots) : 0;
    return {
      workerId: w.id,
      workerClass: w.workerClass,
      speed: w.speed,
      memoryMb: w.memoryMb,
      slots: w.slots,
      utilization,
      predictedCapacity: w.slots * (sim.config.spm.safeThreshold - utilization),
    };
  });

  const shadows: ShadowPartition[] = [];
  const shadowStats: ShadowStats[] = [];
  for (const sh of sim.shadows.values()) {
    shadows.push({ shadowId: sh.id, shardId: sh.shardId, workerId: sh.workerId, kind: sh.kind, rate: sh.rate, createdAtMs: sh.createdAtMs, ...(sh.expiresAtMs !== undefined ? { expiresAtMs: sh.expiresAtMs } : {}) });
    shadowStats.push({
      shadowId: sh.id,
      shardId: sh.shardId,
      workerId: sh.workerId,
      rate: sh.rate,
      fromMs: sh.statsFromMs,
      toMs: now,
      records: sh.records,
      busyMs: sh.busyMs,
      busyMsSquared: sh.busyMsSquared,
      histogram: { buckets: sh.histogram.map((b) => ({ records: b.records, costMs: b.costMs })) },
    });
  }

  return {
    nowMs: now,
    streamStatus: sim.streamStatus,
    partitions,
    workers,
    shadows,
    shadowStats,
    shardMetrics,
    workerMetrics,
    shardLimits: sim.shardLimits,
  };
}

/**
 * A shard's point as the `metadata-table` path gives it: incoming is what the dispatcher sent the owner in the
 * period (app/dispatch/load-recorder.ts), the records processed, not what Kinesis accepted (the two differ
 * while the shard lags; `estimateArrivals` then corrects them from the ages); throttles come from CloudWatch and are 0 until CloudWatch shows them.
 */
function asTableReads<P extends ShardMetricPoint>(p: P, throttlesNotYetVisible: boolean): P {
  const bytesPerRecord = p.incomingRecords > 0 ? p.incomingBytes / p.incomingRecords : 0;
  return { ...p, incomingRecords: p.processedRecords, incomingBytes: p.processedRecords * bytesPerRecord, throttledRecords: throttlesNotYetVisible ? 0 : p.throttledRecords };
}

/** The points visible at `now`, the newest `window` of them, each passed through `adjust` (given its visibility time) if set. */
function visible<P extends { visibleAtMs: number }>(points: readonly P[], now: number, window: number, adjust?: (p: Omit<P, 'visibleAtMs'>, visibleAtMs: number) => Omit<P, 'visibleAtMs'>): Omit<P, 'visibleAtMs'>[] {
  const out: Omit<P, 'visibleAtMs'>[] = [];
  for (const p of points) {
    if (p.visibleAtMs > now) break;
    const { visibleAtMs, ...rest } = p;
    out.push(adjust ? adjust(rest, visibleAtMs) : rest);
  }
  return out.slice(-window);
}

function slope(points: readonly { t: number; u: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mu = points.reduce((a, p) => a + p.u, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.u - mu);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
