import type { HashKeyRange } from '../../core/model/hash-key.js';
import type { Prediction } from '../../core/model/prediction.js';
import type { ShadowKind } from '../../core/model/shadow.js';
import type { ShardMetricPoint, WorkerMetricPoint } from '../../core/model/metrics.js';
import type { HotKey } from '../scenario/world.js';

/** Records accepted by a shard in one step: consecutive sequence numbers with one arrival time and cost. */
export interface Chunk {
  readonly seqStart: number;
  count: number;
  /** When the producer first tried to put them (throttling retries keep the first time). */
  readonly arrivalMs: number;
  /** Mean per-record cost of these records on a worker of speed 1, ms (noise already drawn). */
  readonly costMs: number;
}

/** Producer-side records waiting to be retried after a throttle. */
export interface RetryEntry {
  count: number;
  readonly arrivalMs: number;
  readonly costMs: number;
}

/** A region's (initial shard's) pool keys that fall in a shard, with their popularity. */
export interface RegionShare {
  readonly region: number;
  /** Fraction of the region's base records that hash into this shard. */
  readonly share: number;
  /** Histogram bucket (over this shard's range) and popularity weight of each such key. */
  readonly keys: readonly { readonly bucket: number; readonly weight: number; readonly laneKey: number }[];
}

export interface MetricAccumulator {
  incomingRecords: number;
  incomingBytes: number;
  throttledRecords: number;
  processedRecords: number;
  busyMs: number;
  iteratorAgeMsMax: number;
  /** Sum of the processed records' ages when processed, ms (what the dispatcher's load recorder adds up). */
  ageMsSum: number;
}

export interface SimShard {
  readonly id: string;
  readonly range: HashKeyRange;
  readonly parentIds: readonly string[];
  childIds: string[];
  state: 'OPEN' | 'CLOSED';
  owner: string;
  epoch: number;
  lastMoveAtMs?: number;
  pausedUntilMs: number;
  /**
   * Steps in a row, up to the last one it processed in, in which its owner gave it all the time it could
   * and it still had records queued from before the step (owner-side utilization ≥ 1).
   */
  behindSteps: number;
  /** Burst lanes its last batch had (core/model/lanes.ts), and its demand in lanes, smoothed over batches. */
  burstLanes: number;
  laneDemand: number;
  queue: Chunk[];
  /** Index of the first unprocessed chunk in `queue` (compacted now and then). */
  queueHead: number;
  /** Work (ms at speed 1) already spent on the head record. */
  headProgressMs: number;
  /** Next sequence number to assign; every number below it was accepted. */
  nextSeq: number;
  /** Next sequence number to process; every number below it was processed exactly once. */
  processedSeq: number;
  retries: RetryEntry[];
  /** Records a test pushed in by hand, offered to the shard at the next step. */
  manualOffered: number;
  /** Fractional arrivals carried to the next step. */
  arrivalCarry: number;
  closedAtMs?: number;
  drainedAtMs?: number;
  regionShares: RegionShare[];
  hotKeys: { readonly hot: HotKey; readonly bucket: number; readonly laneKey: number }[];
  predictedUtilization?: Prediction;
  metrics: MetricAccumulator;
  points: (ShardMetricPoint & { readonly visibleAtMs: number; readonly ageMsSum: number })[];
}

export interface SimWorker {
  readonly id: string;
  readonly workerClass: string;
  /** Nominal speed: what the SPM is told. */
  readonly speed: number;
  /** Actual slowdown factor (1 = as advertised); the SPM is not told. */
  slowdown: number;
  readonly slots: number;
  /** Reserved concurrency of the worker's shadow function: shadow work runs there, not on `slots`. */
  readonly shadowSlots: number;
  readonly memoryMb: number;
  metrics: { primaryBusyMs: number; shadowBusyMs: number; invocations: number; errors: number };
  points: (WorkerMetricPoint & { readonly visibleAtMs: number })[];
}

export interface SimShadow {
  readonly id: string;
  readonly shardId: string;
  readonly workerId: string;
  readonly kind: ShadowKind;
  rate: number;
  readonly createdAtMs: number;
  readonly expiresAtMs?: number;
  /** Sampled records handed over by the dispatcher, not yet processed, and their work (ms at speed 1). */
  pendingRecords: number;
  pendingWorkMs: number;
  /** Stats since creation or the last rate change. */
  statsFromMs: number;
  records: number;
  busyMs: number;
  busyMsSquared: number;
  histogram: { records: number; costMs: number }[];
}

export function emptyShardMetrics(): MetricAccumulator {
  return { incomingRecords: 0, incomingBytes: 0, throttledRecords: 0, processedRecords: 0, busyMs: 0, iteratorAgeMsMax: 0, ageMsSum: 0 };
}

/** Records accepted but not processed yet. */
export function queuedRecords(shard: SimShard): number {
  return shard.nextSeq - shard.processedSeq;
}

/** Arrival time of the oldest unprocessed record, if any. */
export function oldestArrivalMs(shard: SimShard): number | undefined {
  return shard.queue[shard.queueHead]?.arrivalMs;
}

/** Work (ms at speed 1) left in the shard's queue. */
export function queuedWorkMs(shard: SimShard): number {
  let work = -shard.headProgressMs;
  for (let i = shard.queueHead; i < shard.queue.length; i++) {
    const c = shard.queue[i]!;
    work += c.count * c.costMs;
  }
  return Math.max(0, work);
}
