import type { ShardMetricPoint, WorkerMetricPoint } from '../../core/model/index.js';
import type { Clock, MetricsSource, StreamThrottleSource } from '../../core/ports/index.js';
import { DIMENSIONS, SHARD_POINT_SOURCES, WORKER_POINT_SOURCES, shardPoint, workerPoint, type MetricDefinition } from '../../definitions/metrics.js';
import type { EmfDocument } from './emf-capture.js';

interface Datum {
  readonly atMs: number;
  readonly value: number;
}

export interface LocalMetricsOptions {
  /** Stream name used as the StreamName dimension of the Kinesis shard metrics. */
  readonly streamName: string;
  readonly clock: Clock;
  /** A datum becomes readable this long after its timestamp (CloudWatch's delay), in ms. @default 0 */
  readonly availabilityDelayMs?: number;
  /** Data older than this is dropped, in ms. @default 3600000 (1 h) */
  readonly retentionMs?: number;
}

/**
 * The local stand-in for CloudWatch behind the MetricsSource port: it stores the datapoints of captured EMF
 * documents (and Kinesis-like shard metrics the local runtime records, since kinesis-local emits none) under
 * namespace, name and exact dimension set, and aggregates them per period with the statistic
 * definitions/metrics.ts names, as GetMetricData would. Periods without data are left out, as CloudWatch does.
 */
export class EmfMetricsStore implements MetricsSource, StreamThrottleSource {
  private readonly series = new Map<string, Datum[]>();
  private ingested = 0;

  constructor(private readonly options: LocalMetricsOptions) {}

  /**
   * Adds every metric of an EMF document under each dimension set of each directive that names it, as
   * CloudWatch extracts them: a line with several directives (app/emf-line.ts) lands once per (metric,
   * dimension set), its values read from the one root object.
   */
  ingest(document: EmfDocument): void {
    const atMs = document._aws.Timestamp;
    for (const directive of document._aws.CloudWatchMetrics) {
      for (const set of directive.Dimensions) {
        const dims: Record<string, string> = {};
        for (const name of set) dims[name] = String(document[name]);
        for (const metric of directive.Metrics) {
          const raw = document[metric.Name];
          const values = Array.isArray(raw) ? raw : [raw];
          for (const value of values) if (typeof value === 'number') this.put(directive.Namespace, metric.Name, dims, value, atMs);
        }
      }
    }
    if (++this.ingested % 1000 === 0) this.prune();
  }

  /** Records what Kinesis' shard-level metrics would (IncomingRecords, IncomingBytes, write throttles). */
  recordIncoming(shardId: string, records: number, bytes: number, throttled: number, atMs: number): void {
    const dims = { [DIMENSIONS.streamName]: this.options.streamName, [DIMENSIONS.shardId]: shardId };
    this.put(SHARD_POINT_SOURCES.incomingRecords.namespace, SHARD_POINT_SOURCES.incomingRecords.name, dims, records, atMs);
    this.put(SHARD_POINT_SOURCES.incomingBytes.namespace, SHARD_POINT_SOURCES.incomingBytes.name, dims, bytes, atMs);
    this.put(SHARD_POINT_SOURCES.throttledRecords.namespace, SHARD_POINT_SOURCES.throttledRecords.name, dims, throttled, atMs);
    // Kinesis' stream-level metric of the same name: the SPM's gate before it reads per-shard throttles.
    this.put(SHARD_POINT_SOURCES.throttledRecords.namespace, SHARD_POINT_SOURCES.throttledRecords.name, { [DIMENSIONS.streamName]: this.options.streamName }, throttled, atMs);
  }

  async streamThrottledRecords(fromMs: number, toMs: number): Promise<number> {
    const column = this.aggregate(SHARD_POINT_SOURCES.throttledRecords, { [DIMENSIONS.streamName]: this.options.streamName }, fromMs, toMs, Math.max(1, toMs - fromMs));
    return [...column.values()].reduce((sum, v) => sum + v, 0);
  }

  put(namespace: string, name: string, dims: Readonly<Record<string, string>>, value: number, atMs: number): void {
    const key = seriesKey(namespace, name, dims);
    const list = this.series.get(key) ?? [];
    list.push({ atMs, value });
    this.series.set(key, list);
  }

  async shardMetrics(shardIds: readonly string[], fromMs: number, toMs: number, periodMs: number): Promise<Record<string, ShardMetricPoint[]>> {
    const out: Record<string, ShardMetricPoint[]> = {};
    for (const shardId of shardIds) {
      const dims = (m: MetricDefinition): Record<string, string> => (m.namespace === SHARD_POINT_SOURCES.incomingRecords.namespace ? { [DIMENSIONS.streamName]: this.options.streamName, [DIMENSIONS.shardId]: shardId } : { [DIMENSIONS.shardId]: shardId });
      const read = (m: MetricDefinition) => this.aggregate(m, dims(m), fromMs, toMs, periodMs);
      const s = SHARD_POINT_SOURCES;
      const columns = { incomingRecords: read(s.incomingRecords), incomingBytes: read(s.incomingBytes), throttledRecords: read(s.throttledRecords), processedRecords: read(s.processedRecords), busyMs: read(s.busyMs), iteratorAgeMsMax: read(s.iteratorAgeMsMax) };
      out[shardId] = periodsOf(Object.values(columns)).map((atMs) => shardPoint(atMs, periodMs, valuesAt(columns, atMs)));
    }
    return out;
  }

  async workerMetrics(workerIds: readonly string[], fromMs: number, toMs: number, periodMs: number): Promise<Record<string, WorkerMetricPoint[]>> {
    const out: Record<string, WorkerMetricPoint[]> = {};
    for (const workerId of workerIds) {
      const read = (m: MetricDefinition) => this.aggregate(m, { [DIMENSIONS.workerId]: workerId }, fromMs, toMs, periodMs);
      const w = WORKER_POINT_SOURCES;
      const columns = { primaryBusyMs: read(w.primaryBusyMs), shadowBusyMs: read(w.shadowBusyMs), invocations: read(w.invocations), errors: read(w.errors) };
      out[workerId] = periodsOf(Object.values(columns)).map((atMs) => workerPoint(atMs, periodMs, valuesAt(columns, atMs)));
    }
    return out;
  }

  /** Sum or Maximum per period start (aligned to multiples of `periodMs`), for readable data in [from, to). */
  private aggregate(metric: MetricDefinition, dims: Readonly<Record<string, string>>, fromMs: number, toMs: number, periodMs: number): Map<number, number> {
    const visibleTo = Math.min(toMs, this.options.clock.nowMs() - (this.options.availabilityDelayMs ?? 0));
    const out = new Map<number, number>();
    for (const d of this.series.get(seriesKey(metric.namespace, metric.name, dims)) ?? []) {
      if (d.atMs < fromMs || d.atMs >= visibleTo) continue;
      const start = Math.floor(d.atMs / periodMs) * periodMs;
      const before = out.get(start);
      out.set(start, before === undefined ? d.value : metric.stat === 'Maximum' ? Math.max(before, d.value) : before + d.value);
    }
    return out;
  }

  private prune(): void {
    const cutoff = this.options.clock.nowMs() - (this.options.retentionMs ?? 3_600_000);
    for (const [key, list] of this.series) this.series.set(key, list.filter((d) => d.atMs >= cutoff));
  }
}

function seriesKey(namespace: string, name: string, dims: Readonly<Record<string, string>>): string {
  const dimKey = Object.keys(dims)
    .sort()
    .map((k) => `${k}=${dims[k]}`)
    .join(',');
  return `${namespace}|${name}|${dimKey}`;
}

/** Each field's value in the period starting at `atMs` (absent where the field has no datum there). */
function valuesAt<F extends string>(columns: Record<F, Map<number, number>>, atMs: number): Partial<Record<F, number>> {
  return Object.fromEntries(Object.entries<Map<number, number>>(columns).map(([field, column]) => [field, column.get(atMs)])) as Partial<Record<F, number>>;
}

function periodsOf(columns: readonly Map<number, number>[]): number[] {
  return [...new Set(columns.flatMap((c) => [...c.keys()]))].sort((a, b) => a - b);
}
