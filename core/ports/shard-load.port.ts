/**
 * What the dispatcher measured of one shard in one load period (a minute on AWS), summed over its execution
 * environments: the SPM's fresh per-shard load (the `metadata-table` data path), written every ~30 s instead
 * of read from CloudWatch minutes later and billed per metric. See docs/ARCHITECTURE.md, "Where the SPM
 * reads load".
 */
export interface ShardLoadPoint {
  readonly shardId: string;
  /** Start of the period (a multiple of the period length the writer and the reader share). */
  readonly atMs: number;
  /**
   * Records, and their bytes, the owner was sent in this period, each counted once: what arrived, ~1 s
   * later, while the dispatcher keeps up; what the owner could take while it lags (app/dispatch/load-recorder.ts).
   */
  readonly incomingRecords: number;
  readonly incomingBytes: number;
  /** Records the owner processed during this period, and the busy ms it spent on them. */
  readonly processedRecords: number;
  readonly busyMs: number;
  /**
   * Sum over the records counted in `incomingRecords` of their age when the owner answered (answer time minus
   * approximate arrival), ms: how the mean age moves from period to period says how far the producers are
   * ahead of what the owner reads (core/forecast/arrivals.ts).
   */
  readonly ageMsSum: number;
}

/** The load period on AWS: a minute, the shortest period the SPM reads. */
export const LOAD_PERIOD_MS = 60_000;

export interface ShardLoadStore {
  /** Adds each point's counts to what is stored for its shard and period (atomic counters). */
  addShardLoad(points: readonly ShardLoadPoint[]): Promise<void>;
  /** Every shard's counts for the period starting at `atMs`. */
  listShardLoad(atMs: number): Promise<ShardLoadPoint[]>;
}
