import type { ShardMetricField, ShardMetricPoint, WorkerMetricField, WorkerMetricPoint } from '../model/metrics.js';

/**
 * Reads the metric points the SPM decides on. On AWS: CloudWatch GetMetricData; locally: captured EMF.
 * `fields` limits what is read (a field not read is 0 in the points). @default every field
 */
export interface MetricsSource {
  shardMetrics(shardIds: readonly string[], fromMs: number, toMs: number, periodMs: number, fields?: readonly ShardMetricField[]): Promise<Record<string, ShardMetricPoint[]>>;
  workerMetrics(workerIds: readonly string[], fromMs: number, toMs: number, periodMs: number, fields?: readonly WorkerMetricField[]): Promise<Record<string, WorkerMetricPoint[]>>;
}
