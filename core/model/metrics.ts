/**
 * Metric points as the SPM sees them: one point per shard (or worker) per metric period, already aligned.
 * On AWS they come from CloudWatch (EMF from the dispatcher and workers, Kinesis shard metrics), minutes
 * late; in the simulator and the local runtime they come from a local store with the same delay model.
 */
export interface ShardMetricPoint {
  /** Start of the period. */
  readonly atMs: number;
  readonly periodMs: number;
  /** Records and bytes accepted by the shard (after throttling). */
  readonly incomingRecords: number;
  readonly incomingBytes: number;
  /** Producer writes rejected by the shard limit (WriteProvisionedThroughputExceeded, in records). */
  readonly throttledRecords: number;
  /** Records processed by the owner in primary mode, and the busy ms it spent on them. */
  readonly processedRecords: number;
  readonly busyMs: number;
  /** Largest iterator age seen in the period. */
  readonly iteratorAgeMsMax: number;
}

/** A field of a shard's metric point: one CloudWatch metric per shard read each tick. */
export type ShardMetricField = Exclude<keyof ShardMetricPoint, 'atMs' | 'periodMs'>;

/** A field of a worker's metric point: one CloudWatch metric per worker read each tick. */
export type WorkerMetricField = Exclude<keyof WorkerMetricPoint, 'atMs' | 'periodMs'>;

/**
 * The metric fields a policy decides on. The SPM tick reads only these (GetMetricData bills per metric read,
 * every tick, for every shard); the others are 0 in its view, and no worker metrics are read when `workers`
 * is empty.
 */
export interface MetricFields {
  readonly shards: readonly ShardMetricField[];
  readonly workers: readonly WorkerMetricField[];
}

export interface WorkerMetricPoint {
  readonly atMs: number;
  readonly periodMs: number;
  /** Busy ms summed over all slots, primary work only. */
  readonly primaryBusyMs: number;
  /** Busy ms spent on shadow (dry-run) work. */
  readonly shadowBusyMs: number;
  readonly invocations: number;
  readonly errors: number;
}

/**
 * Busy fraction of a worker's slots in a period: owner (primary) work only, because shadow samples run on
 * the class's separate shadow function and never take one of these slots. The one definition the baselines,
 * the simulator's view and its timeline use.
 */
export function workerBusyUtilization(point: Pick<WorkerMetricPoint, 'periodMs' | 'primaryBusyMs'>, slots: number): number {
  const capacityMs = point.periodMs * Math.max(1, slots);
  return capacityMs > 0 ? point.primaryBusyMs / capacityMs : 0;
}

/** Equal-width buckets over a shard's hash-key range: records and busy ms that fell in each. */
export interface HashKeyHistogram {
  readonly buckets: readonly { readonly records: number; readonly costMs: number }[];
  /**
   * Sampled records whose partition key hashes outside the shard's range, so in no bucket: their producer set
   * an explicit hash key, which Lambda's event does not carry. Absent when there were none.
   */
  readonly unplaced?: number;
}

/**
 * What a shadow measured since it was created (or since its rate last changed). The worker writes it
 * straight to the metadata store, so it is not subject to CloudWatch's delay.
 */
export interface ShadowStats {
  readonly shadowId: string;
  readonly shardId: string;
  readonly workerId: string;
  readonly rate: number;
  /** Time span the stats cover. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Sampled records processed in dry-run, and the sum and sum of squares of their per-record busy ms. */
  readonly records: number;
  readonly busyMs: number;
  readonly busyMsSquared: number;
  /**
   * The Kinesis records the `records` came in, when a sample said so (KPL aggregates pack several user records
   * in one): the SPM scales the shadow's per-user-record figures to the Kinesis records its load counts.
   */
  readonly kinesisRecords?: number;
  /** Measured load across the shard's hash-key range, for load-balanced split keys. */
  readonly histogram: HashKeyHistogram;
  /**
   * Largest sequence number counted in the stats: a shadow batch adds only records above it, so a batch the
   * dispatcher clones again (an ESM retry) is not counted twice. Absent before the first sample.
   */
  readonly highWaterSequenceNumber?: string;
}
