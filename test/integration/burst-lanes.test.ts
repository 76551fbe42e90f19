import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config/index.js';
import { crashOnceAt, records, startPipeline, useEmulators } from './pipeline.js';

const emulators = useEmulators();
const clients = () => ({ kinesis: emulators.kinesis(), dynamo: emulators.dynamo() });

/** Lanes that open once a batch's oldest record is 300 ms old (5 s on AWS): a backlog of slow records does that. */
const lanes = parseConfig({ lanes: { openAtAgeMs: 300 } }).lanes;

/**
 * Burst lanes through the real dispatcher and workers on kinesis-local + dynalite, checked against the ledger:
 * every record applied exactly once, per-key order kept, while a lagging shard's batches run on two workers.
 */
describe('burst lanes on the emulators', () => {
  it('fans a lagging shard out over its owner and a faster worker, and applies every record once, in key order', async () => {
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2', speed: 2 }], dispatcher: { lanes } });
    try {
      await p.tick();
      const [owned] = await p.metadata.listPartitions();
      p.esm.start();
      await p.produce(records(400, 24, { costMs: 30 }));
      const { verdicts } = await p.settle(30_000);
      expect(verdicts).toEqual([]);
      expect(p.failures.records).toEqual([]);
      expect(p.telemetry.dispatches.some((d) => (d.lanes ?? 1) > 1)).toBe(true);
      // Both workers applied records of the one shard; the partition still names its owner.
      const appliedBy = new Set(p.telemetry.batches.filter((b) => b.mode === 'primary' && b.records > 0).map((b) => b.workerId));
      expect(appliedBy).toEqual(new Set(['w1', 'w2']));
      expect((await p.metadata.getPartition(owned!.shardId))?.ownerWorkerId).toBe(owned!.ownerWorkerId);
    } finally {
      await p.stop();
    }
  });

  it('a lane whose worker dies after applying some keys: the batch comes again, nothing is lost or applied twice', async () => {
    // The first batches go out in one lane (nothing lags yet): the crash is armed once a batch went out in
    // lanes, so it kills a lane of a laned batch (lanes stay open while the backlog lasts).
    let lanesSeen = () => false;
    const crash = crashOnceAt('worker.after-state-write', () => lanesSeen());
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2', speed: 2 }], dispatcher: { lanes }, crashPoint: crash });
    lanesSeen = () => p.telemetry.dispatches.some((d) => (d.lanes ?? 1) > 1);
    try {
      await p.tick();
      p.esm.start();
      await p.produce(records(400, 24, { costMs: 30 }));
      const { verdicts } = await p.settle(40_000);
      expect(crash.fired()).toBe(1);
      expect(verdicts).toEqual([]);
      expect(p.failures.records).toEqual([]);
      expect(p.esm.stats.discardedBatches).toBe(0);
      // The retry skipped what the dead lane had applied (idempotence by sequence number per key).
      expect(p.telemetry.batches.some((b) => b.mode === 'primary' && b.skippedDuplicates > 0)).toBe(true);
    } finally {
      await p.stop();
    }
  });
});
