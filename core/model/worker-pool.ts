import type { DropShadowAction, MoveAction } from './actions.js';
import type { PartitionMetadata } from './partition.js';
import type { ShadowPartition } from './shadow.js';
import type { WorkerNodeMetadata } from './worker.js';

/** What it takes to bring the registered worker pool in line with what is deployed. */
export interface PoolReconciliation {
  /** Classes to write: new ones, and known ones whose deployed class, memory, slots or speed changed. */
  readonly put: readonly WorkerNodeMetadata[];
  /** Registered workers that are no longer deployed: their items go. */
  readonly removed: readonly string[];
  /**
   * Shards owned by a worker that is not deployed (its function is gone: the dispatcher can only hand their
   * batches back), each moved to a deployed worker. Applied before any policy action.
   */
  readonly moves: readonly MoveAction[];
  /** Shadows on a worker that is not deployed (never sampled again), or forward shadows on their shard's owner. */
  readonly drops: readonly DropShadowAction[];
}

const sameDeployment = (a: WorkerNodeMetadata, b: WorkerNodeMetadata): boolean =>
  a.workerClass === b.workerClass && a.memoryMb === b.memoryMb && a.slots === b.slots && a.speed === b.speed;

/**
 * Compares the registered pool with the deployed one (the deployment is the truth: a redeploy may add,
 * resize or remove classes); a changed class is written as deployed. Every shard
 * whose owner is not deployed, whatever its state (a closed parent still has records to deliver), goes to
 * the deployed worker with the fewest shards per slot, counting the moves already planned; ties go to the
 * lower worker id, so two SPM runs plan the same moves (and the epoch condition lets one of them apply).
 * With nothing deployed there is nothing to move to: the pool is left as it is.
 */
export function reconcileWorkerPool(
  registered: readonly WorkerNodeMetadata[],
  deployed: readonly WorkerNodeMetadata[],
  partitions: readonly PartitionMetadata[],
  shadows: readonly ShadowPartition[],
): PoolReconciliation {
  if (deployed.length === 0) return { put: [], removed: [], moves: [], drops: [] };
  const known = new Map(registered.map((w) => [w.workerId, w]));
  const live = new Set(deployed.map((w) => w.workerId));
  const put = deployed.flatMap((w) => {
    const before = known.get(w.workerId);
    if (before === undefined) return [w];
    return sameDeployment(before, w) ? [] : [w];
  });
  const removed = registered.filter((w) => !live.has(w.workerId)).map((w) => w.workerId);
  const load = new Map(deployed.map((w) => [w.workerId, 0]));
  for (const p of partitions) if (load.has(p.ownerWorkerId)) load.set(p.ownerWorkerId, load.get(p.ownerWorkerId)! + 1);
  const slots = new Map(deployed.map((w) => [w.workerId, w.slots]));
  const ranked = (): string[] => [...load.keys()].sort((a, b) => load.get(a)! / slots.get(a)! - load.get(b)! / slots.get(b)! || a.localeCompare(b));
  const moves: MoveAction[] = [];
  for (const p of [...partitions].sort((a, b) => a.shardId.localeCompare(b.shardId))) {
    if (live.has(p.ownerWorkerId)) continue;
    const to = ranked()[0]!;
    load.set(to, load.get(to)! + 1);
    moves.push({
      type: 'move',
      shardId: p.shardId,
      fromWorkerId: p.ownerWorkerId,
      toWorkerId: to,
      expectedEpoch: p.epoch,
      reason: `worker ${p.ownerWorkerId} is no longer deployed: its shards move before any other decision`,
    });
  }
  const owners = new Map(partitions.map((p) => [p.shardId, p.ownerWorkerId]));
  const drops: DropShadowAction[] = shadows.flatMap((s): DropShadowAction[] => {
    if (!live.has(s.workerId)) return [{ type: 'drop-shadow', shadowId: s.shadowId, shardId: s.shardId, reason: `worker ${s.workerId} is no longer deployed` }];
    // A forward shadow on its shard's owner measures nothing new: the leftover of a promotion whose run died
    // between the owner change and the clean-up (every policy's view stays free of it).
    if (s.kind === 'forward' && owners.get(s.shardId) === s.workerId) {
      return [{ type: 'drop-shadow', shadowId: s.shadowId, shardId: s.shardId, reason: `shadow ${s.shadowId} is on its shard's owner: left by an interrupted promotion` }];
    }
    return [];
  });
  return { put, removed, moves, drops };
}
