import type { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { evenRanges } from '../../core/model/hash-key.js';
import { Ledger } from '../../local/ledger.js';
import { Producer, backoffMs } from '../../local/load/producer.js';
import type { PlannedRecord } from '../../local/load/traffic.js';
import { ShardLimiter } from '../../local/shard-limiter.js';

/** A Kinesis stand-in: accepts every record on the shard whose range holds it, unless told to fail the call. */
function fakeKinesis(failCalls = 0): { client: KinesisClient; calls: number } {
  const ranges = evenRanges(2);
  let seq = 100;
  const state = { calls: 0, client: undefined as unknown as KinesisClient };
  state.client = {
    send: async (command: PutRecordsCommand) => {
      state.calls++;
      if (state.calls <= failCalls) throw new Error('connection reset');
      return {
        Records: (command.input.Records ?? []).map((r) => {
          const key = BigInt(r.PartitionKey!);
          return { ShardId: `shard-${ranges[0]!.end >= key ? 0 : 1}`, SequenceNumber: String(seq++) };
        }),
      };
    },
  } as unknown as KinesisClient;
  return state;
}

const record = (v: number, hashKey: bigint): PlannedRecord => ({ partitionKey: String(hashKey), hashKey, v, costMs: 1, bytes: 100, data: new Uint8Array(90) });

function setup(recordsPerSec: number, failCalls = 0) {
  let now = 0;
  const ledger = new Ledger();
  const kinesis = fakeKinesis(failCalls);
  const shards = evenRanges(2).map((hashKeyRange, i) => ({ shardId: `shard-${i}`, hashKeyRange }));
  const producer = new Producer({
    kinesis: kinesis.client,
    streamName: 's',
    limiter: new ShardLimiter({ recordsPerSec, bytesPerSec: 1e9 }),
    ledger,
    openShards: () => shards,
    recordTtlMs: 5000,
    now: () => now,
  });
  return { producer, ledger, kinesis, advance: (ms: number) => (now += ms) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the producer', () => {
  it('puts records within the shard limit and writes each accepted one to the ledger', async () => {
    const { producer, ledger } = setup(100);
    producer.enqueue([record(1, 1n), record(2, 2n), record(3, (1n << 127n) + 5n)]);
    producer.pump();
    await producer.drain(1);
    expect(ledger.produced).toBe(3);
    expect(Object.fromEntries(producer.acceptedByShard())).toEqual({ 'shard-0': 2, 'shard-1': 1 });
    expect(producer.stats()).toMatchObject({ generated: 3, accepted: 3, throttled: 0, retries: 0 });
  });

  it('throttles records above the emulated limit and retries them after a backoff', async () => {
    const { producer, ledger, advance } = setup(2);
    producer.enqueue([1, 2, 3, 4].map((v) => record(v, BigInt(v))));
    producer.pump();
    await settle();
    expect(ledger.produced).toBe(2);
    expect(producer.stats().throttled).toBe(2);
    advance(1000);
    producer.pump();
    await settle();
    expect(ledger.produced).toBe(4);
    expect(producer.stats()).toMatchObject({ retries: 2, expired: 0 });
  });

  it('drops a record it could not put within the TTL, outside the ledger', async () => {
    const { producer, ledger, advance } = setup(1);
    producer.enqueue([record(1, 1n), record(2, 2n)]);
    producer.pump();
    await settle();
    advance(6000);
    producer.pump();
    expect(producer.stats()).toMatchObject({ accepted: 1, expired: 1 });
    expect(ledger.produced).toBe(1);
  });

  it('retries the whole call when PutRecords fails', async () => {
    const { producer, ledger, advance } = setup(100, 1);
    producer.enqueue([record(1, 1n)]);
    producer.pump();
    await settle();
    expect(producer.stats().putErrors).toBe(1);
    advance(500);
    producer.pump();
    await settle();
    expect(ledger.produced).toBe(1);
  });

  it.each([
    [1, 100],
    [2, 200],
    [5, 1600],
    [10, 2000],
  ])('backs off %d attempts by %d ms', (attempts, ms) => {
    expect(backoffMs(attempts)).toBe(ms);
  });
});
