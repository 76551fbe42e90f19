import type { ShardMetricPoint, ShadowStats, WorkerMetricPoint } from './metrics.js';
import type { PartitionMetadata } from './partition.js';
import type { ShadowPartition } from './shadow.js';
import type { WorkerNodeMetadata } from './worker.js';

export const STREAM_STATUSES = ['ACTIVE', 'UPDATING', 'CREATING', 'DELETING'] as const;
export type StreamStatus = (typeof STREAM_STATUSES)[number];

/**
 * A snapshot of everything one decision needs, loaded through the ports at the start of a tick. `decide`
 * reads nothing else, which is what makes it deterministic and replayable.
 */
export interface ClusterView {
  /** The tick's time (from the Clock port). */
  readonly nowMs: number;
  readonly streamStatus: StreamStatus;
  /** Every shard the metadata store knows, OPEN and CLOSED. */
  readonly partitions: readonly PartitionMetadata[];
  readonly workers: readonly WorkerNodeMetadata[];
  readonly shadows: readonly ShadowPartition[];
  readonly shadowStats: readonly ShadowStats[];
  /** Recent metric points per shard and per worker, oldest first, newest available last. */
  readonly shardMetrics: Readonly<Record<string, readonly ShardMetricPoint[]>>;
  readonly workerMetrics: Readonly<Record<string, readonly WorkerMetricPoint[]>>;
  /** Kinesis' per-shard write limits (scaled in the local runtime). */
  readonly shardLimits: { readonly recordsPerSec: number; readonly bytesPerSec: number };
}

/** Kinesis' write limits per shard (Kinesis developer guide, quotas): 1,000 records/s and 1 MiB/s. */
export const KINESIS_SHARD_WRITE_LIMITS: ClusterView['shardLimits'] = { recordsPerSec: 1000, bytesPerSec: 1024 * 1024 };
