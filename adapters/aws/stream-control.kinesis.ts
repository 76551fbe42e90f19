import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  MergeShardsCommand,
  SplitShardCommand,
  UpdateShardCountCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_HASH_KEY, MIN_HASH_KEY } from '../../core/model/hash-key.js';
import { STREAM_STATUSES, type StreamStatus } from '../../core/model/cluster-view.js';
import { failed, ok } from '../../core/ports/outcome.js';
import type { DrainFromTime, ReshardFailure, ReshardOutcome, ShardDescription, StreamControl } from '../../core/ports/stream-control.port.js';
import { AwsCallError, CorruptDataError, errorMessage, errorName, httpStatusOf } from './errors.js';

export interface KinesisStreamControlOptions {
  /** Interval between DescribeStreamSummary polls in `waitUntilActive` (the API allows 20 calls/s per account). @default 500 (ms) */
  readonly pollIntervalMs?: number;
  /** GetRecords calls `isDrained` makes before answering `false` (Kinesis may return empty pages mid-shard). @default 50 */
  readonly maxDrainReads?: number;
  /**
   * Least time between two GetRecords calls of one drain check, in ms: the read budget of a check that meets
   * empty pages mid-shard (the common check is one GetRecords call). The shard's 5 GetRecords/s are shared
   * with every standard consumer, the dispatcher's own mapping included unless it reads through enhanced
   * fan-out (docs/OPERATIONS.md, "Read budget"). @default 0 (no spacing)
   */
  readonly drainReadIntervalMs?: number;
  /** Shards per ListShards page (MaxResults, 1..10000). @default Kinesis' own (1000) */
  readonly listShardsPageSize?: number;
}

/** SDK error names → the port's failure values. Anything else is unexpected and thrown as `AwsCallError`. */
/**
 * Errors that make a drain check inconclusive rather than failed: GetShardIterator is limited to 5 calls/s
 * per shard and GetRecords shares the shard's 5 reads/s with the event source mapping.
 */
const DRAIN_CHECK_THROTTLES: ReadonlySet<string> = new Set(['ProvisionedThroughputExceededException', 'LimitExceededException', 'ThrottlingException']);

const RESHARD_FAILURES: Readonly<Record<string, ReshardFailure>> = {
  LimitExceededException: 'limit-exceeded',
  ResourceInUseException: 'resource-in-use',
  InvalidArgumentException: 'invalid-argument',
  ResourceNotFoundException: 'not-found',
  ThrottlingException: 'throttled',
  ProvisionedThroughputExceededException: 'throttled',
  TooManyRequestsException: 'throttled',
};

/** Turns an expected Kinesis failure into a value; rethrows anything else with context. */
export function reshardFailure(error: unknown, operation: string, subject: string): ReshardOutcome {
  const reason = RESHARD_FAILURES[errorName(error)] ?? (httpStatusOf(error) === 429 ? 'throttled' : undefined);
  if (reason === undefined) throw new AwsCallError('Kinesis', operation, subject, error);
  return failed(reason, `${operation} ${subject}: ${errorName(error)}: ${errorMessage(error)}`);
}

function parseHashKey(field: string, value: string | undefined): bigint {
  if (value === undefined || !/^\d+$/.test(value)) throw new CorruptDataError(field, 'a decimal hash key', value);
  return BigInt(value);
}

export function describeShard(shard: Shard): ShardDescription {
  const id = shard.ShardId;
  if (id === undefined) throw new CorruptDataError('ListShards.Shards[].ShardId', 'a shard id', id);
  const start = shard.SequenceNumberRange?.StartingSequenceNumber;
  if (start === undefined) throw new CorruptDataError(`shard ${id}.StartingSequenceNumber`, 'a sequence number', start);
  return {
    shardId: id,
    ...(shard.ParentShardId === undefined ? {} : { parentShardId: shard.ParentShardId }),
    ...(shard.AdjacentParentShardId === undefined ? {} : { adjacentParentShardId: shard.AdjacentParentShardId }),
    hashKeyRange: {
      start: parseHashKey(`shard ${id}.StartingHashKey`, shard.HashKeyRange?.StartingHashKey),
      end: parseHashKey(`shard ${id}.EndingHashKey`, shard.HashKeyRange?.EndingHashKey),
    },
    startingSequenceNumber: start,
    ...(shard.SequenceNumberRange?.EndingSequenceNumber === undefined ? {} : { endingSequenceNumber: shard.SequenceNumberRange.EndingSequenceNumber }),
  };
}

/**
 * `StreamControl` on one Kinesis stream (provisioned mode). Resharding calls are asynchronous on Kinesis:
 * they return at once and the stream is UPDATING until they finish; a second call meanwhile is answered
 * `resource-in-use`, which the caller treats as "try next tick".
 */
export class KinesisStreamControl implements StreamControl {
  private readonly pollIntervalMs: number;
  private readonly maxDrainReads: number;
  private readonly drainReadIntervalMs: number;
  private readonly pageSize: { MaxResults?: number };

  constructor(
    private readonly client: KinesisClient,
    readonly streamName: string,
    options: KinesisStreamControlOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.maxDrainReads = options.maxDrainReads ?? 50;
    this.drainReadIntervalMs = options.drainReadIntervalMs ?? 0;
    this.pageSize = options.listShardsPageSize === undefined ? {} : { MaxResults: options.listShardsPageSize };
  }

  /** Every shard within retention, OPEN and CLOSED, following `NextToken`. */
  async listShards(): Promise<ShardDescription[]> {
    const shards: ShardDescription[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('ListShards', this.streamName, () =>
        this.client.send(new ListShardsCommand(nextToken === undefined ? { StreamName: this.streamName, ...this.pageSize } : { NextToken: nextToken, ...this.pageSize })),
      );
      for (const shard of page.Shards ?? []) shards.push(describeShard(shard));
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return shards;
  }

  async streamStatus(): Promise<StreamStatus> {
    const summary = await this.call('DescribeStreamSummary', this.streamName, () =>
      this.client.send(new DescribeStreamSummaryCommand({ StreamName: this.streamName })),
    );
    const status = summary.StreamDescriptionSummary?.StreamStatus;
    if (!STREAM_STATUSES.includes(status as StreamStatus)) {
      throw new CorruptDataError(`stream ${this.streamName}.StreamStatus`, `one of ${STREAM_STATUSES.join(', ')}`, status);
    }
    return status as StreamStatus;
  }

  async splitShard(shardId: string, newStartingHashKey: bigint): Promise<ReshardOutcome> {
    const subject = `shard ${shardId} of ${this.streamName} at ${newStartingHashKey}`;
    if (newStartingHashKey <= MIN_HASH_KEY || newStartingHashKey > MAX_HASH_KEY) {
      return failed('invalid-argument', `SplitShard ${subject}: newStartingHashKey must be between 1 and 2^128-1 (given ${newStartingHashKey})`);
    }
    try {
      await this.client.send(
        new SplitShardCommand({ StreamName: this.streamName, ShardToSplit: shardId, NewStartingHashKey: newStartingHashKey.toString(10) }),
      );
      return ok(undefined);
    } catch (error) {
      return reshardFailure(error, 'SplitShard', subject);
    }
  }

  async mergeShards(shardId: string, adjacentShardId: string): Promise<ReshardOutcome> {
    try {
      await this.client.send(new MergeShardsCommand({ StreamName: this.streamName, ShardToMerge: shardId, AdjacentShardToMerge: adjacentShardId }));
      return ok(undefined);
    } catch (error) {
      return reshardFailure(error, 'MergeShards', `shards ${shardId} + ${adjacentShardId} of ${this.streamName}`);
    }
  }

  /** Uniform scaling only (Kinesis' only mode); each call within ×2 / ÷2, at most 10 per rolling 24 h. */
  async updateShardCount(targetShardCount: number): Promise<ReshardOutcome> {
    try {
      await this.client.send(
        new UpdateShardCountCommand({ StreamName: this.streamName, TargetShardCount: targetShardCount, ScalingType: 'UNIFORM_SCALING' }),
      );
      return ok(undefined);
    } catch (error) {
      return reshardFailure(error, 'UpdateShardCount', `${this.streamName} to ${targetShardCount} shards`);
    }
  }

  async waitUntilActive(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.streamStatus()) === 'ACTIVE') return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await sleep(Math.min(this.pollIntervalMs, left));
    }
  }

  /**
   * Reads the shard from `from` (after a sequence number, at a time, or from the trim horizon) until Kinesis ends it: any record
   * means not drained; a missing `NextShardIterator` means the shard is closed and read to its end. An empty
   * page at the tip (`MillisBehindLatest` 0) with a next iterator means the shard is still OPEN. A shard no
   * longer listed (past retention) has nothing left to read and counts as drained. One record answers the
   * question, so each read asks for at most one.
   */
  async isDrained(shardId: string, from?: string | DrainFromTime): Promise<boolean> {
    const subject = `shard ${shardId} of ${this.streamName}`;
    let iterator: string | undefined;
    try {
      const answer = await this.client.send(
        new GetShardIteratorCommand({
          StreamName: this.streamName,
          ShardId: shardId,
          ...(from === undefined
            ? { ShardIteratorType: 'TRIM_HORIZON' }
            : typeof from === 'string'
              ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: from }
              : { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(from.atTimestampMs) }),
        }),
      );
      iterator = answer.ShardIterator;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException' && !(await this.listShards()).some((s) => s.shardId === shardId)) return true;
      // A throttled check is "not known to be drained yet": the caller holds the child and asks again.
      if (DRAIN_CHECK_THROTTLES.has(errorName(error))) return false;
      throw new AwsCallError('Kinesis', 'GetShardIterator', subject, error);
    }
    for (let reads = 0; iterator !== undefined && iterator !== null && reads < this.maxDrainReads; reads += 1) {
      const current: string = iterator;
      if (reads > 0 && this.drainReadIntervalMs > 0) await sleep(this.drainReadIntervalMs);
      let page;
      try {
        page = await this.client.send(new GetRecordsCommand({ ShardIterator: current, Limit: 1 }));
      } catch (error) {
        if (DRAIN_CHECK_THROTTLES.has(errorName(error))) return false;
        throw new AwsCallError('Kinesis', 'GetRecords', subject, error);
      }
      if ((page.Records?.length ?? 0) > 0) return false;
      iterator = page.NextShardIterator ?? undefined;
      if (iterator !== undefined && page.MillisBehindLatest === 0) return false;
    }
    return iterator === undefined || iterator === null;
  }

  private async call<T>(operation: string, subject: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new AwsCallError('Kinesis', operation, subject, error);
    }
  }
}
