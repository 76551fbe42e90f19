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
  const busy = p.busyMs > 0 ? p.busyMs : 0;
  const accepted = p.incomingRecords > 0 ? p.incomingRecords : 0;
  const throttled = p.throttledRecords > 0 ? p.throttledRecords : 0;
  const bytes = p.incomingBytes > 0 ? p.incomingBytes : 0;
  const costMsPerRecord = p.processedRecords > 0 ? busy / p.processedRecords : undefined;
  const bytesPerRecord = accepted > 0 ? bytes / accepted : 0;
  // One object literal, no spreads: this runs for every shard and metric point of every tick.
  return {
    atMs: p.atMs,
    utilization: costMsPerRecord !== undefined ? (costMsPerRecord * accepted) / periodMs : busy / periodMs,
    busyFraction: busy / periodMs,
    demandRecordsPerSec: (accepted + throttled) / seconds,
    demandBytesPerSec: (bytes + throttled * bytesPerRecord) / seconds,
    acceptedRecordsPerSec: accepted / seconds,
    costMsPerRecord,
  };
}
