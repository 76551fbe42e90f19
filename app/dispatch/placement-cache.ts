import type { PartitionMetadata, ShadowPartition } from '../../core/model/index.js';
import type { Clock, MetadataStore } from '../../core/ports/index.js';

/**
 * Placement (partition items) and live shadows, cached for a short time so that the dispatcher does not read
 * DynamoDB for every batch. Staleness is safe: the worker fences on the epoch, and a `rejected` answer makes
 * the dispatcher `invalidate` and read again. A moved shard therefore switches owner at the first batch
 * boundary after the write: the old owner rejects the stale epoch and the next read names the new one.
 */
export class PlacementCache {
  private readonly partitions = new Map<string, { atMs: number; partition: PartitionMetadata | undefined }>();
  private shadows: { atMs: number; list: ShadowPartition[] } | undefined;

  constructor(
    private readonly metadata: Pick<MetadataStore, 'getPartition' | 'listShadows'>,
    private readonly clock: Clock,
    /** How long a placement is reused, in ms. @default 1000 */
    private readonly ttlMs = 1000,
  ) {}

  async partition(shardId: string): Promise<PartitionMetadata | undefined> {
    const now = this.clock.nowMs();
    const hit = this.partitions.get(shardId);
    if (hit && hit.partition && now - hit.atMs < this.ttlMs) return hit.partition;
    const partition = await this.metadata.getPartition(shardId);
    this.partitions.set(shardId, { atMs: now, partition });
    return partition;
  }

  async shadowsOf(shardId: string): Promise<ShadowPartition[]> {
    const now = this.clock.nowMs();
    if (!this.shadows || now - this.shadows.atMs >= this.ttlMs) this.shadows = { atMs: now, list: await this.metadata.listShadows() };
    return this.shadows.list.filter((s) => s.shardId === shardId);
  }

  invalidate(shardId: string): void {
    this.partitions.delete(shardId);
    this.shadows = undefined;
  }
}
