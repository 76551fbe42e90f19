import type { ShardMetricPoint } from '../model/metrics.js';

/**
 * What one metric period says about a shard's load, relative to the worker that processed it.
 *
 * Why demand, not busy fraction: busy time saturates at 1.0 when the owner cannot keep up, hiding how far
 * above capacity the shard is, and it overshoots while a backlog drains after a move. Per-record cost ×
 * accepted records per period measures what the shard asks of its owner; when nothing was processed the
 * busy fraction is all there is.
 */
export interface ShardLoadPoint {
  readonly atMs: number;
  /** Busy fraction of one slot the period's accepted records need on the owner. */
  readonly utilization: number;
  /** Busy fraction actually spent (busyMs / periodMs). */
  readonly busyFraction: number;
  /** Records and bytes producers tried to write per second (accepted + throttled). */
  readonly demandRecordsPerSec: number;
  readonly demandBytesPerSec: number;
  /** Records accepted per second. */
  readonly acceptedRecordsPerSec: number;
  /** Mean busy ms per processed record, when any record was processed. */
  readonly costMsPerRecord?: number;
}

export function shardLoadPoint(p: ShardMetricPoint): ShardLoadPoint {
  const periodMs = p.periodMs > 0 ? p.periodMs : 1;
  const seconds = periodMs / 1000;
  const busyFraction = Math.max(0, p.busyMs) / periodMs;
  const costMsPerRecord = p.processedRecords > 0 ? Math.max(0, p.busyMs) / p.processedRecords : undefined;
  const utilization = costMsPerRecord !== undefined ? (costMsPerRecord * Math.max(0, p.incomingRecords)) / periodMs : busyFraction;
  const accepted = Math.max(0, p.incomingRecords);
  const throttled = Math.max(0, p.throttledRecords);
  const bytesPerRecord = accepted > 0 ? Math.max(0, p.incomingBytes) / accepted : 0;
  const point: ShardLoadPoint = {
    atMs: p.atMs,
    utilization,
    busyFraction,
    demandRecordsPerSec: (accepted + throttled) / seconds,
    demandBytesPerSec: (Math.max(0, p.incomingBytes) + throttled * bytesPerRecord) / seconds,
    acceptedRecordsPerSec: accepted / seconds,
  };
  return costMsPerRecord === undefined ? point : { ...point, costMsPerRecord };
}
