import { parseConfig } from '../../../core/config/index.js';
import type { ForeshadowConfig, ForeshadowConfigInput } from '../../../core/config/index.js';
import type { ClusterView } from '../../../core/model/cluster-view.js';
import { evenRanges } from '../../../core/model/hash-key.js';
import type { HashKeyHistogram, ShadowStats, ShardMetricPoint } from '../../../core/model/metrics.js';
import type { PartitionMetadata } from '../../../core/model/partition.js';
import type { ShadowPartition } from '../../../core/model/shadow.js';
import { shadowIdFor } from '../../../core/model/shadow.js';
import type { WorkerNodeMetadata } from '../../../core/model/worker.js';

export const PERIOD_MS = 60_000;
export const NOW_MS = 3_600_000;

export function config(input: ForeshadowConfigInput = {}): ForeshadowConfig {
  return parseConfig(input);
}

export function worker(workerId: string, overrides: Partial<WorkerNodeMetadata> = {}): WorkerNodeMetadata {
  return { workerId, workerClass: 'medium', speed: 1, memoryMb: 1024, slots: 4, utilization: 0, predictedCapacity: 3, ...overrides };
}

export function partition(shardId: string, ownerWorkerId: string, overrides: Partial<PartitionMetadata> = {}): PartitionMetadata {
  const index = Number(shardId.replace(/\D/g, '')) || 0;
  return {
    shardId,
    hashKeyRange: evenRanges(16)[index % 16]!,
    parentShardIds: [],
    state: 'OPEN',
    ownerWorkerId,
    epoch: 3,
    ingestRecordsPerSec: 0,
    ingestBytesPerSec: 0,
    utilization: 0,
    utilizationTrendPerSec: 0,
    ...overrides,
  };
}

/**
 * Metric points for one shard, one per period ending `delayMs` before `nowMs` (CloudWatch lag), oldest
 * first: utilization u_i at `recordsPerSec`, every accepted record processed.
 */
export function metrics(utilizations: readonly number[], recordsPerSec = 500, opts: { nowMs?: number; delayMs?: number; bytesPerRecord?: number; throttledPerSec?: number } = {}): ShardMetricPoint[] {
  const nowMs = opts.nowMs ?? NOW_MS;
  const lastEnd = nowMs - (opts.delayMs ?? 2 * PERIOD_MS);
  return utilizations.map((u, i) => {
    const atMs = lastEnd - (utilizations.length - i) * PERIOD_MS;
    const records = (recordsPerSec * PERIOD_MS) / 1000;
    return {
      atMs,
      periodMs: PERIOD_MS,
      incomingRecords: records,
      incomingBytes: records * (opts.bytesPerRecord ?? 100),
      throttledRecords: ((opts.throttledPerSec ?? 0) * PERIOD_MS) / 1000,
      processedRecords: records,
      busyMs: u * PERIOD_MS,
      iteratorAgeMsMax: 0,
    };
  });
}

export const flat = (u: number, n = 6): number[] => Array.from({ length: n }, () => u);

export function shadow(shardId: string, workerId: string, overrides: Partial<ShadowPartition> = {}): ShadowPartition {
  return { shadowId: shadowIdFor(shardId, workerId), shardId, workerId, kind: 'forward', rate: 0.05, createdAtMs: NOW_MS - 120_000, ...overrides };
}

export function uniformHistogram(buckets = 32, costPerBucket = 10): HashKeyHistogram {
  return { buckets: Array.from({ length: buckets }, () => ({ records: 10, costMs: costPerBucket })) };
}

/**
 * What a shadow measured: `records` sampled records of mean cost `meanCostMs` with coefficient of
 * variation `cv`, over `spanMs` up to now.
 */
export function stats(s: ShadowPartition, records: number, meanCostMs: number, opts: { cv?: number; spanMs?: number; histogram?: HashKeyHistogram; nowMs?: number } = {}): ShadowStats {
  const cv = opts.cv ?? 0.5;
  const sd = cv * meanCostMs;
  const sum = records * meanCostMs;
  const sumSq = records > 0 ? (records - 1) * sd * sd + (sum * sum) / records : 0;
  const toMs = opts.nowMs ?? NOW_MS;
  return {
    shadowId: s.shadowId,
    shardId: s.shardId,
    workerId: s.workerId,
    rate: s.rate,
    fromMs: toMs - (opts.spanMs ?? 60_000),
    toMs,
    records,
    busyMs: sum,
    busyMsSquared: sumSq,
    histogram: opts.histogram ?? uniformHistogram(),
  };
}

export function view(overrides: Partial<ClusterView> = {}): ClusterView {
  return {
    nowMs: NOW_MS,
    streamStatus: 'ACTIVE',
    partitions: [],
    workers: [],
    shadows: [],
    shadowStats: [],
    shardMetrics: {},
    workerMetrics: {},
    shardLimits: { recordsPerSec: 1000, bytesPerSec: 1_048_576 },
    ...overrides,
  };
}

/** JSON with bigints as strings, to compare decisions byte for byte. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v.toString()}n` : v));
}
