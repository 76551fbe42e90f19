import type { Action } from '../../core/model/actions.js';
import type { DecisionEvent } from '../../core/model/decision.js';
import { LatencyHistogram } from '../report/latency.js';
import { MovesBack } from '../report/moves-back.js';

/** One entry of the run's decision log: an action with whether it applied, or a policy event. */
export type LogEntry =
  | { readonly atMs: number; readonly kind: 'action'; readonly action: Action; readonly applied: boolean; readonly detail: string }
  | { readonly atMs: number; readonly kind: 'event'; readonly event: DecisionEvent }
  | { readonly atMs: number; readonly kind: 'sim'; readonly what: string; readonly shardId?: string; readonly workerId?: string };

/** One sample of the timeline, taken at the end of every metric period (actual, not delayed). */
export interface TimelinePoint {
  readonly atMs: number;
  /** Busy fraction of each worker's primary slots (shadows run on their own slots), by worker id. */
  readonly workerUtilization: Readonly<Record<string, number>>;
  /** Busy fraction of one slot of the busiest shard. */
  readonly maxShardUtilization: number;
  readonly openShards: number;
  readonly liveShadows: number;
}

/** Everything a run counts; the report is derived from it. */
export class RunStats {
  overloadSteps = 0;
  /** Per shard, when its iterator age first passed the overload threshold. */
  readonly firstOverloadMs = new Map<string, number>();
  throttledRecords = 0;
  droppedRecords = 0;
  acceptedRecords = 0;
  readonly latency = new LatencyHistogram();
  maxIteratorAgeMs = 0;
  moves = 0;
  /** Moves that took a shard back to the worker it left less than the SPM's cooldown before (ping-pong). */
  readonly movesBack = new MovesBack();
  splits = 0;
  merges = 0;
  shardCountUpdates = 0;
  shadowsCreated = 0;
  /**
   * Shard-ms in which a shard with queued records could not process: during a move's handoff pause, and
   * while a child waited for its parents to drain. Their sum is the report's handoff pause.
   */
  movePauseMs = 0;
  parentWaitMs = 0;
  rejectedActions = 0;
  primaryBusyMs = 0;
  shadowBusyMs = 0;
  /** Σ over live shadows of rate × seconds, and Σ of seconds: their ratio is the mean replication rate. */
  shadowRateSeconds = 0;
  shadowSeconds = 0;
  /** Σ over open shards of their open time, ms. */
  openShardMs = 0;
  /** Worker busy GB-ms (primary + shadow function), dispatcher GB-ms. */
  workerGbMs = 0;
  dispatcherGbMs = 0;
  dispatcherInvocations = 0;
  workerInvocations = 0;
  shadowInvocations = 0;
  ticks = 0;
  metricQueries = 0;
  /** DynamoDB request units of the decision path's own tables (the SPM tick's metadata reads, KCL's lease table). */
  decisionReadUnits = 0;
  decisionWriteUnits = 0;
  readonly predictionErrors: number[] = [];
  readonly log: LogEntry[] = [];
  readonly timeline: TimelinePoint[] = [];
}
