import type { ShardMetricField, ShardMetricPoint, WorkerMetricField, WorkerMetricPoint } from '../../core/model/metrics.js';
import type { MetricsSource, StreamThrottleSource } from '../../core/ports/metrics-source.port.js';
import { SHARD_POINT_SOURCES, WORKER_POINT_SOURCES } from '../../definitions/metrics.js';
import { MAX_QUERIES_PER_CALL, only } from '../aws/metrics-source.cloudwatch.js';
import { meterFor, type Meter } from './meter.js';

/**
 * A MetricsSource decorator that counts the GetMetricData calls and metrics the CloudWatch adapter would
 * make for each read (adapters/aws/metrics-source.cloudwatch.ts: one query per entity and field, at most 500
 * per call), for a source that is not CloudWatch: the local runtime's EMF store. On AWS the SDK middleware
 * counts the real calls; do not wrap the CloudWatch source too, or they count twice. The resource says
 * which read it was (`shards` or `workers`), so the per-shard and per-worker parts stay apart.
 */
export class MeteredMetricsSource implements MetricsSource {
  constructor(
    private readonly inner: MetricsSource,
    /** Where reads made outside any invocation's scope are counted. */
    private readonly fallback: Meter,
  ) {}

  shardMetrics(shardIds: readonly string[], fromMs: number, toMs: number, periodMs: number, fields?: readonly ShardMetricField[]): Promise<Record<string, ShardMetricPoint[]>> {
    this.count('shards', new Set(shardIds).size * Object.keys(only(SHARD_POINT_SOURCES, fields)).length);
    return this.inner.shardMetrics(shardIds, fromMs, toMs, periodMs, fields);
  }

  workerMetrics(workerIds: readonly string[], fromMs: number, toMs: number, periodMs: number, fields?: readonly WorkerMetricField[]): Promise<Record<string, WorkerMetricPoint[]>> {
    this.count('workers', new Set(workerIds).size * Object.keys(only(WORKER_POINT_SOURCES, fields)).length);
    return this.inner.workerMetrics(workerIds, fromMs, toMs, periodMs, fields);
  }

  /** A StreamThrottleSource counted as the one metric the CloudWatch adapter reads for it. */
  throttleGate(inner: StreamThrottleSource): StreamThrottleSource {
    return {
      streamThrottledRecords: (fromMs, toMs) => {
        this.count('stream', 1);
        return inner.streamThrottledRecords(fromMs, toMs);
      },
    };
  }

  private count(resource: 'shards' | 'workers' | 'stream', metrics: number): void {
    const { meter, path } = meterFor(this.fallback);
    for (let left = metrics; left > 0; left -= MAX_QUERIES_PER_CALL) {
      meter.recordCall(path, { service: 'CloudWatch', operation: 'GetMetricData', resource, metricsRequested: Math.min(left, MAX_QUERIES_PER_CALL) });
    }
  }
}
