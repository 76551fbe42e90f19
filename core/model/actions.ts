import type { Prediction } from './prediction.js';
import type { ShadowKind } from './shadow.js';

/**
 * What a policy asks for. Policies never act: they return these values and the caller (simulator, local
 * runtime or SPM Lambda) applies them with conditional writes, in order.
 */
export type Action =
  | CreateShadowAction
  | SetShadowRateAction
  | DropShadowAction
  | MoveAction
  | SplitAction
  | MergeAction
  | UpdateShardCountAction;

export interface CreateShadowAction {
  readonly type: 'create-shadow';
  readonly shadowId: string;
  readonly shardId: string;
  readonly workerId: string;
  readonly kind: ShadowKind;
  /** Fraction 0..1. */
  readonly rate: number;
  readonly expiresAtMs?: number;
  readonly reason: string;
}

export interface SetShadowRateAction {
  readonly type: 'set-shadow-rate';
  readonly shadowId: string;
  readonly shardId: string;
  readonly rate: number;
  readonly reason: string;
}

export interface DropShadowAction {
  readonly type: 'drop-shadow';
  readonly shadowId: string;
  readonly shardId: string;
  readonly reason: string;
}

/** Change a shard's owner. Applied as a conditional write: only if the shard is still at `expectedEpoch`. */
export interface MoveAction {
  readonly type: 'move';
  readonly shardId: string;
  readonly fromWorkerId: string;
  readonly toWorkerId: string;
  readonly expectedEpoch: number;
  /** The shadow's prediction this move relies on (absent for baselines that do not predict). */
  readonly prediction?: Prediction;
  /** Shadow to promote (it stops existing once the move applies). */
  readonly promotesShadowId?: string;
  readonly reason: string;
}

/** SplitShard at `newStartingHashKey`; children are placed on the given workers (low half first). */
export interface SplitAction {
  readonly type: 'split';
  readonly shardId: string;
  readonly expectedEpoch: number;
  readonly newStartingHashKey: bigint;
  readonly lowChildWorkerId: string;
  readonly highChildWorkerId: string;
  /** Share of the measured load that falls below the split key (0.5 = balanced). */
  readonly lowLoadShare: number;
  readonly predictions?: readonly Prediction[];
  readonly reason: string;
}

/** MergeShards of two adjacent cold shards; the child goes to `workerId`. */
export interface MergeAction {
  readonly type: 'merge';
  readonly shardId: string;
  readonly adjacentShardId: string;
  readonly workerId: string;
  readonly reason: string;
}

/** UpdateShardCount (uniform scaling, as the alarm-based autoscaler does). */
export interface UpdateShardCountAction {
  readonly type: 'update-shard-count';
  readonly targetShardCount: number;
  readonly reason: string;
}

export type ActionType = Action['type'];
