import { describe, expect, it } from 'vitest';
import { records, startPipeline, useEmulators } from './pipeline.js';

const emulators = useEmulators();
const clients = () => ({ kinesis: emulators.kinesis(), dynamo: emulators.dynamo() });

describe('the data plane on kinesis-local and dynalite', () => {
  it('carries records from the stream through the dispatcher to each shard owner and into the output table', async () => {
    // The shard load written with every batch, so that none is still held in memory when the test reads it.
    const p = await startPipeline(clients(), { shards: 2, workers: [{ workerId: 'w1' }, { workerId: 'w2' }], dispatcher: { loadFlushIntervalMs: 0 } });
    try {
      const report = await p.tick();
      expect(report.discovered).toHaveLength(2);
      const owners = (await p.metadata.listPartitions()).map((x) => x.ownerWorkerId).sort();
      expect(owners).toEqual(['w1', 'w2']);
      p.esm.start();
      await p.produce(records(200, 16));
      const { verdicts, states } = await p.settle();
      expect(verdicts).toEqual([]);
      expect(states.size).toBe(16);
      const byWorker = new Set(p.telemetry.batches.filter((b) => b.mode === 'primary' && b.records > 0).map((b) => b.workerId));
      expect(byWorker).toEqual(new Set(['w1', 'w2']));
      // The EMF the worker handlers printed reached the local metrics store under the shard dimension.
      const points = await p.metrics.shardMetrics(
        (await p.metadata.listPartitions()).map((x) => x.shardId),
        0,
        Date.now() + 1000,
        3_600_000,
      );
      const processed = Object.values(points).flat().reduce((n, pt) => n + pt.processedRecords, 0);
      expect(processed).toBe(200);
      // And each shard's load per minute reached the metadata table, every record once, on the shard the ledger says.
      const thisMinute = Math.floor(Date.now() / 60_000) * 60_000;
      const loads = (await Promise.all([-2, -1, 0].map((k) => p.load.listShardLoad(thisMinute + k * 60_000)))).flat();
      const bySource = (f: 'incomingRecords' | 'processedRecords') => Object.fromEntries([...new Set(loads.map((l) => l.shardId))].map((id) => [id, loads.filter((l) => l.shardId === id).reduce((n, l) => n + l[f], 0)]));
      const perShard = Object.fromEntries([...new Set(p.ledger.all().map((r) => r.shardId))].map((id) => [id, p.ledger.all().filter((r) => r.shardId === id).length]));
      expect(bySource('incomingRecords')).toEqual(perShard);
      expect(bySource('processedRecords')).toEqual(perShard);
      expect(loads.every((l) => l.busyMs >= 0 && l.incomingBytes > 0)).toBe(true);
    } finally {
      await p.stop();
    }
  });

  it('sends a poison record to the failure destination after the bounded attempts while its shard keeps flowing', async () => {
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }], maxAttempts: 3 });
    try {
      await p.tick();
      p.esm.start();
      const batch = records(60, 6).map((r, i) => (i === 20 ? { ...r, poison: true } : r));
      await p.produce(batch);
      const { verdicts } = await p.settle();
      expect(verdicts).toEqual([]);
      const poison = p.ledger.all().find((r) => r.poison)!;
      expect(p.failures.records).toHaveLength(1);
      const failed = p.failures.records[0]!;
      expect(failed).toMatchObject({ shardId: poison.shardId, sequenceNumber: poison.sequenceNumber, partitionKey: poison.key, attempts: 3, workerId: 'w1' });
      expect(JSON.parse(Buffer.from(failed.data, 'base64').toString('utf8'))).toMatchObject({ v: poison.v, poison: true });
      // The records of the poison's own key that came after it were applied too (the shard did not stall).
      const later = p.ledger.byKey.get(poison.key)!.filter((r) => BigInt(r.sequenceNumber) > BigInt(poison.sequenceNumber));
      expect(later.length).toBeGreaterThan(0);
      expect(p.esm.stats.discardedBatches).toBe(0);
    } finally {
      await p.stop();
    }
  });
});
