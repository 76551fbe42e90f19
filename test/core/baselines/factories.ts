import { parseConfig, type ForeshadowConfig } from '../../../core/config/index.js';
import type { ClusterView } from '../../../core/model/cluster-view.js';
import { evenRanges } from '../../../core/model/hash-key.js';
import type { ShardMetricPoint, WorkerMetricPoint } from '../../../core/model/metrics.js';
import type { PartitionMetadata } from '../../../core/model/partition.js';
import type { WorkerNodeMetadata } from '../../../core/model/worker.js';
import type { Decision } from '../../../core/model/decision.js';
import type { Policy } from '../../../core/policies/policy.js';

/** Fixture factories for baseline tests: small, explicit, and with every default visible here. */

export const MIB = 1024 * 1024;

export function worker(workerId: string, overrides: Partial<WorkerNodeMetadata> = {}): WorkerNodeMetadata {
  return { workerId, workerClass: 'medium', speed: 1, memoryMb: 1024, slots: 4, utilization: 0, predictedCapacity: 1, ...overrides };
}

export function partition(shardId: string, ownerWorkerId: string, overrides: Partial<PartitionMetadata> = {}): PartitionMetadata {
  const range = evenRanges(1)[0]!;
  return {
    shardId,
    hashKeyRange: range,
    parentShardIds: [],
    state: 'OPEN',
    ownerWorkerId,
    epoch: 1,
    ingestRecordsPerSec: 0,
    ingestBytesPerSec: 0,
    utilization: 0,
    utilizationTrendPerSec: 0,
    ...overrides,
  };
}

export function shardPoint(overrides: Partial<ShardMetricPoint> = {}): ShardMetricPoint {
  return {
    atMs: 0,
    periodMs: 1000,
    incomingRecords: 0,
    incomingBytes: 0,
    throttledRecords: 0,
    processedRecords: 0,
    busyMs: 0,
    iteratorAgeMsMax: 0,
    ...overrides,
  };
}

/** A shard point that read `recordsPerSec` records of `recordBytes` each, keeping its owner busy `utilization` of a slot. */
export function readPoint(atMs: number, recordsPerSec: number, utilization = 0, recordBytes = 1000, periodMs = 1000): ShardMetricPoint {
  const records = (recordsPerSec * periodMs) / 1000;
  return shardPoint({ atMs, periodMs, incomingRecords: records, incomingBytes: records * recordBytes, processedRecords: records, busyMs: utilization * periodMs });
}

/** A worker point whose slots were busy `utilization` of the period in total. */
export function busyPoint(atMs: number, utilization: number, slots = 4, periodMs = 1000): WorkerMetricPoint {
  return { atMs, periodMs, primaryBusyMs: utilization * slots * periodMs, shadowBusyMs: 0, invocations: 1, errors: 0 };
}

export function clusterView(overrides: Partial<ClusterView> = {}): ClusterView {
  return {
    nowMs: 0,
    streamStatus: 'ACTIVE',
    partitions: [],
    workers: [],
    shadows: [],
    shadowStats: [],
    shardMetrics: {},
    workerMetrics: {},
    shardLimits: { recordsPerSec: 1000, bytesPerSec: MIB },
    ...overrides,
  };
}

/** The full configuration at its defaults, with baseline overrides. */
export function configWith(input: Record<string, unknown> = {}): ForeshadowConfig {
  return parseConfig(input);
}

/** Runs `policy` over the views in order, threading its state; returns every decision. */
export function runTicks<S>(policy: Policy<S>, views: readonly ClusterView[], config: ForeshadowConfig, state = policy.initialState()): Decision<S>[] {
  const decisions: Decision<S>[] = [];
  let s = state;
  for (const view of views) {
    const d = policy.decide(view, config, s);
    decisions.push(d);
    s = d.nextState;
  }
  return decisions;
}

/** JSON that tolerates bigint (hash keys), for byte-for-byte comparisons. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
