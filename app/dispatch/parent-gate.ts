import type { PartitionMetadata } from '../../core/model/index.js';
import type { Clock, MetadataStore, StreamControl } from '../../core/ports/index.js';

/**
 * Parent before children: a child shard's batch may go through only once each parent is drained, i.e.
 * CLOSED and read to its end. The parent's end is the last sequence number the dispatcher processed in it
 * (its ShardProgress); `StreamControl.isDrained` says whether Kinesis holds anything after it. A positive
 * answer is final, so it is written to the parent's progress (`drained: true`) and kept in memory: after the
 * first child batch passes, the gate costs nothing.
 */
export class ParentGate {
  private readonly drained = new Set<string>();

  constructor(
    private readonly metadata: Pick<MetadataStore, 'getShardProgress' | 'putShardProgress'>,
    private readonly stream: Pick<StreamControl, 'isDrained'>,
    private readonly clock: Clock,
  ) {}

  /** The parents of `partition` that are not drained yet (empty: the batch may go). */
  async pendingParents(partition: PartitionMetadata): Promise<string[]> {
    const pending: string[] = [];
    for (const parent of partition.parentShardIds) {
      if (!(await this.isParentDrained(parent))) pending.push(parent);
    }
    return pending;
  }

  private async isParentDrained(parent: string): Promise<boolean> {
    if (this.drained.has(parent)) return true;
    const progress = await this.metadata.getShardProgress(parent);
    if (progress?.drained) {
      this.drained.add(parent);
      return true;
    }
    if (!(await this.stream.isDrained(parent, progress?.lastSequenceNumber))) return false;
    await this.metadata.putShardProgress({ shardId: parent, lastSequenceNumber: progress?.lastSequenceNumber, drained: true, updatedAtMs: this.clock.nowMs() });
    this.drained.add(parent);
    return true;
  }
}
