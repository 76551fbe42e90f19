import type { StreamStatus } from '../model/cluster-view.js';
import type { HashKeyRange } from '../model/hash-key.js';
import type { Outcome } from './outcome.js';

export interface ShardDescription {
  readonly shardId: string;
  readonly parentShardId?: string;
  readonly adjacentParentShardId?: string;
  readonly hashKeyRange: HashKeyRange;
  readonly startingSequenceNumber: string;
  /** Present once the shard is CLOSED (after a split or merge). */
  readonly endingSequenceNumber?: string;
}

export type ReshardFailure = 'limit-exceeded' | 'resource-in-use' | 'throttled' | 'invalid-argument' | 'not-found';
export type ReshardOutcome = Outcome<void, ReshardFailure>;

/** Kinesis stream control: shard topology and resharding. Throttling and busy streams come back as values. */
export interface StreamControl {
  listShards(): Promise<ShardDescription[]>;
  streamStatus(): Promise<StreamStatus>;
  splitShard(shardId: string, newStartingHashKey: bigint): Promise<ReshardOutcome>;
  mergeShards(shardId: string, adjacentShardId: string): Promise<ReshardOutcome>;
  updateShardCount(targetShardCount: number): Promise<ReshardOutcome>;
  /** Polls until the stream is ACTIVE; `false` if `timeoutMs` passed first. */
  waitUntilActive(timeoutMs: number): Promise<boolean>;
  /**
   * True when a CLOSED shard has no records after `afterSequenceNumber` (or none at all when omitted) and
   * Kinesis returned no next iterator: the parent is drained and its children may go.
   */
  isDrained(shardId: string, afterSequenceNumber?: string): Promise<boolean>;
}
