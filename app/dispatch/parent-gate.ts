import type { PartitionMetadata } from '../../core/model/index.js';
import type { Clock, DrainFromTime, MetadataStore, StreamControl } from '../../core/ports/index.js';

/**
 * Where the event source mapping started reading the shards that existed when it was created. At
 * TRIM_HORIZON it delivers every record within retention; at LATEST only records that arrived after it
 * started polling, so a parent's older records are never delivered and must not be waited for.
 * `notBeforeMs` is a time the mapping cannot have started before (on AWS: the metadata table's creation, which
 * the mapping's deployment depends on), in ms since the epoch.
 */
export type MappingStart = { readonly position: 'TRIM_HORIZON' } | { readonly position: 'LATEST'; readonly notBeforeMs: number };

/** A mapping that reads every record within retention: the gate reads a parent without progress from its start. */
export const FROM_TRIM_HORIZON: MappingStart = { position: 'TRIM_HORIZON' };

/**
 * Parent before children: a child shard's batch may go through only once each parent is drained, i.e.
 * CLOSED and holding no record the mapping will still deliver. Where the dispatcher processed part of the
 * parent, that is what Kinesis holds after its last sequence number (its ShardProgress). Where it processed
 * nothing, it depends on where the mapping started (`MappingStart`): at TRIM_HORIZON every record of the
 * parent will be delivered, so the parent is read from its start; at LATEST only the records that arrived
 * after the mapping started, so the parent is read from that time. A parent that was resharded before the
 * mapping started (an existing stream's common case) then counts as drained at once instead of holding its
 * children forever on records the mapping will never deliver.
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
  private start: Promise<MappingStart> | undefined;

  constructor(
    private readonly metadata: Pick<MetadataStore, 'getShardProgress' | 'putShardProgress'>,
    private readonly stream: Pick<StreamControl, 'isDrained'>,
    private readonly clock: Clock,
    private readonly mappingStart: () => Promise<MappingStart> = async () => FROM_TRIM_HORIZON,
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
    const from = progress?.lastSequenceNumber ?? (await this.unprocessedFrom());
    if (!(await this.stream.isDrained(parent, from))) return false;
    this.drained.add(parent);
    // Best effort: the answer is already known and kept in memory; without the record another execution
    // environment asks Kinesis once more. A failed write must not fail the children's batches.
    await this.metadata
      .putShardProgress({ shardId: parent, lastSequenceNumber: progress?.lastSequenceNumber, drained: true, updatedAtMs: this.clock.nowMs() })
      .catch(() => undefined);
    return true;
  }

  /** Where a parent the dispatcher processed nothing of starts holding records the mapping will deliver. */
  private async unprocessedFrom(): Promise<DrainFromTime | undefined> {
    // Read once per execution environment; a failed read is asked again next time.
    this.start ??= this.mappingStart().catch((error: unknown) => {
      this.start = undefined;
      throw error;
    });
    const start = await this.start;
    return start.position === 'LATEST' ? { atTimestampMs: start.notBeforeMs } : undefined;
  }
}
