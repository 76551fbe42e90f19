import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { KinesisStreamControl } from '../../adapters/aws/stream-control.kinesis.js';
import { skipOnMoto } from '../support/moto/infidelities.js';
import { records, startPipeline, useEmulators } from './pipeline.js';

const emulators = useEmulators();
const clients = () => ({ kinesis: emulators.kinesis(), dynamo: emulators.dynamo() });

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How long the children may take to deliver everything once records are put into them, in ms. */
const FLOWING_BOUND_MS = 10_000;

describe('a stream resharded before Foreshadow was deployed, the mapping at LATEST', () => {
  it('delivers the children at once: a parent whose records the mapping will never deliver counts as drained', async (context) => {
    skipOnMoto(context, 'closedShardNeverEnds');
    const p = await startPipeline(clients(), {
      shards: 1,
      workers: [{ workerId: 'w1' }, { workerId: 'w2' }],
      esm: { startingPosition: 'LATEST' },
      // The existing stream's past: records in the shard, then a split, then records in the children.
      beforeDeploy: async ({ name, kinesis }) => {
        const put = (prefix: string) =>
          kinesis.send(
            new PutRecordsCommand({ StreamName: name, Records: records(40, 8, { prefix }).map((r) => ({ PartitionKey: r.key, Data: Buffer.from(JSON.stringify({ v: r.v })) })) }),
          );
        await put('before-split-');
        const control = new KinesisStreamControl(kinesis, name, { pollIntervalMs: 50 });
        expect((await control.splitShard('shardId-000000000000', 1n << 127n)).ok).toBe(true);
        expect(await control.waitUntilActive(10_000)).toBe(true);
        await put('before-deploy-');
        // Deployment comes later than the last record of the past (and after the table's creation time in whole seconds).
        await new Promise((resolve) => setTimeout(resolve, 1100));
      },
    });
    try {
      await p.tick();
      const partitions = await p.metadata.listPartitions();
      const parent = partitions.find((x) => x.parentShardIds.length === 0)!;
      const children = partitions.filter((x) => x.parentShardIds.includes(parent.shardId)).map((x) => x.shardId);
      expect(parent.state).toBe('CLOSED');
      expect(children).toHaveLength(2);
      expect(await p.metadata.getShardProgress(parent.shardId)).toBeUndefined();

      p.esm.start();
      await until(() => children.every((c) => p.esm.readingShards().includes(c)), 10_000, 'the mapping reads both children');
      const producedAtMs = Date.now();
      await p.produce(records(100, 8));
      expect(new Set(p.ledger.all().map((r) => r.shardId))).toEqual(new Set(children));

      const { verdicts, states } = await p.settle(FLOWING_BOUND_MS);
      const flowingAfterMs = Date.now() - producedAtMs;
      await p.stop();
      // 0 lost, 0 applied twice, per-key order kept (count, order digest and last sequence number per key).
      expect(verdicts).toEqual([]);
      expect(flowingAfterMs).toBeLessThan(FLOWING_BOUND_MS);
      // Only what the mapping delivered was applied: nothing from before the deployment.
      expect([...states.keys()].sort()).toEqual(Array.from({ length: 8 }, (_, i) => `k${i}`));
      expect(p.failures.records).toEqual([]);
      expect((await p.metadata.getShardProgress(parent.shardId))?.drained).toBe(true);
    } finally {
      await p.stop();
    }
  });
});
