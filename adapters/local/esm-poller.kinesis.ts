import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type Shard, type _Record } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { localContext } from './lambda-context.local.js';
import { sleep } from './system-clock.js';

export type EsmHandler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse | void>;

/** Settings of the emulated event source mapping; names and defaults follow Lambda's ESM for Kinesis. */
export interface EsmOptions {
  readonly streamName: string;
  /** Records per invocation at most. @default 100 */
  readonly batchSize?: number;
  /** How long to gather records before invoking with fewer than `batchSize`, in ms. @default 0 */
  readonly batchingWindowMs?: number;
  /**
   * Where the shards that exist when the mapping starts are read from, as on Lambda: at LATEST only what
   * arrives afterwards (a shard already CLOSED then delivers nothing); shards created later (children of a
   * split or merge) are always read from their start. @default 'TRIM_HORIZON'
   */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** Retries of a failing batch before it is discarded; -1 retries until the records expire. @default -1 */
  readonly maxRetryAttempts?: number;
  /** Split a batch whose invocation threw in two and retry the halves (a split is not a retry). @default false */
  readonly bisectOnError?: boolean;
  /** Discard records older than this, in ms; -1 never. @default -1 */
  readonly maxRecordAgeMs?: number;
  /** Honour `batchItemFailures` in the response (checkpoint = lowest failed sequence number). @default true */
  readonly reportBatchItemFailures?: boolean;
  /**
   * Start a child shard only once its parents are read to the end. Lambda does not document this, which is
   * why the dispatcher enforces it itself; turn it off to show that it does. @default true
   */
  readonly parentsFirst?: boolean;
  /** Wait between GetRecords calls that returned nothing, in ms. @default 200 */
  readonly idlePollMs?: number;
  /** How often new shards are looked for, in ms. @default 1000 */
  readonly shardDiscoveryMs?: number;
  /** The handler's timeout (what `getRemainingTimeInMillis` counts down from), in ms. @default 60000 */
  readonly functionTimeoutMs?: number;
  readonly functionName?: string;
  /** Called with the metadata of a discarded batch (Lambda's OnFailure destination: no records). */
  readonly onFailure?: (info: DiscardedBatch) => void;
}

export interface DiscardedBatch {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  readonly reason: 'retries-exhausted' | 'record-expired';
}

interface ShardRun {
  readonly shard: Shard;
  /** Whether the shard existed when the mapping started (then it is read from `startingPosition`). */
  readonly atStart: boolean;
  /** Set once the poller holds its first iterator: from then on, records put into the shard are delivered. */
  reading: boolean;
  finished: boolean;
  /** Last sequence number delivered successfully (or discarded): where a restarted poller resumes. */
  checkpoint?: string;
}

/**
 * A local stand-in for Lambda's event source mapping on a Kinesis stream: one poller per shard, GetRecords
 * up to the batch size, a batching window, one invocation per shard at a time, retries with optional bisect
 * and bounded attempts, ReportBatchItemFailures (the shard resumes at the lowest failed sequence number,
 * records before it are done) and parents before children. At-least-once, like the real one.
 */
export class KinesisEventSourceMapping {
  private running = false;
  private readonly runs = new Map<string, ShardRun>();
  private readonly loops = new Set<Promise<void>>();
  private discovery: Promise<void> | undefined;
  /** The shards listed when the mapping started (its first successful listing). */
  private atStart: ReadonlySet<string> | undefined;
  /** Counters for tests and the dashboard. */
  readonly stats = { invocations: 0, failedInvocations: 0, partialFailures: 0, discardedBatches: 0, deliveredRecords: 0 };

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly handler: EsmHandler,
    private readonly options: EsmOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.discovery = this.discover();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.discovery;
    while (this.loops.size > 0) await Promise.allSettled([...this.loops]);
  }

  /** Shards being read or read to their end: at LATEST, a record put into one of them from now on is delivered. */
  readingShards(): string[] {
    return [...this.runs.values()].filter((r) => r.reading).map((r) => r.shard.ShardId!);
  }

  /** Shards read to their end (closed and fully delivered). */
  finishedShards(): string[] {
    return [...this.runs.values()].filter((r) => r.finished).map((r) => r.shard.ShardId!);
  }

  private async discover(): Promise<void> {
    while (this.running) {
      try {
        const shards = await this.listShards();
        const listed = new Set(shards.map((s) => s.ShardId));
        this.atStart ??= new Set(shards.map((s) => s.ShardId!));
        for (const shard of shards) {
          if (this.runs.has(shard.ShardId!)) continue;
          const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((p): p is string => p !== undefined && listed.has(p));
          const waiting = (this.options.parentsFirst ?? true) && parents.some((p) => !this.runs.get(p)?.finished);
          if (waiting) continue;
          const run: ShardRun = { shard, atStart: this.atStart.has(shard.ShardId!), reading: false, finished: false };
          this.runs.set(shard.ShardId!, run);
          // A poller that fails (e.g. GetShardIterator while the emulator is busy) is started again by the
          // next discovery round, from its checkpoint.
          const loop = this.pollShard(run).catch(() => {
            if (!run.finished) this.runs.delete(shard.ShardId!);
          });
          this.loops.add(loop);
          void loop.finally(() => this.loops.delete(loop));
        }
      } catch {
        // The stream may be UPDATING or the emulator busy: look again next round.
      }
      await sleep(this.options.shardDiscoveryMs ?? 1000);
    }
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let token: string | undefined;
    do {
      const page = await this.kinesis.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: this.options.streamName }));
      shards.push(...(page.Shards ?? []));
      token = page.NextToken;
    } while (token);
    return shards;
  }

  private async iterator(shardId: string, after: string | undefined, atStart: boolean): Promise<string | undefined> {
    const type = after ? 'AFTER_SEQUENCE_NUMBER' : atStart ? (this.options.startingPosition ?? 'TRIM_HORIZON') : 'TRIM_HORIZON';
    const out = await this.kinesis.send(
      new GetShardIteratorCommand({ StreamName: this.options.streamName, ShardId: shardId, ShardIteratorType: type, StartingSequenceNumber: after }),
    );
    return out.ShardIterator;
  }

  private async pollShard(run: ShardRun): Promise<void> {
    const shardId = run.shard.ShardId!;
    const batchSize = this.options.batchSize ?? 100;
    const windowMs = this.options.batchingWindowMs ?? 0;
    const buffer: _Record[] = [];
    let lastFetched = run.checkpoint;
    let iterator: string | undefined = await this.iterator(shardId, run.checkpoint, run.atStart);
    run.reading = true;
    let firstBufferedAt = 0;
    while (this.running) {
      if (iterator && buffer.length < batchSize) {
        try {
          const page = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize - buffer.length }));
          const records = page.Records ?? [];
          if (records.length > 0 && buffer.length === 0) firstBufferedAt = Date.now();
          buffer.push(...records);
          lastFetched = records.at(-1)?.SequenceNumber ?? lastFetched;
          iterator = page.NextShardIterator ?? undefined;
          if (records.length === 0 && iterator) await sleep(this.options.idlePollMs ?? 200);
        } catch {
          await sleep(this.options.idlePollMs ?? 200);
          iterator = await this.iterator(shardId, lastFetched, run.atStart).catch(() => iterator);
          continue;
        }
      }
      if (buffer.length === 0) {
        if (!iterator) break;
        continue;
      }
      const windowOpen = iterator !== undefined && buffer.length < batchSize && Date.now() - firstBufferedAt < windowMs;
      if (windowOpen) {
        await sleep(Math.min(this.options.idlePollMs ?? 200, windowMs));
        continue;
      }
      await this.deliver(run, buffer, batchSize);
      if (buffer.length > 0) firstBufferedAt = Date.now();
    }
    if (!iterator && buffer.length === 0) run.finished = true;
  }

  /** Delivers the head of `buffer` until it succeeds or is discarded; removes what is done from `buffer`. */
  private async deliver(run: ShardRun, buffer: _Record[], batchSize: number): Promise<void> {
    const shardId = run.shard.ShardId!;
    const done = (count: number): void => {
      run.checkpoint = buffer[count - 1]?.SequenceNumber ?? run.checkpoint;
      buffer.splice(0, count);
    };
    let size = Math.min(batchSize, buffer.length);
    let attempts = 0;
    while (this.running) {
      const batch = buffer.slice(0, size);
      const expired = this.expired(batch);
      if (expired) return this.discard(shardId, buffer, size, 'record-expired', done);
      this.stats.invocations += 1;
      let failedAt: number | undefined;
      try {
        const response = await this.handler(this.event(shardId, batch), localContext(this.options.functionName ?? 'dispatcher', this.options.functionTimeoutMs ?? 60_000));
        failedAt = this.lowestFailure(batch, response);
      } catch {
        this.stats.failedInvocations += 1;
        if ((this.options.bisectOnError ?? false) && size > 1) {
          size = Math.ceil(size / 2);
          continue;
        }
        failedAt = 0;
      }
      if (failedAt === undefined) {
        done(size);
        this.stats.deliveredRecords += size;
        return;
      }
      if (failedAt > 0) {
        this.stats.partialFailures += 1;
        done(failedAt);
        this.stats.deliveredRecords += failedAt;
        size = Math.min(batchSize, buffer.length);
      }
      attempts += 1;
      const max = this.options.maxRetryAttempts ?? -1;
      if (max >= 0 && attempts > max) return this.discard(shardId, buffer, size, 'retries-exhausted', done);
      await sleep(Math.min(1000, 50 * 2 ** Math.min(attempts, 5)));
    }
  }

  /** Index of the lowest failed record, undefined if none failed; an unknown identifier fails the whole batch. */
  private lowestFailure(batch: readonly _Record[], response: KinesisStreamBatchResponse | void): number | undefined {
    if (!(this.options.reportBatchItemFailures ?? true) || !response || !Array.isArray(response.batchItemFailures)) return undefined;
    if (response.batchItemFailures.length === 0) return undefined;
    const indexes = response.batchItemFailures.map((f) => batch.findIndex((r) => r.SequenceNumber === f.itemIdentifier));
    if (indexes.some((i) => i < 0)) return 0;
    return Math.min(...indexes);
  }

  private expired(batch: readonly _Record[]): boolean {
    const maxAge = this.options.maxRecordAgeMs ?? -1;
    return maxAge >= 0 && batch.some((r) => Date.now() - (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) > maxAge);
  }

  private discard(shardId: string, buffer: _Record[], size: number, reason: DiscardedBatch['reason'], done: (count: number) => void): void {
    const batch = buffer.slice(0, size);
    done(size);
    this.stats.discardedBatches += 1;
    this.options.onFailure?.({ shardId, startSequenceNumber: batch[0]!.SequenceNumber!, endSequenceNumber: batch.at(-1)!.SequenceNumber!, batchSize: batch.length, reason });
  }

  private event(shardId: string, batch: readonly _Record[]): KinesisStreamEvent {
    return { Records: batch.map((r) => this.record(shardId, r)) };
  }

  private record(shardId: string, r: _Record): KinesisStreamRecord {
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.PartitionKey!,
        sequenceNumber: r.SequenceNumber!,
        data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
        approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${r.SequenceNumber!}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/foreshadow-local',
      awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${this.options.streamName}`,
    };
  }
}
