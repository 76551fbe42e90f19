import { estimateArrivals } from '../../core/forecast/arrivals.js';
import type { ShardMetricField, ShardMetricPoint } from '../../core/model/metrics.js';
import type { MetricsSource, ShardLoadPoint, ShardLoadStore, StreamThrottleSource } from '../../core/ports/index.js';
import { LOAD_PERIOD_MS } from '../../core/ports/index.js';
import { shardPoint } from '../../definitions/metrics.js';

export interface ShardLoadMetricsOptions {
  readonly load: Pick<ShardLoadStore, 'listShardLoad'>;
  /** CloudWatch (locally its stand-in): worker metrics, and per-shard write throttles when the stream had any. */
  readonly cloudwatch: MetricsSource;
  /** The stream-level throttle count that gates the per-shard read; without it per-shard throttles are always read. */
  readonly throttles?: StreamThrottleSource;
  readonly now: () => number;
  /** A load period is read once it ended this long ago (the dispatchers' writes of it have landed), in ms. @default 15000 */
  readonly availabilityDelayMs?: number;
  /** Length of a load period, as the dispatcher's recorder writes them, in ms. @default 60000 */
  readonly loadPeriodMs?: number;
}

/** The fields the load table holds; `iteratorAgeMsMax` is only on CloudWatch (the dashboard) and is 0 here. */
const TABLE_FIELDS: readonly ShardMetricField[] = ['incomingRecords', 'incomingBytes', 'processedRecords', 'busyMs'];

/**
 * The SPM's `metadata-table` data path behind the MetricsSource port: each shard's incoming, processed and
 * busy counts come from the load the dispatchers write to the metadata table (app/dispatch/load-recorder.ts),
 * one Query per load period for every shard, ~15 s after the period instead of CloudWatch's ~2 min, and
 * billed per read request rather than per metric. Write throttles, which only Kinesis sees, still come from
 * CloudWatch, and per shard only when the stream-level count says some shard throttled in the window.
 * Incoming is what arrived as the records' ages estimate it from what was read (core/forecast/arrivals.ts).
 * Only complete periods are returned (a period still being written would read low; see completePeriodsOnly).
 * Periods longer than a load period are sums of whole load periods.
 */
export function shardLoadMetrics(options: ShardLoadMetricsOptions): MetricsSource {
  const loadPeriodMs = options.loadPeriodMs ?? LOAD_PERIOD_MS;
  const delayMs = options.availabilityDelayMs ?? 15_000;

  async function tablePoints(shardIds: readonly string[], fromMs: number, toMs: number, periodMs: number): Promise<Map<string, Map<number, ShardLoadPoint[]>>> {
    const visibleTo = Math.min(toMs, options.now() - delayMs);
    const startMs = Math.floor(fromMs / periodMs) * periodMs;
    const periods: number[] = [];
    for (let at = startMs; at + periodMs <= visibleTo; at += periodMs) periods.push(at);
    const loadStarts = periods.flatMap((at) => Array.from({ length: periodMs / loadPeriodMs }, (_, k) => at + k * loadPeriodMs));
    const wanted = new Set(shardIds);
    const byShard = new Map<string, Map<number, ShardLoadPoint[]>>();
    const answers = await Promise.all(loadStarts.map((at) => options.load.listShardLoad(at)));
    for (const point of answers.flat()) {
      if (!wanted.has(point.shardId)) continue;
      const periodAt = Math.floor(point.atMs / periodMs) * periodMs;
      const shard = byShard.get(point.shardId) ?? new Map<number, ShardLoadPoint[]>();
      shard.set(periodAt, [...(shard.get(periodAt) ?? []), point]);
      byShard.set(point.shardId, shard);
    }
    return byShard;
  }

  return {
    async shardMetrics(shardIds, fromMs, toMs, periodMs, fields) {
      if (!Number.isInteger(periodMs) || periodMs < loadPeriodMs || periodMs % loadPeriodMs !== 0) {
        throw new RangeError(`periodMs ${periodMs} is not allowed: a multiple of the load period (${loadPeriodMs} ms)`);
      }
      const wantsThrottles = fields === undefined || fields.includes('throttledRecords');
      const readThrottles = wantsThrottles && (options.throttles === undefined || (await options.throttles.streamThrottledRecords(fromMs, toMs)) > 0);
      const [table, throttled] = await Promise.all([
        fields === undefined || fields.some((f) => TABLE_FIELDS.includes(f)) ? tablePoints(shardIds, fromMs, toMs, periodMs) : Promise.resolve(new Map<string, Map<number, ShardLoadPoint[]>>()),
        readThrottles ? options.cloudwatch.shardMetrics(shardIds, fromMs, toMs, periodMs, ['throttledRecords']) : Promise.resolve({} as Record<string, ShardMetricPoint[]>),
      ]);
      const out: Record<string, ShardMetricPoint[]> = {};
      for (const shardId of new Set(shardIds)) {
        const throttles = new Map((throttled[shardId] ?? []).map((p) => [p.atMs, p.throttledRecords]));
        const loads = table.get(shardId) ?? new Map<number, ShardLoadPoint[]>();
        const starts = [...new Set([...loads.keys(), ...throttles.keys()])].sort((a, b) => a - b);
        const read = starts.map((atMs) => {
          const parts = loads.get(atMs) ?? [];
          const sum = (f: 'incomingRecords' | 'incomingBytes' | 'processedRecords' | 'busyMs' | 'ageMsSum') => parts.reduce((s, p) => s + p[f], 0);
          return { atMs, periodMs, incomingRecords: sum('incomingRecords'), incomingBytes: sum('incomingBytes'), processedRecords: sum('processedRecords'), busyMs: sum('busyMs'), ageMsSum: sum('ageMsSum') };
        });
        // Records read cap at what the owner can take: the ages give what arrived (core/forecast/arrivals.ts).
        out[shardId] = estimateArrivals(read).map((p) =>
          shardPoint(p.atMs, periodMs, {
            incomingRecords: p.incomingRecords,
            incomingBytes: p.incomingBytes,
            processedRecords: p.processedRecords,
            busyMs: p.busyMs,
            throttledRecords: throttles.get(p.atMs) ?? 0,
          }),
        );
      }
      return out;
    },
    workerMetrics: (ids, fromMs, toMs, periodMs, fields) => options.cloudwatch.workerMetrics(ids, fromMs, toMs, periodMs, fields),
  };
}
