import type { ForeshadowConfig } from '../config/index.js';

/**
 * Where a policy's metrics come from, as it would really read them (issue #10):
 * - `cloudwatch`: 60-s points about 2 min after their period (GetMetricData). Foreshadow's SPM, the alarm
 *   autoscaler and a splitter read these.
 * - `lease-table`: KCL 3.x's own DynamoDB tables (worker utilization reported every 30 s, lease throughput at
 *   every renewal): at most ~30 s old, never CloudWatch. The simulator gives this path 30-s points with no
 *   publishing delay (`LEASE_TABLE_PERIOD_MS`).
 * - `kinesis-internal`: what Kinesis sees of its own shards (on-demand mode scales on it): the same periods,
 *   no publishing delay, and no GetMetricData bill.
 * - `metadata-table`: Foreshadow's SPM: each shard's load per minute as the dispatchers add it to the metadata
 *   table (app/dispatch/load-recorder.ts), readable ~15 s after the minute (the profile's `loadDelayMs`);
 *   write throttles, which only Kinesis sees, and worker metrics still come from CloudWatch, late; per-shard
 *   throttles are read (and billed) only when the stream-level count is not zero.
 */
export const DATA_PATHS = ['cloudwatch', 'lease-table', 'kinesis-internal', 'metadata-table'] as const;
export type DataPath = (typeof DATA_PATHS)[number];

/**
 * How records reach the processing code:
 * - `dispatcher`: Foreshadow's dispatcher routes each shard's batches to its owner in a pool of worker
 *   functions (what lets a policy place shards at all on Lambda); it costs an invocation per batch.
 * - `plain-esm`: the event source mapping invokes one function directly, as a user without Foreshadow runs
 *   it: no dispatcher, no placement, no metadata; concurrency is elastic (one invocation per shard and lane).
 */
export const DATA_PLANES = ['dispatcher', 'plain-esm'] as const;
export type DataPlane = (typeof DATA_PLANES)[number];

/** `provisioned`: billed per shard-hour and PUT payload unit; `on-demand`: per stream-hour and per GB in and out. */
export const CAPACITY_MODES = ['provisioned', 'on-demand'] as const;
export type CapacityMode = (typeof CAPACITY_MODES)[number];

/**
 * What a policy runs on besides its decision function: the facts a like-for-like comparison needs. The
 * simulator plays them (data plane, lanes, metric delay) and its cost estimate prices them.
 */
export interface Deployment {
  readonly dataPath: DataPath;
  readonly dataPlane: DataPlane;
  readonly capacityMode: CapacityMode;
  /** Whether a scheduled decision function runs and is billed (Foreshadow's SPM, a splitter); false for Kinesis' own scaling or a static setting. */
  readonly decisionFunction: boolean;
  /** Metric series it reads per decision with GetMetricData (0: none). */
  metricsPerDecision(openShards: number, workers: number): number;
  /** Concurrent batches per shard (the mapping's ParallelizationFactor; 1 = one batch at a time). */
  lanesPerShard(config: ForeshadowConfig): number;
  /**
   * Whether Foreshadow's dispatcher fans a lagging shard's batch out over burst lanes (`config.lanes`,
   * core/model/lanes.ts) on the owner's free slots. @default false
   */
  readonly burstLanes?: boolean;
  /** Time between two decisions, ms. @default config.tickIntervalMs */
  decisionIntervalMs?(config: ForeshadowConfig): number;
  /** Time a moved shard is processed by nobody, ms. @default the profile's dispatcher switch (1 s on aws) */
  handoffPauseMs?(config: ForeshadowConfig): number;
  /**
   * DynamoDB request units its decision path uses per decision (reads: RRU, writes: WRU), besides the data
   * plane's per-batch calls. @default none (no table of its own)
   */
  tableUnitsPerDecision?(openShards: number, workers: number, decisionIntervalMs: number): TableUnits;
}

export interface TableUnits {
  readonly readUnits: number;
  readonly writeUnits: number;
}

/**
 * The SPM tick's own metadata-table traffic (partitions, workers, shadows and their stats, the load of every
 * shard, its state and audit), as `npm run cost` measured it: 4.917 RRU and 1.5 WRU per tick and shard
 * (docs/COST.md, "SPM DynamoDB reads/writes"; a 2-shard tick divided by 2, so the fixed part is overstated).
 */
export const SPM_TICK_UNITS_PER_SHARD: TableUnits = { readUnits: 4.917, writeUnits: 1.5 };

function spmTickUnits(openShards: number): TableUnits {
  return { readUnits: SPM_TICK_UNITS_PER_SHARD.readUnits * openShards, writeUnits: SPM_TICK_UNITS_PER_SHARD.writeUnits * openShards };
}

/**
 * Foreshadow's data plane with every metric read from CloudWatch: dispatcher, the decision function every
 * tick reading six series per open shard (incoming records and bytes, throttles, processed records, busy
 * time, iterator age) and four per worker (primary and shadow busy time, invocations, errors). What an
 * alarm-driven policy on the dispatcher reads.
 */
export const DISPATCHER_ON_CLOUDWATCH: Deployment = {
  dataPath: 'cloudwatch',
  dataPlane: 'dispatcher',
  capacityMode: 'provisioned',
  decisionFunction: true,
  metricsPerDecision: (openShards, workers) => openShards * 6 + workers * 4,
  lanesPerShard: () => 1,
  burstLanes: true,
  tableUnitsPerDecision: (openShards) => spmTickUnits(openShards),
};

/**
 * Foreshadow as deployed: the dispatcher, and the SPM function reading each shard's load from the metadata
 * table (`metadata-table`). GetMetricData per tick: the stream-level throttle count, per-shard throttles only
 * after the stream throttled (the simulator counts them so), and four series per worker.
 */
export const FORESHADOW_DEPLOYMENT: Deployment = {
  ...DISPATCHER_ON_CLOUDWATCH,
  dataPath: 'metadata-table',
  metricsPerDecision: (_openShards, workers) => 1 + workers * 4,
};
