import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisClient } from '../../adapters/aws/clients.js';
import { createStream } from '../../adapters/aws/stream-admin.kinesis.js';
import { KinesisStreamControl } from '../../adapters/aws/stream-control.kinesis.js';
import { KinesisEventSourceMapping, type DiscardedBatch, type EsmHandler, type EsmOptions } from '../../adapters/local/esm-poller.kinesis.js';
import { startKinesisLocal, type KinesisLocal } from '../../adapters/local/kinesis-local.process.js';
import { externalEmulator } from '../support/emulators.js';
import { skipOnMoto } from '../support/moto/infidelities.js';

let emulator: KinesisLocal | undefined;
let client: KinesisClient;
beforeAll(async () => {
  const external = externalEmulator();
  emulator = external ? undefined : await startKinesisLocal();
  client = kinesisClient({ endpoint: external?.endpoint ?? emulator!.endpoint });
});
afterAll(async () => {
  client.destroy();
  await emulator?.stop();
});

let counter = 0;
async function streamWith(values: number[]): Promise<{ name: string; seqs: string[] }> {
  counter += 1;
  const name = `esm-${process.pid}-${counter}`;
  await createStream(client, name, 1);
  const out = await client.send(new PutRecordsCommand({ StreamName: name, Records: values.map((v) => ({ PartitionKey: 'k', Data: Buffer.from(String(v)) })) }));
  return { name, seqs: out.Records!.map((r) => r.SequenceNumber!) };
}

const valuesOf = (event: KinesisStreamEvent) => event.Records.map((r) => Number(Buffer.from(r.kinesis.data, 'base64').toString()));

async function run(name: string, handler: EsmHandler, done: () => boolean, options: Partial<EsmOptions> = {}): Promise<KinesisEventSourceMapping> {
  const esm = new KinesisEventSourceMapping(client, handler, { streamName: name, batchSize: 10, idlePollMs: 30, shardDiscoveryMs: 200, ...options });
  esm.start();
  const deadline = Date.now() + 15_000;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  await esm.stop();
  return esm;
}

describe('the local event source mapping', () => {
  it('resumes a shard at the lowest failed sequence number, records before it counting as done', async () => {
    const { name, seqs } = await streamWith([1, 2, 3, 4, 5, 6]);
    const batches: number[][] = [];
    let failedOnce = false;
    await run(name, async (event) => {
      batches.push(valuesOf(event));
      if (!failedOnce) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: seqs[4]! }, { itemIdentifier: seqs[2]! }] };
      }
      return { batchItemFailures: [] };
    }, () => batches.length >= 2);
    expect(batches).toEqual([
      [1, 2, 3, 4, 5, 6],
      [3, 4, 5, 6],
    ]);
  });

  it('discards a batch after the maximum retries, reports its range, and goes on with the shard', async () => {
    const { name, seqs } = await streamWith([1, 2, 3, 4, 5]);
    const discarded: DiscardedBatch[] = [];
    const delivered: number[][] = [];
    await run(
      name,
      async (event) => {
        delivered.push(valuesOf(event));
        if (valuesOf(event).includes(1)) throw new Error('always fails');
      },
      () => delivered.some((b) => b.includes(5) && !b.includes(1)),
      { batchSize: 2, maxRetryAttempts: 2, onFailure: (d) => discarded.push(d) },
    );
    expect(discarded).toEqual([{ shardId: 'shardId-000000000000', startSequenceNumber: seqs[0], endSequenceNumber: seqs[1], batchSize: 2, reason: 'retries-exhausted' }]);
    expect(delivered.slice(0, 3)).toEqual([[1, 2], [1, 2], [1, 2]]);
    expect(delivered.slice(3)).toEqual([[3, 4], [5]]);
  });

  it('bisects a failing batch down to the failing record, then gives that record up alone', async () => {
    const { name, seqs } = await streamWith([1, 2, 3, 4, 5, 6, 7, 8]);
    const discarded: DiscardedBatch[] = [];
    const succeeded: number[] = [];
    await run(
      name,
      async (event) => {
        const values = valuesOf(event);
        if (values.includes(6)) throw new Error('poison');
        succeeded.push(...values);
      },
      () => succeeded.includes(8),
      { batchSize: 8, bisectOnError: true, maxRetryAttempts: 1, onFailure: (d) => discarded.push(d) },
    );
    expect(succeeded).toEqual([1, 2, 3, 4, 5, 7, 8]);
    expect(discarded).toEqual([{ shardId: 'shardId-000000000000', startSequenceNumber: seqs[5], endSequenceNumber: seqs[5], batchSize: 1, reason: 'retries-exhausted' }]);
  });

  it('starts the children of a split shard only once the parent is read to its end', async (context) => {
    skipOnMoto(context, 'splitShardRePutsParentRecords');
    const { name } = await streamWith(Array.from({ length: 30 }, (_, i) => i));
    const control = new KinesisStreamControl(client, name, { pollIntervalMs: 50 });
    expect((await control.splitShard('shardId-000000000000', 1n << 127n)).ok).toBe(true);
    expect(await control.waitUntilActive(10_000)).toBe(true);
    await client.send(new PutRecordsCommand({ StreamName: name, Records: Array.from({ length: 20 }, (_, i) => ({ PartitionKey: `c${i}`, Data: Buffer.from(String(100 + i)) })) }));
    const order: string[] = [];
    await run(
      name,
      async (event) => {
        order.push(event.Records[0]!.eventID.split(':')[0]!);
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
      () => order.filter((s) => s !== 'shardId-000000000000').length >= 2,
      { batchSize: 5 },
    );
    const lastParent = order.lastIndexOf('shardId-000000000000');
    const firstChild = order.findIndex((s) => s !== 'shardId-000000000000');
    expect(lastParent).toBe(5);
    expect(firstChild).toBe(6);
  });
});
