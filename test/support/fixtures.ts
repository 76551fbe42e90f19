import type { PartitionMetadata } from '../../core/model/partition.js';
import type { ShadowPartition } from '../../core/model/shadow.js';
import type { WorkerNodeMetadata } from '../../core/model/worker.js';
import type { AuditEntry, ShadowSample } from '../../core/ports/metadata-store.port.js';
import type { WireRecord, WorkerRequest } from '../../core/ports/worker-invoker.port.js';

/** Factories for model fixtures: valid defaults, override what the test is about. */
export function aPartition(overrides: Partial<PartitionMetadata> = {}): PartitionMetadata {
  return {
    shardId: 'shardId-000000000000',
    hashKeyRange: { start: 0n, end: (1n << 128n) - 1n },
    parentShardIds: [],
    state: 'OPEN',
    ownerWorkerId: 'small-1',
    epoch: 0,
    ingestRecordsPerSec: 0,
    ingestBytesPerSec: 0,
    utilization: 0,
    utilizationTrendPerSec: 0,
    ...overrides,
  };
}

export function aWorker(overrides: Partial<WorkerNodeMetadata> = {}): WorkerNodeMetadata {
  return { workerId: 'small-1', workerClass: 'small', speed: 1, memoryMb: 512, slots: 4, utilization: 0.2, predictedCapacity: 2.5, ...overrides };
}

export function aShadow(overrides: Partial<ShadowPartition> = {}): ShadowPartition {
  return { shadowId: 'shardId-000000000000@large-1', shardId: 'shardId-000000000000', workerId: 'large-1', kind: 'forward', rate: 0.05, createdAtMs: 1_000, ...overrides };
}

export function aSample(overrides: Partial<ShadowSample> = {}, buckets = 4): ShadowSample {
  return {
    records: 10,
    busyMs: 20,
    busyMsSquared: 45,
    histogram: { buckets: Array.from({ length: buckets }, (_, i) => ({ records: i === 0 ? 10 : 0, costMs: i === 0 ? 20 : 0 })) },
    atMs: 2_000,
    ...overrides,
  };
}

export function anAuditEntry(atMs: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    atMs,
    policy: 'spm',
    tickId: `tick-${atMs}`,
    entry: { kind: 'event', event: { type: 'hold', rule: 'cooldown', reason: `held at ${atMs}` } },
    ...overrides,
  };
}

export function aRecord(i: number, dataBytes = 16): WireRecord {
  return {
    sequenceNumber: String(49_600_000_000_000_000_000_000_000_000_000_000_000n + BigInt(i)),
    partitionKey: `key-${i % 7}`,
    data: Buffer.alloc(dataBytes, i % 251).toString('base64'),
    approximateArrivalMs: 1_700_000_000_000 + i,
  };
}

export function aWorkerRequest(records: number, overrides: Partial<WorkerRequest> = {}, dataBytes = 16): WorkerRequest {
  return {
    mode: 'primary',
    shardId: 'shardId-000000000000',
    epoch: 3,
    records: Array.from({ length: records }, (_, i) => aRecord(i, dataBytes)),
    ...overrides,
  };
}
