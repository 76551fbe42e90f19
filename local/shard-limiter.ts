import { KINESIS_SHARD_WRITE_LIMITS } from '../core/model/cluster-view.js';

/**
 * Emulates Kinesis' per-shard write limits, which kinesis-local does not enforce: 1,000 records/s and
 * 1 MiB/s per shard, both multiplied by `scale` so that a laptop can drive shards to their limit. One
 * token bucket per shard holding at most one second of capacity, as Kinesis measures per second.
 */
export interface ShardLimits {
  readonly recordsPerSec: number;
  readonly bytesPerSec: number;
}

export const KINESIS_SHARD_LIMITS: ShardLimits = KINESIS_SHARD_WRITE_LIMITS;

export function scaledLimits(scale: number): ShardLimits {
  return { recordsPerSec: KINESIS_SHARD_LIMITS.recordsPerSec * scale, bytesPerSec: KINESIS_SHARD_LIMITS.bytesPerSec * scale };
}

interface Bucket {
  records: number;
  bytes: number;
  atMs: number;
}

export class ShardLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(readonly limits: ShardLimits) {}

  /** Takes capacity for one record of `bytes` (partition key included) on `shardId`; false = throttled. */
  tryAccept(shardId: string, bytes: number, nowMs: number): boolean {
    const bucket = this.refill(shardId, nowMs);
    if (bucket.records < 1 || bucket.bytes < bytes) return false;
    bucket.records -= 1;
    bucket.bytes -= bytes;
    return true;
  }

  /** Gives back capacity taken for a record that Kinesis then rejected for another reason. */
  giveBack(shardId: string, bytes: number): void {
    const bucket = this.buckets.get(shardId);
    if (!bucket) return;
    bucket.records = Math.min(this.limits.recordsPerSec, bucket.records + 1);
    bucket.bytes = Math.min(this.limits.bytesPerSec, bucket.bytes + bytes);
  }

  private refill(shardId: string, nowMs: number): Bucket {
    let bucket = this.buckets.get(shardId);
    if (!bucket) {
      bucket = { records: this.limits.recordsPerSec, bytes: this.limits.bytesPerSec, atMs: nowMs };
      this.buckets.set(shardId, bucket);
      return bucket;
    }
    const elapsedSec = Math.max(0, nowMs - bucket.atMs) / 1000;
    bucket.records = Math.min(this.limits.recordsPerSec, bucket.records + elapsedSec * this.limits.recordsPerSec);
    bucket.bytes = Math.min(this.limits.bytesPerSec, bucket.bytes + elapsedSec * this.limits.bytesPerSec);
    bucket.atMs = nowMs;
    return bucket;
  }
}
