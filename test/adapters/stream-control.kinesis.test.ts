import { PutRecordCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisClient } from '../../adapters/aws/clients.js';
import { createStream } from '../../adapters/aws/stream-admin.kinesis.js';
import { KinesisStreamControl } from '../../adapters/aws/stream-control.kinesis.js';
import { MAX_HASH_KEY, evenRanges } from '../../core/model/hash-key.js';
import { uniqueName, useKinesisLocal } from '../support/emulators.js';

// Splits stay UPDATING for 400 ms so that a second call lands while the stream is busy.
const kinesis = useKinesisLocal({ splitShardMs: 400, mergeShardsMs: 100, updateShardCountMs: 100 });
let client: KinesisClient;

beforeAll(() => {
  client = kinesisClient({ endpoint: kinesis.endpoint, maxAttempts: 1 });
});
afterAll(() => client.destroy());

async function streamWith(shards: number): Promise<KinesisStreamControl> {
  const name = uniqueName('sc');
  await createStream(client, name, shards);
  return new KinesisStreamControl(client, name, { pollIntervalMs: 50 });
}

async function putAt(streamName: string, hashKey: bigint, data: string): Promise<{ shardId: string; sequenceNumber: string }> {
  const answer = await client.send(
    new PutRecordCommand({ StreamName: streamName, PartitionKey: 'k', ExplicitHashKey: hashKey.toString(), Data: Buffer.from(data) }),
  );
  return { shardId: answer.ShardId!, sequenceNumber: answer.SequenceNumber! };
}

describe('KinesisStreamControl on kinesis-local', () => {
  it('lists every shard with its hash-key range as bigints and no parents for a new stream', async () => {
    const control = await streamWith(3);
    const shards = await control.listShards();
    expect(shards.map((s) => s.hashKeyRange)).toEqual(evenRanges(3));
    expect(shards.every((s) => s.parentShardId === undefined && s.endingSequenceNumber === undefined)).toBe(true);
    expect(await control.streamStatus()).toBe('ACTIVE');
  });

  it('follows NextToken through every ListShards page', async () => {
    const control = await streamWith(5);
    const paged = new KinesisStreamControl(client, control.streamName, { listShardsPageSize: 2 });
    expect((await paged.listShards()).map((s) => s.hashKeyRange)).toEqual(evenRanges(5));
  });

  it('splits a shard at the given key: the parent closes and two children cover its range, split at that key', async () => {
    const control = await streamWith(1);
    const key = 123_456_789_012_345_678_901_234_567_890n;
    expect(await control.splitShard('shardId-000000000000', key)).toEqual({ ok: true, value: undefined });
    expect(await control.waitUntilActive(10_000)).toBe(true);
    const shards = await control.listShards();
    const parent = shards.find((s) => s.shardId === 'shardId-000000000000');
    const children = shards.filter((s) => s.parentShardId === 'shardId-000000000000').sort((a, b) => (a.hashKeyRange.start < b.hashKeyRange.start ? -1 : 1));
    expect(parent?.endingSequenceNumber).toBeDefined();
    expect(children.map((c) => c.hashKeyRange)).toEqual([
      { start: 0n, end: key - 1n },
      { start: key, end: MAX_HASH_KEY },
    ]);
  });

  it('answers a second split while the stream is UPDATING with resource-in-use, not an exception', async () => {
    const control = await streamWith(2);
    const [low, high] = evenRanges(2);
    expect((await control.splitShard('shardId-000000000000', low!.end / 2n)).ok).toBe(true);
    expect(await control.streamStatus()).toBe('UPDATING');
    const second = await control.splitShard('shardId-000000000001', high!.start + 1000n);
    expect(second).toMatchObject({ ok: false, reason: 'resource-in-use' });
    expect(await control.waitUntilActive(10_000)).toBe(true);
  });

  it.each([
    ['a split key in the neighbour shard', 'shardId-000000000000', MAX_HASH_KEY - 5n, 'invalid-argument'],
    ['a split key of 0 (no low child)', 'shardId-000000000000', 0n, 'invalid-argument'],
    ['a split of a shard that does not exist', 'shardId-000000000099', 1000n, 'not-found'],
  ] as const)('returns a value for %s', async (_case, shardId, key, reason) => {
    const control = await streamWith(2);
    expect(await control.splitShard(shardId, key)).toMatchObject({ ok: false, reason });
  });

  it('merges two adjacent shards into one child with both parents', async () => {
    const control = await streamWith(2);
    expect((await control.mergeShards('shardId-000000000000', 'shardId-000000000001')).ok).toBe(true);
    expect(await control.waitUntilActive(10_000)).toBe(true);
    const child = (await control.listShards()).find((s) => s.parentShardId !== undefined);
    expect(child).toMatchObject({ parentShardId: 'shardId-000000000000', adjacentParentShardId: 'shardId-000000000001' });
    expect(child?.hashKeyRange).toEqual({ start: 0n, end: MAX_HASH_KEY });
  });

  it('doubles the shard count with uniform scaling', async () => {
    const control = await streamWith(1);
    expect((await control.updateShardCount(2)).ok).toBe(true);
    expect(await control.waitUntilActive(10_000)).toBe(true);
    const open = (await control.listShards()).filter((s) => s.endingSequenceNumber === undefined);
    expect(open).toHaveLength(2);
  });

  it('reports a closed parent drained only once its last record has been read', async () => {
    const control = await streamWith(1);
    const first = await putAt(control.streamName, 10n, 'a');
    const last = await putAt(control.streamName, 20n, 'b');
    expect(await control.splitShard(first.shardId, 1n << 127n)).toMatchObject({ ok: true });
    expect(await control.waitUntilActive(10_000)).toBe(true);
    expect(await control.isDrained(first.shardId)).toBe(false);
    expect(await control.isDrained(first.shardId, first.sequenceNumber)).toBe(false);
    expect(await control.isDrained(first.shardId, last.sequenceNumber)).toBe(true);
  });

  it('never reports an open shard drained, even when all its records are read', async () => {
    const control = await streamWith(1);
    const only = await putAt(control.streamName, 10n, 'a');
    expect(await control.isDrained(only.shardId, only.sequenceNumber)).toBe(false);
  });

  it('waitUntilActive gives up with false when the stream stays UPDATING past the timeout', async () => {
    const control = await streamWith(1);
    expect((await control.splitShard('shardId-000000000000', 1n << 100n)).ok).toBe(true);
    expect(await control.waitUntilActive(50)).toBe(false);
    expect(await control.waitUntilActive(10_000)).toBe(true);
  });
});
