import type { PartitionMetadata } from '../../core/model/index.js';
import type { Clock, MetadataStore, WireRecord } from '../../core/ports/index.js';

export interface ProgressWriterOptions {
  /**
   * Longest a shard's progress goes unwritten while its batches keep coming, in ms: it bounds how stale the
   * progress another execution environment reads can be. @default 10000
   */
  readonly progressIntervalMs?: number;
  /**
   * Records of a full batch (the event source mapping's batch size). A smaller batch means the mapping found
   * nothing more to read: it may be the shard's last, so its progress is written at once. A larger deployed
   * batch size only makes more batches look full (the other rules still write them). @default 100
   */
  readonly fullBatchRecords?: number;
  /**
   * How long after the SPM claims a shard (an epoch change with `lastMoveAtMs`: before every split, merge
   * or move) each of its batches writes its progress, in ms: long enough to cover the reshard (30 s) and
   * the tick that then marks the shard CLOSED. @default 120000
   */
  readonly claimedWindowMs?: number;
}

/**
 * The shard's progress (ShardProgress: the last record the owner processed), written only when something
 * needs it rather than after every batch (a write per batch was the largest line of docs/COST.md). The one
 * reader is the parent gate of the shard's children, which asks Kinesis whether anything follows the
 * progress: an unwritten progress can only hold children longer, never let them through early. So the
 * writer makes sure that a shard's last batch is written:
 * - every batch of a shard that is CLOSED (read to its end; its children may be waiting), or that the SPM
 *   claimed within `claimedWindowMs` (it claims before every split and merge, and the worker's epoch fence
 *   means a batch processed after the claim carries the claim's placement);
 * - every batch smaller than a full one (nothing more was there to read: it may be the last);
 * - the first batch of the shard in this execution environment, and then one every `progressIntervalMs`.
 * What is left unwritten is a full batch of an OPEN, unclaimed shard less than `progressIntervalMs` after
 * the last write: the shard's last batch only if the shard is then closed without the SPM's claim (a user's
 * UpdateShardCount) and nothing arrives after it. See docs/ARCHITECTURE.md, "Parent before children".
 */
export class ProgressWriter {
  private readonly shards = new Map<string, { writtenAtMs: number; written?: string; pending?: string }>();
  private readonly intervalMs: number;
  private readonly fullBatch: number;
  private readonly claimedWindowMs: number;

  constructor(
    private readonly metadata: Pick<MetadataStore, 'putShardProgress'>,
    private readonly clock: Clock,
    options: ProgressWriterOptions = {},
  ) {
    this.intervalMs = options.progressIntervalMs ?? 10_000;
    this.fullBatch = options.fullBatchRecords ?? 100;
    this.claimedWindowMs = options.claimedWindowMs ?? 120_000;
  }

  /**
   * Records that the owner processed `batch` up to `last` (undefined: nothing, the first record failed) under
   * `partition` (the placement the owner accepted, or undefined), writing it now if it is needed.
   */
  async record(shardId: string, records: readonly WireRecord[], last: WireRecord | undefined, partition: PartitionMetadata | undefined): Promise<void> {
    const now = this.clock.nowMs();
    const shard = this.shards.get(shardId);
    const pending = last?.sequenceNumber ?? shard?.pending;
    if (pending === undefined || pending === shard?.written) return;
    if (!this.needed(shard?.writtenAtMs, records.length, partition, now)) {
      this.shards.set(shardId, { writtenAtMs: shard!.writtenAtMs, written: shard?.written, pending });
      return;
    }
    await this.metadata.putShardProgress({ shardId, lastSequenceNumber: pending, updatedAtMs: now });
    this.shards.set(shardId, { writtenAtMs: now, written: pending });
  }

  /**
   * Writes the unwritten progress of `shardIds` this environment holds, if any: a child of theirs is waiting
   * here, and its drain check reads what was written.
   */
  async flush(shardIds: readonly string[]): Promise<void> {
    for (const shardId of shardIds) {
      const shard = this.shards.get(shardId);
      if (shard?.pending === undefined) continue;
      const now = this.clock.nowMs();
      await this.metadata.putShardProgress({ shardId, lastSequenceNumber: shard.pending, updatedAtMs: now });
      this.shards.set(shardId, { writtenAtMs: now, written: shard.pending });
    }
  }

  private needed(writtenAtMs: number | undefined, records: number, partition: PartitionMetadata | undefined, now: number): boolean {
    if (writtenAtMs === undefined || now - writtenAtMs >= this.intervalMs) return true;
    if (records < this.fullBatch) return true;
    if (!partition || partition.state === 'CLOSED') return true;
    return partition.lastMoveAtMs !== undefined && now - partition.lastMoveAtMs < this.claimedWindowMs;
  }
}
