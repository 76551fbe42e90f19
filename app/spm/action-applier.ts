import type { Action, ClusterView, MergeAction, MoveAction, PartitionMetadata, SplitAction, WorkerNodeMetadata } from '../../core/model/index.js';
import { InjectedCrash, type Clock, type CrashPoint, type MetadataStore, type StreamControl } from '../../core/ports/index.js';
import { discoverShards } from './shard-discovery.js';

export interface AppliedAction {
  readonly action: Action;
  readonly applied: boolean;
  readonly detail?: string;
}

export interface ApplierDeps {
  readonly metadata: MetadataStore;
  readonly stream: StreamControl;
  readonly clock: Clock;
  /** How long to wait for the stream to be ACTIVE after a reshard before leaving placement to the next tick, in ms. @default 30000 */
  readonly reshardTimeoutMs?: number;
  /** Fault injection (core/ports/crash-points.port.ts): tests only. @default none */
  readonly crashPoint?: CrashPoint;
}

/**
 * Applies a decision's actions in order. Every ownership change is a conditional write on the epoch the
 * decision saw; a lost write is a value (`applied: false` with the reason), and later actions on the same
 * shard use the epoch after the earlier ones. A split first claims the shard by bumping its epoch (same
 * owner), so of two SPM runs only the one whose claim succeeds calls SplitShard. A shadow is created only
 * if its shard has no live shadow of the same kind (a conditional write too): the second of two runs
 * creating one gets `applied: false` with `already-exists`, and its copy is never written.
 */
export async function applyActions(deps: ApplierDeps, view: Pick<ClusterView, 'partitions' | 'workers' | 'shadows'>, actions: readonly Action[]): Promise<AppliedAction[]> {
  const epochs = new Map(view.partitions.map((p) => [p.shardId, p.epoch]));
  const partitions = new Map(view.partitions.map((p) => [p.shardId, p]));
  const results: AppliedAction[] = [];
  for (const action of actions) {
    try {
      results.push({ action, ...(await applyOne(deps, view, action, epochs, partitions)) });
    } catch (error) {
      // A simulated death ends the whole run here, as a real one would.
      if (error instanceof InjectedCrash) throw error;
      results.push({ action, applied: false, detail: `error: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return results;
}

type Result = { applied: boolean; detail?: string };

async function applyOne(deps: ApplierDeps, view: Pick<ClusterView, 'partitions' | 'workers' | 'shadows'>, action: Action, epochs: Map<string, number>, partitions: Map<string, PartitionMetadata>): Promise<Result> {
  const now = deps.clock.nowMs();
  switch (action.type) {
    case 'create-shadow': {
      const epoch = epochs.get(action.shardId);
      if (epoch === undefined) return { applied: false, detail: `unknown shard ${action.shardId}` };
      // Conditional: another SPM run (or an earlier action) that gave the shard a live shadow of this kind wins.
      const created = await deps.metadata.createShadow({ shadowId: action.shadowId, shardId: action.shardId, workerId: action.workerId, kind: action.kind, rate: action.rate, createdAtMs: now, expiresAtMs: action.expiresAtMs });
      if (!created.ok) return { applied: false, detail: `${created.reason}: ${created.detail}` };
      const patched = await deps.metadata.updatePartition(action.shardId, epoch, { shadowPartitionId: action.shadowId, shadowReplicationRate: action.rate });
      if (patched.ok) return { applied: true };
      await deps.metadata.deleteShadow(action.shadowId);
      return { applied: false, detail: `${patched.reason}: ${patched.detail}` };
    }
    case 'set-shadow-rate': {
      const shadow = view.shadows.find((s) => s.shadowId === action.shadowId);
      if (!shadow) return { applied: false, detail: `unknown shadow ${action.shadowId}` };
      const rated = await deps.metadata.putShadow({ ...shadow, rate: action.rate }, { requireExisting: true });
      if (!rated.ok) return { applied: false, detail: `${rated.reason}: ${rated.detail}` };
      const epoch = epochs.get(action.shardId);
      if (epoch !== undefined && partitions.get(action.shardId)?.shadowPartitionId === action.shadowId) await deps.metadata.updatePartition(action.shardId, epoch, { shadowReplicationRate: action.rate });
      return { applied: true };
    }
    case 'drop-shadow': {
      await deps.metadata.deleteShadow(action.shadowId);
      await clearShadowPointer(deps, action.shardId, action.shadowId, epochs, partitions);
      return { applied: true };
    }
    case 'move':
      return applyMove(deps, action, epochs, partitions, now);
    case 'split':
      return applySplit(deps, view.workers, action, epochs, partitions, now);
    case 'merge':
      return applyMerge(deps, view.workers, action, epochs, partitions, now);
    case 'update-shard-count': {
      const outcome = await deps.stream.updateShardCount(action.targetShardCount);
      if (!outcome.ok) return { applied: false, detail: `${outcome.reason}: ${outcome.detail}` };
      const active = await deps.stream.waitUntilActive(deps.reshardTimeoutMs ?? 30_000);
      if (active) await discoverShards(deps, view.workers);
      return { applied: true, detail: active ? undefined : 'stream not ACTIVE yet: the next tick places the new shards' };
    }
  }
}

async function applyMove(deps: ApplierDeps, action: MoveAction, epochs: Map<string, number>, partitions: Map<string, PartitionMetadata>, now: number): Promise<Result> {
  const moved = await deps.metadata.changeOwner(action.shardId, action.expectedEpoch, action.toWorkerId, now);
  if (!moved.ok) return { applied: false, detail: `${moved.reason}: ${moved.detail}` };
  epochs.set(action.shardId, moved.value);
  deps.crashPoint?.('spm.move.after-owner-change', action.shardId);
  if (action.promotesShadowId !== undefined) {
    await deps.metadata.deleteShadow(action.promotesShadowId);
    await clearShadowPointer(deps, action.shardId, action.promotesShadowId, epochs, partitions);
  }
  return { applied: true, detail: `epoch ${action.expectedEpoch} -> ${moved.value}` };
}

async function clearShadowPointer(deps: ApplierDeps, shardId: string, shadowId: string, epochs: Map<string, number>, partitions: Map<string, PartitionMetadata>): Promise<void> {
  const epoch = epochs.get(shardId);
  if (epoch === undefined || partitions.get(shardId)?.shadowPartitionId !== shadowId) return;
  await deps.metadata.updatePartition(shardId, epoch, { shadowPartitionId: undefined, shadowReplicationRate: undefined });
}

/** Bumps the epoch without changing the owner: claims the shard for a reshard (the loser of a race gets stale-epoch). */
async function claim(deps: ApplierDeps, shardId: string, expectedEpoch: number | undefined, partitions: Map<string, PartitionMetadata>, epochs: Map<string, number>, now: number): Promise<Result | undefined> {
  const partition = partitions.get(shardId);
  if (!partition || expectedEpoch === undefined) return { applied: false, detail: `unknown shard ${shardId}` };
  const claimed = await deps.metadata.changeOwner(shardId, expectedEpoch, partition.ownerWorkerId, now);
  if (!claimed.ok) return { applied: false, detail: `${claimed.reason}: ${claimed.detail}` };
  epochs.set(shardId, claimed.value);
  return undefined;
}

async function applySplit(deps: ApplierDeps, workers: readonly WorkerNodeMetadata[], action: SplitAction, epochs: Map<string, number>, partitions: Map<string, PartitionMetadata>, now: number): Promise<Result> {
  const lost = await claim(deps, action.shardId, action.expectedEpoch, partitions, epochs, now);
  if (lost) return lost;
  const split = await deps.stream.splitShard(action.shardId, action.newStartingHashKey);
  if (!split.ok) return { applied: false, detail: `${split.reason}: ${split.detail}` };
  deps.crashPoint?.('spm.split.after-split-shard', action.shardId);
  if (!(await deps.stream.waitUntilActive(deps.reshardTimeoutMs ?? 30_000))) {
    return { applied: true, detail: 'split requested; stream not ACTIVE yet: the next tick places the children on the parent owner' };
  }
  const shards = await deps.stream.listShards();
  const children = shards.filter((s) => s.parentShardId === action.shardId && s.adjacentParentShardId === undefined);
  const owners = new Map<string, string>();
  for (const child of children) owners.set(child.shardId, child.hashKeyRange.start < action.newStartingHashKey ? action.lowChildWorkerId : action.highChildWorkerId);
  const created = await discoverShards(deps, workers, owners);
  return { applied: true, detail: `children ${children.map((c) => `${c.shardId}->${owners.get(c.shardId)}`).join(', ')}; created ${created.length} partitions` };
}

async function applyMerge(deps: ApplierDeps, workers: readonly WorkerNodeMetadata[], action: MergeAction, epochs: Map<string, number>, partitions: Map<string, PartitionMetadata>, now: number): Promise<Result> {
  for (const shardId of [action.shardId, action.adjacentShardId]) {
    const lost = await claim(deps, shardId, epochs.get(shardId), partitions, epochs, now);
    if (lost) return lost;
  }
  const merged = await deps.stream.mergeShards(action.shardId, action.adjacentShardId);
  if (!merged.ok) return { applied: false, detail: `${merged.reason}: ${merged.detail}` };
  if (!(await deps.stream.waitUntilActive(deps.reshardTimeoutMs ?? 30_000))) return { applied: true, detail: 'merge requested; stream not ACTIVE yet' };
  const child = (await deps.stream.listShards()).find((s) => s.parentShardId === action.shardId || s.adjacentParentShardId === action.shardId);
  await discoverShards(deps, workers, new Map(child ? [[child.shardId, action.workerId]] : []));
  return { applied: true, detail: child ? `child ${child.shardId}->${action.workerId}` : 'child not listed yet' };
}
