import { describe, expect, it } from 'vitest';
import { kinesisClient } from '../../adapters/aws/clients.js';
import { startCutProxy } from '../support/cut-proxy.js';
import { records, startPipeline, useEmulators } from './pipeline.js';

const emulators = useEmulators();

/**
 * Fault matrix row: Kinesis unreachable under load. Every Kinesis call of the pipeline (the producer, the
 * mapping's GetRecords, the dispatcher's parent-drain reads, the SPM's ListShards) goes through a TCP proxy
 * whose link is cut for 5 s while batches are in flight: open connections are reset, new ones refused, as in
 * a restart or a network drop. kinesis-local keeps its data, as Kinesis does. Checked against the ledger.
 */
describe('the data plane when Kinesis is unreachable under load', () => {
  it('a 5 s outage mid-processing: nothing lost, nothing applied twice, every shard flows again', { timeout: 90_000 }, async () => {
    const proxy = await startCutProxy(Number(new URL(emulators.kinesisEndpoint()).port));
    const kinesis = kinesisClient({ endpoint: proxy.endpoint, maxAttempts: 2 });
    const p = await startPipeline({ kinesis, dynamo: emulators.dynamo() }, { shards: 2, workers: [{ workerId: 'w1' }, { workerId: 'w2' }] });
    try {
      await p.tick();
      await p.produce(records(400, 16, { costMs: 10 }));
      p.esm.start();
      // Let the first batches start, then drop the link while the shards are being read and processed.
      while (p.telemetry.batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      const outage = proxy.cut(5000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // The SPM's tick during the outage fails (its Lambda invocation errors; the next schedule runs it again).
      await expect(p.tick()).rejects.toThrow();
      await outage;
      expect(proxy.dropped()).toBeGreaterThan(0);
      // The next scheduled ticks run again. The first after the outage may still meet a pooled connection the
      // cut killed (socket hang up), as an SPM invocation would; the schedule's following one then succeeds.
      let tickError: unknown;
      for (let attempt = 0; attempt < 5; attempt += 1) {
        tickError = await p.tick().then(
          () => undefined,
          (error: unknown) => error,
        );
        if (tickError === undefined) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(tickError).toBeUndefined();
      await p.produce(records(100, 16, { costMs: 1, prefix: 'after-' }));
      const { verdicts } = await p.settle(45_000);
      expect(verdicts).toEqual([]);
      expect(p.failures.records).toEqual([]);
      expect(p.esm.stats.discardedBatches).toBe(0);
    } finally {
      await p.stop();
      kinesis.destroy();
      await proxy.stop();
    }
  });
});
