import type { ShardMetricPoint } from '../../model/metrics.js';
import type { ClusterView } from '../../model/cluster-view.js';
import type { PartitionMetadata } from '../../model/partition.js';

/**
 * Readings the baselines take from a ClusterView's metric points. They read the same shard and worker
 * metrics the SPM sees (with the same delay), never a shadow's measurement: that is the point of a baseline.
 */

/** The newest available point of a series (points come oldest first). */
export function newestPoint<T>(points: readonly T[] | undefined): T | undefined {
  return points && points.length > 0 ? points[points.length - 1] : undefined;
}

/** Busy fraction of one slot that the shard's owner spent on it in the point's period. */
export function shardUtilization(point: ShardMetricPoint): number {
  return point.periodMs > 0 ? point.busyMs / point.periodMs : 0;
}

/** Records the owner processed per second in the point's period. */
export function processedRecordsPerSec(point: ShardMetricPoint): number {
  return point.periodMs > 0 ? (point.processedRecords * 1000) / point.periodMs : 0;
}

/**
 * Bytes the owner read per second, estimated as records processed × mean record size. The shard metrics
 * carry bytes only for ingest, so the mean size comes from the ingest of every point available (a backlog
 * drained in a quiet period still gets the size its records had when they were written).
 */
export function processedBytesPerSec(points: readonly ShardMetricPoint[] | undefined): number {
  const newest = newestPoint(points);
  if (!points || !newest) return 0;
  let bytes = 0;
  let records = 0;
  for (const p of points) {
    bytes += p.incomingBytes;
    records += p.incomingRecords;
  }
  return records > 0 ? (processedRecordsPerSec(newest) * bytes) / records : 0;
}

/** Partitions whose owner is one of the view's workers: the only ones a baseline can weigh or move. */
export function ownedPartitions(view: ClusterView): PartitionMetadata[] {
  const known = new Set(view.workers.map((w) => w.workerId));
  return view.partitions.filter((p) => known.has(p.ownerWorkerId));
}

/** Rounds for reasons and events, so that audit lines stay readable and byte-stable. */
export function fmt(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

/** Orders by a number, then by id, so that ties never depend on input order. */
export function byValueThenId<T>(value: (t: T) => number, id: (t: T) => string, direction: 'asc' | 'desc') {
  const sign = direction === 'asc' ? 1 : -1;
  return (a: T, b: T): number => {
    const d = value(a) - value(b);
    if (d !== 0) return sign * d;
    const ia = id(a);
    const ib = id(b);
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  };
}
