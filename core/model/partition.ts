import type { HashKeyRange } from './hash-key.js';
import { hashKeyRange } from './hash-key.js';
import type { Prediction } from './prediction.js';
import { requireInteger, requireNumber, requireString } from './validate.js';

export const SHARD_STATES = ['OPEN', 'CLOSED'] as const;
export type ShardState = (typeof SHARD_STATES)[number];

/** What the SPM knows and decides about one shard (a partition). Stored as one DynamoDB item. */
export interface PartitionMetadata {
  readonly shardId: string;
  readonly hashKeyRange: HashKeyRange;
  /** Parent shard ids (one after a split, two after a merge); children wait until parents are drained. */
  readonly parentShardIds: readonly string[];
  /** OPEN takes writes; CLOSED after a split or merge, readable until drained. */
  readonly state: ShardState;
  readonly ownerWorkerId: string;
  /** Fencing token: bumped by every ownership change; a write with a stale epoch is rejected. */
  readonly epoch: number;
  /** Smoothed ingest rates, from the latest metrics. */
  readonly ingestRecordsPerSec: number;
  readonly ingestBytesPerSec: number;
  /** Smoothed busy fraction of one slot on the owner, and its trend per second. */
  readonly utilization: number;
  readonly utilizationTrendPerSec: number;
  readonly shadowPartitionId?: string;
  /** Fraction 0..1 of records copied to the shadow. */
  readonly shadowReplicationRate?: number;
  readonly predictedUtilization?: Prediction;
  readonly lastMoveAtMs?: number;
}

export function partitionMetadata(input: PartitionMetadata): PartitionMetadata {
  const f = `partition[${String(input.shardId)}]`;
  requireString(`${f}.shardId`, input.shardId);
  hashKeyRange(input.hashKeyRange?.start, input.hashKeyRange?.end, `${f}.hashKeyRange`);
  requireString(`${f}.ownerWorkerId`, input.ownerWorkerId);
  requireInteger(`${f}.epoch`, input.epoch, 0, Number.MAX_SAFE_INTEGER);
  requireNumber(`${f}.ingestRecordsPerSec`, input.ingestRecordsPerSec, 0, Number.MAX_VALUE);
  requireNumber(`${f}.ingestBytesPerSec`, input.ingestBytesPerSec, 0, Number.MAX_VALUE);
  requireNumber(`${f}.utilization`, input.utilization, 0, Number.MAX_VALUE);
  requireNumber(`${f}.utilizationTrendPerSec`, input.utilizationTrendPerSec, -Number.MAX_VALUE, Number.MAX_VALUE);
  if (input.shadowReplicationRate !== undefined) requireNumber(`${f}.shadowReplicationRate`, input.shadowReplicationRate, 0, 1);
  return input;
}
