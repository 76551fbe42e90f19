import type { ShardMetricField, ShardMetricPoint, WorkerMetricField, WorkerMetricPoint } from '../model/metrics.js';

/**
 * Reads the metric points the SPM decides on. On AWS: CloudWatch GetMetricData; locally: captured EMF.
 * `fields` limits what is read (a field not read is 0 in the points). @default every field
 */
export interface MetricsSource {
  shardMetrics(shardIds: readonly string[], fromMs: number, toMs: number, periodMs: number, fields?: readonly ShardMetricField[]): Promise<Record<string, ShardMetricPoint[]>>;
  workerMetrics(workerIds: readonly string[], fromMs: number, toMs: number, periodMs: number, fields?: readonly WorkerMetricField[]): Promise<Record<string, WorkerMetricPoint[]>>;
}

/**
 * Records producers had rejected by the write limit on the whole stream in a window (Kinesis' stream-level
 * WriteProvisionedThroughputExceeded: a basic metric, one GetMetricData metric per read). Zero means no
 * shard throttled, so per-shard throttles need not be read.
 */
export interface StreamThrottleSource {
  streamThrottledRecords(fromMs: number, toMs: number): Promise<number>;
}
