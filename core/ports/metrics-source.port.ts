import type { ShardMetricPoint, WorkerMetricPoint } from '../model/metrics.js';

/** Reads the metric points the SPM decides on. On AWS: CloudWatch GetMetricData; locally: captured EMF. */
export interface MetricsSource {
  shardMetrics(shardIds: readonly string[], fromMs: number, toMs: number, periodMs: number): Promise<Record<string, ShardMetricPoint[]>>;
  workerMetrics(workerIds: readonly string[], fromMs: number, toMs: number, periodMs: number): Promise<Record<string, WorkerMetricPoint[]>>;
}
