import type { ShardMetricPoint, WorkerMetricPoint } from '../core/model/metrics.js';
import { METRIC_NAMESPACE } from './resources.js';

/**
 * THE contract for metric names and dimensions between the emitters (dispatcher and worker handlers, EMF
 * through Powertools Metrics; the local EMF store) and the readers (the CloudWatch `MetricsSource`, the
 * local metrics store). Pure data: change a name here and both sides follow.
 *
 * Cost reasoning. CloudWatch charges per distinct metric (name + namespace + dimension values) per month,
 * and GetMetricData per metric queried. Each per-shard metric therefore costs `shards` metrics, each
 * per-worker metric `workers` metrics. The SPM reads each shard's load (incoming records and bytes, the
 * owner's processed records and busy time) from the metadata table, where the dispatcher adds it per minute
 * (app/dispatch/load-recorder.ts): fresher than CloudWatch and billed per read request, not per metric. What
 * it still reads from CloudWatch is what only Kinesis knows, write throttles, and per shard only when the
 * stream-level count (a basic metric) is not zero. So:
 *   per shard:   PrimaryRecords, PrimaryBusyMs, IteratorAgeMs                 (3 × shards: the dashboard,
 *                not the SPM)
 *   per worker:  PrimaryBusyMs, ShadowBusyMs, ShadowRecords, Batches, WorkerErrors (5 × workers),
 *                and ShadowErrors, which exists (and is billed) only once a shadow has failed a record
 *   Kinesis shard-level (opt-in, billed the same way): WriteProvisionedThroughputExceeded (1 × shards)
 * There is no Mode dimension (the mode is in the
 * metric name) and no ShardId×WorkerId combination, which would multiply rather than add. Shadow records per
 * shard are not metrics at all: the worker adds them to the shadow's stats in DynamoDB (no CloudWatch
 * delay, no per-shadow metric). IteratorAgeMs comes from the dispatcher (the age of the newest record of each
 * batch it routes, holds included) rather than Kinesis' IteratorAgeMilliseconds, which is not enabled by
 * default: the same per-shard cost, and it also exists in the local runtime, where kinesis-local emits no
 * metrics.
 */
/** The same namespace as definitions/resources.ts (one source of truth). */
export const METRICS_NAMESPACE = METRIC_NAMESPACE;
export const KINESIS_NAMESPACE = 'AWS/Kinesis';

export const DIMENSIONS = {
  shardId: 'ShardId',
  workerId: 'WorkerId',
  streamName: 'StreamName',
} as const;
export type DimensionName = (typeof DIMENSIONS)[keyof typeof DIMENSIONS];

/** CloudWatch units used here (a subset of CloudWatch's StandardUnit; Powertools' MetricUnit has the same strings). */
export type MetricUnitName = 'Count' | 'Milliseconds' | 'Bytes';
/** The statistic the reader asks CloudWatch for. */
export type MetricStat = 'Sum' | 'Maximum';

export interface MetricDefinition {
  readonly name: string;
  readonly namespace: string;
  readonly unit: MetricUnitName;
  /**
   * Every dimension set the metric is published under. In EMF one directive carries one list of dimension
   * sets for all its metrics, so an emitter groups metrics with the same `dimensionSets` into one directive
   * and sets each dimension as a top-level property of the line.
   */
  readonly dimensionSets: readonly (readonly DimensionName[])[];
  readonly stat: MetricStat;
  readonly emittedBy: 'dispatcher' | 'worker' | 'kinesis';
}

const SHARD = [DIMENSIONS.shardId] as const;
const WORKER = [DIMENSIONS.workerId] as const;
const KINESIS_SHARD = [DIMENSIONS.streamName, DIMENSIONS.shardId] as const;

/** Metrics Foreshadow emits (namespace `Foreshadow`). */
export const FORESHADOW_METRICS = {
  /** Records the owner processed in primary mode. Per shard: the shard's processed rate; summed per worker elsewhere. */
  primaryRecords: { name: 'PrimaryRecords', namespace: METRICS_NAMESPACE, unit: 'Count', dimensionSets: [SHARD], stat: 'Sum', emittedBy: 'worker' },
  /** Busy ms of primary work. Per shard: utilization = Sum / period ms. Per worker: its slots' load. */
  primaryBusyMs: { name: 'PrimaryBusyMs', namespace: METRICS_NAMESPACE, unit: 'Milliseconds', dimensionSets: [SHARD, WORKER], stat: 'Sum', emittedBy: 'worker' },
  /** Busy ms of shadow (dry-run) work on a worker: the shadow overhead. */
  shadowBusyMs: { name: 'ShadowBusyMs', namespace: METRICS_NAMESPACE, unit: 'Milliseconds', dimensionSets: [WORKER], stat: 'Sum', emittedBy: 'worker' },
  /** Sampled records a worker processed in shadow mode. */
  shadowRecords: { name: 'ShadowRecords', namespace: METRICS_NAMESPACE, unit: 'Count', dimensionSets: [WORKER], stat: 'Sum', emittedBy: 'worker' },
  /** Batches (invocations) a worker handled, primary and shadow. */
  batches: { name: 'Batches', namespace: METRICS_NAMESPACE, unit: 'Count', dimensionSets: [WORKER], stat: 'Sum', emittedBy: 'worker' },
  /** Records a worker failed to process as their owner (returned as batch item failures). Shadow failures are not counted here. */
  workerErrors: { name: 'WorkerErrors', namespace: METRICS_NAMESPACE, unit: 'Count', dimensionSets: [WORKER], stat: 'Sum', emittedBy: 'worker' },
  /**
   * Sampled records a class's shadow function failed to process in dry run: a lost sample, never an owner's
   * failure, so kept out of WorkerErrors and its alarm. Emitted only when there are some.
   */
  shadowErrors: { name: 'ShadowErrors', namespace: METRICS_NAMESPACE, unit: 'Count', dimensionSets: [WORKER], stat: 'Sum', emittedBy: 'worker' },
  /** Age of the newest record of a batch when the dispatcher routes it (now − approximate arrival), in ms. */
  iteratorAgeMs: { name: 'IteratorAgeMs', namespace: METRICS_NAMESPACE, unit: 'Milliseconds', dimensionSets: [SHARD], stat: 'Maximum', emittedBy: 'dispatcher' },
  /** Invocations a shard's batch went out as (burst lanes; 1 = its owner alone). */
  burstLanes: { name: 'BurstLanes', namespace: METRICS_NAMESPACE, unit: 'Count', dimensionSets: [SHARD], stat: 'Maximum', emittedBy: 'dispatcher' },
} as const satisfies Record<string, MetricDefinition>;

/**
 * Kinesis shard-level metrics (enhanced monitoring, opt-in per metric, 1-minute period). `enabled` ones are
 * those the CDK app turns on and the SPM reads; IteratorAgeMilliseconds is listed for dashboards only.
 */
export const KINESIS_SHARD_METRICS = {
  incomingRecords: { name: 'IncomingRecords', namespace: KINESIS_NAMESPACE, unit: 'Count', dimensionSets: [KINESIS_SHARD], stat: 'Sum', emittedBy: 'kinesis' },
  incomingBytes: { name: 'IncomingBytes', namespace: KINESIS_NAMESPACE, unit: 'Bytes', dimensionSets: [KINESIS_SHARD], stat: 'Sum', emittedBy: 'kinesis' },
  /** Records rejected by the shard's write limit. */
  writeThrottled: { name: 'WriteProvisionedThroughputExceeded', namespace: KINESIS_NAMESPACE, unit: 'Count', dimensionSets: [KINESIS_SHARD], stat: 'Sum', emittedBy: 'kinesis' },
  iteratorAge: { name: 'IteratorAgeMilliseconds', namespace: KINESIS_NAMESPACE, unit: 'Milliseconds', dimensionSets: [KINESIS_SHARD], stat: 'Maximum', emittedBy: 'kinesis' },
} as const satisfies Record<string, MetricDefinition>;

/** The shard-level metric names to pass to `EnableEnhancedMonitoring` / the stream's `shardLevelMetrics`. */
export const ENABLED_KINESIS_SHARD_METRICS = [KINESIS_SHARD_METRICS.writeThrottled.name] as const;

/** Which metric fills which field of `ShardMetricPoint` / `WorkerMetricPoint` (core/model/metrics.ts). */
export const SHARD_POINT_SOURCES = {
  incomingRecords: KINESIS_SHARD_METRICS.incomingRecords,
  incomingBytes: KINESIS_SHARD_METRICS.incomingBytes,
  throttledRecords: KINESIS_SHARD_METRICS.writeThrottled,
  processedRecords: FORESHADOW_METRICS.primaryRecords,
  busyMs: FORESHADOW_METRICS.primaryBusyMs,
  iteratorAgeMsMax: FORESHADOW_METRICS.iteratorAgeMs,
} as const;

export const WORKER_POINT_SOURCES = {
  primaryBusyMs: FORESHADOW_METRICS.primaryBusyMs,
  shadowBusyMs: FORESHADOW_METRICS.shadowBusyMs,
  invocations: FORESHADOW_METRICS.batches,
  errors: FORESHADOW_METRICS.workerErrors,
} as const;

export type ShardPointField = keyof typeof SHARD_POINT_SOURCES;
export type WorkerPointField = keyof typeof WORKER_POINT_SOURCES;

/** A shard's point from the values read for each field; a field with no datapoint in the period is 0. */
export function shardPoint(atMs: number, periodMs: number, f: Partial<Record<ShardPointField, number>>): ShardMetricPoint {
  return {
    atMs,
    periodMs,
    incomingRecords: f.incomingRecords ?? 0,
    incomingBytes: f.incomingBytes ?? 0,
    throttledRecords: f.throttledRecords ?? 0,
    processedRecords: f.processedRecords ?? 0,
    busyMs: f.busyMs ?? 0,
    iteratorAgeMsMax: f.iteratorAgeMsMax ?? 0,
  };
}

/** A worker's point from the values read for each field; a field with no datapoint in the period is 0. */
export function workerPoint(atMs: number, periodMs: number, f: Partial<Record<WorkerPointField, number>>): WorkerMetricPoint {
  return { atMs, periodMs, primaryBusyMs: f.primaryBusyMs ?? 0, shadowBusyMs: f.shadowBusyMs ?? 0, invocations: f.invocations ?? 0, errors: f.errors ?? 0 };
}

/** Smallest period the metrics are published at (standard resolution), in ms. */
export const METRIC_PERIOD_MIN_MS = 60_000;

/** A metric the SPM function emits once per tick, with no dimension (one series each, whatever the shard count). */
export interface SpmMetricDefinition {
  readonly name: string;
  readonly namespace: string;
  /** `None` for fractions (utilization, replication rate, prediction error). */
  readonly unit: MetricUnitName | 'None';
  readonly stat: MetricStat | 'Average';
  readonly emittedBy: 'spm';
}

/**
 * What the SPM reports about its own decisions, for the dashboard and alarms the CDK app builds (infra/).
 * Dimensionless, so they cost 8 metrics in all. Utilizations and rates are fractions (0.05 = 5 %).
 */
export const SPM_METRICS = {
  /** Shadows alive after the tick. */
  liveShadows: { name: 'LiveShadows', namespace: METRICS_NAMESPACE, unit: 'Count', stat: 'Maximum', emittedBy: 'spm' },
  /** Mean replication rate r of the live shadows (not emitted when there are none). */
  shadowReplicationRate: { name: 'ShadowReplicationRate', namespace: METRICS_NAMESPACE, unit: 'None', stat: 'Average', emittedBy: 'spm' },
  /** Ownership moves (promotions) applied in the tick. */
  moves: { name: 'Moves', namespace: METRICS_NAMESPACE, unit: 'Count', stat: 'Sum', emittedBy: 'spm' },
  /** Shard splits applied in the tick. */
  splits: { name: 'Splits', namespace: METRICS_NAMESPACE, unit: 'Count', stat: 'Sum', emittedBy: 'spm' },
  /** For each move whose outcome was evaluated in the tick: the shadow's predicted utilization of the shard on its new owner. */
  predictedUtilization: { name: 'PredictedUtilization', namespace: METRICS_NAMESPACE, unit: 'None', stat: 'Average', emittedBy: 'spm' },
  /** ... and the utilization observed there afterwards. */
  observedUtilization: { name: 'ObservedUtilization', namespace: METRICS_NAMESPACE, unit: 'None', stat: 'Average', emittedBy: 'spm' },
  /** ... and |observed − predicted| / observed, as a fraction (its Average over a period is the MAPE). */
  predictionError: { name: 'PredictionError', namespace: METRICS_NAMESPACE, unit: 'None', stat: 'Average', emittedBy: 'spm' },
  /** Wall time of load → decide → apply. */
  tickDurationMs: { name: 'TickDurationMs', namespace: METRICS_NAMESPACE, unit: 'Milliseconds', stat: 'Maximum', emittedBy: 'spm' },
} as const satisfies Record<string, SpmMetricDefinition>;
