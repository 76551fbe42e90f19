import type { SpmConfig } from '../../config/spm.config.js';
import type { ShardForecast } from '../../forecast/shard-forecast.js';
import type { Action } from '../../model/actions.js';
import type { ClusterView } from '../../model/cluster-view.js';
import type { DecisionEvent } from '../../model/decision.js';
import type { PartitionMetadata } from '../../model/partition.js';
import type { ShadowPartition } from '../../model/shadow.js';
import type { WorkerNodeMetadata } from '../../model/worker.js';
import type { SpmShardState, SpmState } from './spm.state.js';

/** What the monitor knows about one shard this tick. Utilizations are relative to the current owner. */
export interface ShardTick {
  readonly partition: PartitionMetadata;
  readonly state: SpmShardState;
  readonly forecast: ShardForecast;
  /** Smoothed utilization now and at the horizon (the assumed value while no own metrics exist). */
  readonly utilization: number;
  readonly utilizationAtHorizon: number;
  /** Ingest forecast at the horizon as a fraction of the shard's write limit (records or bytes, the larger). */
  readonly ingestFractionAtHorizon: number;
  readonly hot: boolean;
}

/** A worker's load in slots' worth of utilization (sum of its shards' utilizations). */
export interface WorkerTick {
  readonly worker: WorkerNodeMetadata;
  load: number;
  loadAtHorizon: number;
}

/**
 * The mutable scratchpad of one decision: the monitor fills it, the rules read it, and the orchestrator
 * records each accepted action here so that later rules see the budgets and loads it consumed.
 */
export interface TickContext {
  readonly view: ClusterView;
  readonly config: SpmConfig;
  readonly tickIntervalMs: number;
  /** Burst lanes the dispatcher opens for a lagging shard at most (`config.lanes.max`; 1: none). */
  readonly maxLanes: number;
  readonly previous: SpmState;
  readonly shards: Map<string, ShardTick>;
  readonly workers: Map<string, WorkerTick>;
  readonly actions: Action[];
  readonly events: DecisionEvent[];
  /** Shards that already have an ownership action this tick (one per shard per tick). */
  readonly touchedShards: Set<string>;
  /** Shadows live after this tick's drops and creations, by id. */
  readonly liveShadows: Map<string, ShadowPartition>;
  movesLeft: number;
  splitsLeft: number;
}

/** Load per slot a worker would carry at the horizon with `extra` more utilization. */
export function perSlotLoad(w: WorkerTick, extra = 0): number {
  return (w.loadAtHorizon + extra) / w.worker.slots;
}

/**
 * Slots' worth of utilization the worker can still take at the horizon and stay at or below the safe
 * threshold. This, not the view's own `predictedCapacity`, is what placement uses, so that the loads
 * committed earlier in the same tick count.
 */
export function predictedCapacity(w: WorkerTick, safeThreshold: number): number {
  return w.worker.slots * safeThreshold - w.loadAtHorizon;
}

/**
 * True when `utilization` (of one shard on this worker) fits: the shard's slot and the worker stay safe.
 * `laneShare`: the share of the shard's load in its busiest burst lane (below 1 only when lanes are on and a
 * shadow measured where the load lies). A shard up to one whole slot then fits when that lane stays safe:
 * the dispatcher spreads the rest over further lanes when the shard lags.
 */
export function canAbsorb(w: WorkerTick, utilization: number, safeThreshold: number, laneShare = 1): boolean {
  const slotSafe = laneShare >= 1 ? utilization <= safeThreshold : utilization <= 1 && utilization * laneShare <= safeThreshold;
  return slotSafe && perSlotLoad(w, utilization) <= safeThreshold;
}

export function forwardShadowOf(ctx: TickContext, shardId: string, ownerWorkerId: string): ShadowPartition | undefined {
  return [...ctx.liveShadows.values()]
    .filter((s) => s.shardId === shardId && s.kind === 'forward' && s.workerId !== ownerWorkerId)
    .sort((a, b) => (a.shadowId < b.shadowId ? -1 : a.shadowId > b.shadowId ? 1 : 0))[0];
}

/** Moves `utilization` of load at both times from one worker's books to another's. */
export function shiftLoad(ctx: TickContext, fromWorkerId: string | undefined, removed: number, toWorkerId: string, added: number): void {
  const from = fromWorkerId === undefined ? undefined : ctx.workers.get(fromWorkerId);
  if (from) {
    from.load = Math.max(0, from.load - removed);
    from.loadAtHorizon = Math.max(0, from.loadAtHorizon - removed);
  }
  const to = ctx.workers.get(toWorkerId);
  if (to) {
    to.load += added;
    to.loadAtHorizon += added;
  }
}

/** Ingest as a fraction of a shard's write limit: records or bytes, whichever is nearer its limit. */
export function ingestFraction(limits: ClusterView['shardLimits'], recordsPerSec: number, bytesPerSec: number): number {
  return Math.max(limits.recordsPerSec > 0 ? recordsPerSec / limits.recordsPerSec : 0, limits.bytesPerSec > 0 ? bytesPerSec / limits.bytesPerSec : 0);
}

export function fmt(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

/** Why nothing is shadowed under `shadowing: owner-only`, for the reasons that depend on a shadow. */
export const OWNER_ONLY =
  'not shadowed: its processor is not declared side-effect free (fromBatchHandler without sideEffectFree, shadowing: owner-only), so it is measured on its owner only';
