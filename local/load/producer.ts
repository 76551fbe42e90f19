import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { rangeContains, type HashKeyRange } from '../../core/model/hash-key.js';
import type { Ledger } from '../ledger.js';
import type { ShardLimiter } from '../shard-limiter.js';
import type { PlannedRecord } from './traffic.js';

export interface ProducerOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly limiter: ShardLimiter;
  readonly ledger: Ledger;
  /** The stream's OPEN shards as last listed; records are charged to the shard whose range holds their key. */
  readonly openShards: () => readonly { readonly shardId: string; readonly hashKeyRange: HashKeyRange }[];
  /** A record not accepted within this long is dropped, as the KPL does after its RecordTtl. In ms. */
  readonly recordTtlMs: number;
  /** PutRecords calls in flight at most. @default 4 */
  readonly maxInFlight?: number;
  readonly now: () => number;
  /** Told of every write per shard (what Kinesis' shard-level metrics count): accepted records and bytes, or throttled records. */
  readonly onShardWrite?: (shardId: string, accepted: number, bytes: number, throttled: number, atMs: number) => void;
}

export interface ProducerStats {
  readonly generated: number;
  /** Records Kinesis accepted (the ledger's size). */
  readonly accepted: number;
  /** Write attempts the emulated shard limit (or Kinesis) rejected, in records. */
  readonly throttled: number;
  /** Attempts after the first. */
  readonly retries: number;
  /** Dropped after the record TTL without being accepted: never produced, not in the ledger. */
  readonly expired: number;
  readonly putCalls: number;
  readonly putErrors: number;
  readonly queued: number;
  readonly inFlight: number;
}

interface Pending {
  readonly record: PlannedRecord;
  readonly createdAtMs: number;
  attempts: number;
  notBeforeMs: number;
}

const MAX_BATCH = 500;

/**
 * The load generator's producer: PutRecords with Kinesis' per-shard write limit emulated in front (kinesis-
 * local enforces none), retries with capped exponential backoff like the KPL, and a ledger of every record
 * Kinesis accepted with its shard and sequence number.
 */
export class Producer {
  private queue: Pending[] = [];
  private inFlight = 0;
  private calls = new Set<Promise<void>>();
  private readonly perShard = new Map<string, number>();
  private s = { generated: 0, throttled: 0, retries: 0, expired: 0, putCalls: 0, putErrors: 0 };

  constructor(private readonly o: ProducerOptions) {}

  enqueue(records: readonly PlannedRecord[]): void {
    const now = this.o.now();
    for (const record of records) this.queue.push({ record, createdAtMs: now, attempts: 0, notBeforeMs: now });
    this.s.generated += records.length;
  }

  /** Sends what the shard limits allow now; call it every few tens of ms. */
  pump(): void {
    const now = this.o.now();
    const shards = this.o.openShards();
    const ready: Pending[] = [];
    const keep: Pending[] = [];
    for (const p of this.queue) {
      if (now - p.createdAtMs > this.o.recordTtlMs) {
        this.s.expired++;
        continue;
      }
      if (p.notBeforeMs > now || this.inFlight + Math.ceil((ready.length + 1) / MAX_BATCH) > (this.o.maxInFlight ?? 4)) {
        keep.push(p);
        continue;
      }
      if (p.attempts > 0) this.s.retries++;
      p.attempts++;
      const shard = shards.find((s) => rangeContains(s.hashKeyRange, p.record.hashKey));
      if (shard && !this.o.limiter.tryAccept(shard.shardId, p.record.bytes, now)) {
        this.s.throttled++;
        this.o.onShardWrite?.(shard.shardId, 0, 0, 1, now);
        p.notBeforeMs = now + backoffMs(p.attempts);
        keep.push(p);
        continue;
      }
      ready.push(p);
    }
    this.queue = keep;
    for (let i = 0; i < ready.length; i += MAX_BATCH) this.send(ready.slice(i, i + MAX_BATCH));
  }

  /** Waits for the queue and the calls in flight, pumping, until `deadlineMs` (then drops what is left). */
  async drain(deadlineMs: number): Promise<void> {
    while ((this.queue.length > 0 || this.inFlight > 0) && this.o.now() < deadlineMs) {
      this.pump();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await Promise.allSettled([...this.calls]);
    this.s.expired += this.queue.length;
    this.queue = [];
  }

  /** Records accepted per shard since the start. */
  acceptedByShard(): ReadonlyMap<string, number> {
    return this.perShard;
  }

  stats(): ProducerStats {
    return { ...this.s, accepted: this.o.ledger.produced, queued: this.queue.length, inFlight: this.inFlight };
  }

  private send(batch: Pending[]): void {
    this.inFlight++;
    this.s.putCalls++;
    const call = this.put(batch).finally(() => {
      this.inFlight--;
      this.calls.delete(call);
    });
    this.calls.add(call);
  }

  private async put(batch: Pending[]): Promise<void> {
    const now = this.o.now();
    let results;
    try {
      const out = await this.o.kinesis.send(
        new PutRecordsCommand({
          StreamName: this.o.streamName,
          Records: batch.map((p) => ({ PartitionKey: p.record.partitionKey, Data: p.record.data })),
        }),
      );
      results = out.Records ?? [];
    } catch {
      this.s.putErrors++;
      for (const p of batch) p.notBeforeMs = now + backoffMs(p.attempts);
      this.queue.push(...batch);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i];
      if (r?.ShardId && r.SequenceNumber && !r.ErrorCode) {
        this.o.ledger.add({ partitionKey: p.record.partitionKey, v: p.record.v, shardId: r.ShardId, sequenceNumber: r.SequenceNumber });
        this.perShard.set(r.ShardId, (this.perShard.get(r.ShardId) ?? 0) + 1);
        this.o.onShardWrite?.(r.ShardId, 1, p.record.bytes, 0, this.o.now());
      } else {
        if (r?.ErrorCode === 'ProvisionedThroughputExceededException') this.s.throttled++;
        p.notBeforeMs = now + backoffMs(p.attempts);
        this.queue.push(p);
      }
    });
  }
}

/** KPL-like capped exponential backoff: 100 ms, 200 ms, ... at most 2 s. */
export function backoffMs(attempts: number): number {
  return Math.min(2000, 100 * 2 ** Math.max(0, attempts - 1));
}
