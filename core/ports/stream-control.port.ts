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

/**
 * Where a drain check starts reading when the dispatcher has no progress in the shard: the time the event
 * source mapping started reading (a mapping at LATEST never delivers a record that arrived before it), in
 * ms since the epoch. Records at or after it count; earlier ones were never going to be delivered.
 */
export interface DrainFromTime {
  readonly atTimestampMs: number;
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
   * True when a CLOSED shard has no records after `from` and Kinesis returned no next iterator: the parent
   * is drained and its children may go. `from` is the last sequence number processed, or a time (records
   * that arrived at or after it count), or omitted (every record within retention counts).
   */
  isDrained(shardId: string, from?: string | DrainFromTime): Promise<boolean>;
}
