import type { PartitionMetadata } from '../../core/model/index.js';
import type { Clock, MetadataStore, StreamControl } from '../../core/ports/index.js';

/**
 * Parent before children: a child shard's batch may go through only once each parent is drained, i.e.
 * CLOSED and read to its end. The parent's end is the last sequence number the dispatcher processed in it
 * (its ShardProgress); `StreamControl.isDrained` says whether Kinesis holds anything after it.
 *
 * Every drain check reads the parent shard, and its 5 GetRecords/s are shared with the event source mapping
 * still reading it, so the gate asks Kinesis as little as it can:
 * - a positive answer is final (a closed shard that drained stays drained): it is kept in memory before
 *   anything else, so a failed progress write cannot make the gate ask again, and written to the parent's
 *   progress (`drained: true`) for the other dispatcher instances;
 * - children held at the same time (both children of a split, or batches of one child) share one check of
 *   their parent in flight instead of each starting its own.
 * After the first child batch passes, the gate costs nothing.
 */
export class ParentGate {
  private readonly drained = new Set<string>();
  private readonly checking = new Map<string, Promise<boolean>>();

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
    const inFlight = this.checking.get(parent);
    if (inFlight) return inFlight;
    const check = this.check(parent).finally(() => this.checking.delete(parent));
    this.checking.set(parent, check);
    return check;
  }

  private async check(parent: string): Promise<boolean> {
    const progress = await this.metadata.getShardProgress(parent);
    if (progress?.drained) {
      this.drained.add(parent);
      return true;
    }
    if (!(await this.stream.isDrained(parent, progress?.lastSequenceNumber))) return false;
    this.drained.add(parent);
    // Best effort: the answer is already known and kept in memory; without the record another execution
    // environment asks Kinesis once more. A failed write must not fail the children's batches.
    await this.metadata
      .putShardProgress({ shardId: parent, lastSequenceNumber: progress?.lastSequenceNumber, drained: true, updatedAtMs: this.clock.nowMs() })
      .catch(() => undefined);
    return true;
  }
}
