import type { PartitionMetadata, WorkerNodeMetadata } from '../../core/model/index.js';
import type { Clock, MetadataStore, ShardDescription, StreamControl } from '../../core/ports/index.js';

/** Epoch of a partition that was just created: the first owner. */
export const FIRST_EPOCH = 1;

export function newPartition(shard: ShardDescription, ownerWorkerId: string): PartitionMetadata {
  return {
    shardId: shard.shardId,
    hashKeyRange: shard.hashKeyRange,
    parentShardIds: [shard.parentShardId, shard.adjacentParentShardId].filter((id): id is string => id !== undefined),
    state: shard.endingSequenceNumber === undefined ? 'OPEN' : 'CLOSED',
    ownerWorkerId,
    epoch: FIRST_EPOCH,
    ingestRecordsPerSec: 0,
    ingestBytesPerSec: 0,
    utilization: 0,
    utilizationTrendPerSec: 0,
  };
}

/**
 * The worker a shard goes to when no decision placed it: its parent's owner (a split or merge the SPM did
 * not finish placing, or one done outside it), else the worker with the fewest open shards per slot.
 */
export function defaultOwner(shard: ShardDescription, known: ReadonlyMap<string, PartitionMetadata>, workers: readonly WorkerNodeMetadata[]): string | undefined {
  const parent = shard.parentShardId === undefined ? undefined : known.get(shard.parentShardId);
  if (parent && workers.some((w) => w.workerId === parent.ownerWorkerId)) return parent.ownerWorkerId;
  const open = new Map<string, number>();
  for (const p of known.values()) if (p.state === 'OPEN') open.set(p.ownerWorkerId, (open.get(p.ownerWorkerId) ?? 0) + 1);
  return [...workers]
    .sort((a, b) => (open.get(a.workerId) ?? 0) / a.slots - (open.get(b.workerId) ?? 0) / b.slots || a.workerId.localeCompare(b.workerId))
    .at(0)?.workerId;
}

/**
 * Brings the metadata in line with the stream: creates the partitions of shards it does not know (new
 * shards after a split, merge or UpdateShardCount, or a new stream) and marks CLOSED the shards Kinesis
 * closed. Two SPM runs may do this at once: `createPartition` is conditional, the second gets
 * `already-exists`. Returns the ids it created.
 */
export async function discoverShards(
  deps: { readonly metadata: MetadataStore; readonly stream: Pick<StreamControl, 'listShards'>; readonly clock: Clock },
  workers: readonly WorkerNodeMetadata[],
  owners: ReadonlyMap<string, string> = new Map(),
): Promise<string[]> {
  const [shards, partitions] = await Promise.all([deps.stream.listShards(), deps.metadata.listPartitions()]);
  const known = new Map(partitions.map((p) => [p.shardId, p]));
  const created: string[] = [];
  // Parents first, so that a child can inherit its parent's owner.
  const ordered = [...shards].sort((a, b) => compareShardIds(a.shardId, b.shardId));
  for (const shard of ordered) {
    const existing = known.get(shard.shardId);
    if (existing) {
      if (existing.state === 'OPEN' && shard.endingSequenceNumber !== undefined) await deps.metadata.updatePartition(shard.shardId, existing.epoch, { state: 'CLOSED' });
      continue;
    }
    const owner = owners.get(shard.shardId) ?? defaultOwner(shard, known, workers);
    if (owner === undefined) continue;
    const partition = newPartition(shard, owner);
    const outcome = await deps.metadata.createPartition(partition);
    if (outcome.ok) created.push(shard.shardId);
    known.set(shard.shardId, partition);
  }
  return created;
}

/** Kinesis shard ids are `shardId-` plus a zero-padded counter, so newer shards sort after their parents. */
function compareShardIds(a: string, b: string): number {
  return a.length - b.length || a.localeCompare(b);
}
