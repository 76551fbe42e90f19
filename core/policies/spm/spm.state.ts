import type { ShardSeries } from '../../forecast/shard-forecast.js';
import type { Prediction } from '../../model/prediction.js';

/**
 * The SPM's memory between ticks. Plain JSON (no bigint, Map or class): the SPM Lambda keeps it in
 * DynamoDB, the simulator passes it from tick to tick.
 */
export interface SpmState {
  readonly version: 1;
  readonly shards: Readonly<Record<string, SpmShardState>>;
  /** Predictions behind moves, waiting for the new owner's metrics to be scored. */
  readonly pending: readonly PendingPrediction[];
  /** Reverse shadows this policy created, with the move they guard. */
  readonly reverse: readonly ReverseShadowRecord[];
  /** Recent splits, so that the children's load is known before their own metrics arrive. */
  readonly splits: readonly SplitRecord[];
  /** Cumulative shadow stats seen at past ticks, per shadow, to measure over a recent window. */
  readonly snapshots: Readonly<Record<string, readonly ShadowSnapshot[]>>;
}

export interface SpmShardState {
  /** The worker the smoothed series is relative to (utilization depends on the worker's speed). */
  readonly ownerWorkerId: string;
  readonly series: ShardSeries;
  /** Load assumed on the owner until its own metrics arrive (after a move or split). */
  readonly assumedUtilization?: number;
  readonly hotTicks: number;
  readonly coolTicks: number;
  readonly hot: boolean;
  /** Multiplier of the sample-size rate, adapted from scored predictions (1 = the formula's rate). */
  readonly rateMultiplier: number;
  /** Consecutive scored predictions inside the accuracy target. */
  readonly hits: number;
  /** CV of per-record cost last measured by a shadow of this shard. */
  readonly lastCostCv?: number;
  readonly lastMoveAtMs?: number;
}

export interface PendingPrediction {
  readonly shardId: string;
  readonly prediction: Prediction;
  readonly fromWorkerId: string;
  readonly toWorkerId: string;
  readonly movedAtMs: number;
}

export interface ReverseShadowRecord {
  readonly shadowId: string;
  readonly shardId: string;
  /** The old owner, where the reverse shadow runs. */
  readonly workerId: string;
  readonly newOwnerWorkerId: string;
  readonly movedAtMs: number;
  readonly expiresAtMs: number;
}

export interface SplitRecord {
  readonly parentShardId: string;
  readonly atMs: number;
  /** NewStartingHashKey in decimal (bigint does not survive JSON). */
  readonly splitKey: string;
  readonly lowWorkerId: string;
  readonly highWorkerId: string;
  /** Predicted utilization of each child on its worker. */
  readonly lowUtilization: number;
  readonly highUtilization: number;
}

export interface ShadowSnapshot {
  readonly atMs: number;
  /** `fromMs` of the stats: a change means the stats were reset (new rate). */
  readonly fromMs: number;
  readonly records: number;
  readonly busyMs: number;
  readonly busyMsSquared: number;
}

export function initialSpmState(): SpmState {
  return { version: 1, shards: {}, pending: [], reverse: [], splits: [], snapshots: {} };
}
