import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { shadowIdFor } from '../../core/model/index.js';
import { fromBatchHandler } from '../../processor/from-batch-handler.js';
import { database, handler } from './fixtures/plain-consumer.handler.js';
import { scriptedPolicy, startPipeline, useEmulators } from './pipeline.js';

const emulators = useEmulators();
const clients = () => ({ kinesis: emulators.kinesis(), dynamo: emulators.dynamo() });

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Values in the order they were first applied per key (a repeat of an earlier value is an at-least-once redelivery). */
const firstSeen = (values: readonly number[]) => values.filter((v, i) => values.indexOf(v) === i);

describe('an unmodified Kinesis batch handler through fromBatchHandler', () => {
  it('runs as the owner through the local pipeline and a move: every record at least once, in order per key, poison to the failure destination', async () => {
    database.clear();
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2' }], program: fromBatchHandler(handler, { sideEffectFree: false }), maxAttempts: 3 });
    const produced = new Map<string, number[]>();
    const put = async (rows: readonly { key: string; v: number; failTimes?: number; poison?: boolean }[]) => {
      const out = await clients().kinesis.send(new PutRecordsCommand({ StreamName: p.name, Records: rows.map((r) => ({ PartitionKey: r.key, Data: Buffer.from(JSON.stringify(r)) })) }));
      expect(out.FailedRecordCount ?? 0).toBe(0);
      for (const r of rows) if (!r.poison) produced.set(r.key, [...(produced.get(r.key) ?? []), r.v]);
    };
    try {
      await p.tick();
      const shard = (await p.metadata.listPartitions())[0]!;
      // A shadow exists, but the handler is not declared side-effect free: it must never run there.
      const other = shard.ownerWorkerId === 'w1' ? 'w2' : 'w1';
      await p.tick(scriptedPolicy(() => [{ type: 'create-shadow', shadowId: shadowIdFor(shard.shardId, other), shardId: shard.shardId, workerId: other, kind: 'forward', rate: 1, reason: 'test' }]));
      p.esm.start();
      await put(Array.from({ length: 60 }, (_, i) => ({ key: `k${i % 6}`, v: i + 1, ...(i === 10 ? { failTimes: 1 } : {}), ...(i === 25 ? { poison: true } : {}) })));
      await until(() => (database.get('k0')?.length ?? 0) >= 3);
      const moved = await p.tick(
        scriptedPolicy((view) => {
          const s = view.partitions[0]!;
          return [{ type: 'move', shardId: s.shardId, fromWorkerId: s.ownerWorkerId, toWorkerId: other, expectedEpoch: s.epoch, reason: 'test: move' }];
        }),
      );
      expect(moved.results.map((r) => r.applied)).toEqual([true]);
      await put(Array.from({ length: 60 }, (_, i) => ({ key: `k${i % 6}`, v: 100 + i })));
      await until(() => [...produced].every(([key, values]) => values.every((v) => database.get(key)?.includes(v))));
      await p.stop();

      for (const [key, values] of produced) expect(firstSeen(database.get(key) ?? []), key).toEqual(values);
      expect(p.failures.records.map((r) => JSON.parse(Buffer.from(r.data, 'base64').toString()))).toEqual([{ key: 'k1', v: 26, poison: true }]);
      expect(p.failures.records[0]).toMatchObject({ attempts: 3 });
      // Both workers ran it as owner, none as a shadow.
      const primaries = p.telemetry.batches.filter((b) => b.mode === 'primary' && b.records > 0);
      expect(new Set(primaries.map((b) => b.workerId))).toEqual(new Set(['w1', 'w2']));
      const shadowBatches = p.telemetry.batches.filter((b) => b.mode === 'shadow');
      expect(shadowBatches.length).toBeGreaterThan(0);
      expect(shadowBatches.every((b) => b.records === 0)).toBe(true);
    } finally {
      await p.stop();
    }
  });

  it('is measured by a shadow when declared side-effect free', async () => {
    database.clear();
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2' }], program: fromBatchHandler(handler, { sideEffectFree: true }) });
    try {
      await p.tick();
      const shard = (await p.metadata.listPartitions())[0]!;
      const other = shard.ownerWorkerId === 'w1' ? 'w2' : 'w1';
      await p.tick(scriptedPolicy(() => [{ type: 'create-shadow', shadowId: shadowIdFor(shard.shardId, other), shardId: shard.shardId, workerId: other, kind: 'forward', rate: 1, reason: 'test' }]));
      p.esm.start();
      await p.produce(Array.from({ length: 40 }, (_, i) => ({ key: `k${i % 4}`, v: i + 1 })));
      await until(() => p.telemetry.batches.some((b) => b.mode === 'shadow' && b.records > 0));
      await p.stop();
      const measured = (await p.metadata.listShadowStats()).find((s) => s.shadowId === shadowIdFor(shard.shardId, other));
      expect(measured?.records).toBeGreaterThan(0);
      expect(measured?.busyMs).toBeGreaterThan(0);
    } finally {
      await p.stop();
    }
  });
});
