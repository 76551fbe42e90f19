import type { PartitionMetadata, ShadowPartition } from '../../core/model/index.js';
import type { MetadataStore, ShadowSample, ShadowSampleResult, ShardProgress, SuspectRange, WireRecord, WorkerRequest } from '../../core/ports/index.js';
import { MemoryFailureSink } from '../../adapters/local/failure-sink.memory.js';
import { MemoryKeyedStateStore } from '../../adapters/local/keyed-state.memory.js';
import type { WorkerDeps } from '../../app/worker/worker-deps.js';
import { compareSequence } from '../../app/sequence.js';

export function partition(overrides: Partial<PartitionMetadata> = {}): PartitionMetadata {
  return {
    shardId: 'shardId-000000000000',
    hashKeyRange: { start: 0n, end: (1n << 128n) - 1n },
    parentShardIds: [],
    state: 'OPEN',
    ownerWorkerId: 'w1',
    epoch: 1,
    ingestRecordsPerSec: 0,
    ingestBytesPerSec: 0,
    utilization: 0,
    utilizationTrendPerSec: 0,
    ...overrides,
  };
}

export function wireRecord(seq: number, key: string, payload: object): WireRecord {
  return {
    sequenceNumber: String(1_000_000 + seq),
    partitionKey: key,
    data: Buffer.from(JSON.stringify(payload)).toString('base64'),
    approximateArrivalMs: 1_000,
  };
}

export function request(records: WireRecord[], overrides: Partial<WorkerRequest> = {}): WorkerRequest {
  return { mode: 'primary', shardId: 'shardId-000000000000', epoch: 1, records, ...overrides };
}

/** The slice of MetadataStore the data plane reads and writes, in memory. */
export class FakeMetadata
  implements Pick<MetadataStore, 'getPartition' | 'listShadows' | 'recordShadowSample' | 'getShardProgress' | 'putShardProgress' | 'getSuspectRange' | 'putSuspectRange' | 'deleteSuspectRange'>
{
  readonly partitions = new Map<string, PartitionMetadata>();
  readonly shadows: ShadowPartition[] = [];
  readonly samples: { shadow: ShadowPartition; sample: ShadowSample }[] = [];
  readonly progress = new Map<string, ShardProgress>();
  readonly suspects = new Map<string, SuspectRange>();
  reads = 0;

  constructor(...partitions: PartitionMetadata[]) {
    for (const p of partitions) this.partitions.set(p.shardId, p);
  }
  async getPartition(shardId: string) {
    this.reads += 1;
    return this.partitions.get(shardId);
  }
  async listShadows() {
    return [...this.shadows];
  }
  /** Per shadow: the largest sequence number counted, as the DynamoDB store keeps it with the stats. */
  readonly highWater = new Map<string, string>();
  async recordShadowSample(shadow: ShadowPartition, sample: ShadowSample): Promise<ShadowSampleResult> {
    const mark = this.highWater.get(shadow.shadowId);
    if (sample.firstSequenceNumber !== undefined && mark !== undefined && compareSequence(mark, sample.firstSequenceNumber) >= 0) {
      return { added: false, reason: 'behind-high-water', highWaterSequenceNumber: mark };
    }
    if (sample.lastSequenceNumber !== undefined) this.highWater.set(shadow.shadowId, sample.lastSequenceNumber);
    this.samples.push({ shadow, sample });
    return { added: true };
  }
  async getShardProgress(shardId: string) {
    return this.progress.get(shardId);
  }
  async putShardProgress(progress: ShardProgress) {
    this.progress.set(progress.shardId, progress);
  }
  async getSuspectRange(shardId: string) {
    return this.suspects.get(shardId);
  }
  async putSuspectRange(range: SuspectRange) {
    this.suspects.set(range.shardId, range);
  }
  async deleteSuspectRange(shardId: string) {
    this.suspects.delete(shardId);
  }
}

export function workerDeps(metadata: FakeMetadata, overrides: Partial<WorkerDeps> = {}): WorkerDeps & { state: MemoryKeyedStateStore; failures: MemoryFailureSink } {
  return {
    workerId: 'w1',
    metadata,
    state: new MemoryKeyedStateStore(),
    failures: new MemoryFailureSink(),
    clock: { nowMs: () => 5_000 },
    maxAttempts: 3,
    histogramBuckets: 4,
    speed: 1,
    ...overrides,
  } as WorkerDeps & { state: MemoryKeyedStateStore; failures: MemoryFailureSink };
}
