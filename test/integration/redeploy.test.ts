import { describe, expect, it } from 'vitest';
import { records, startPipeline, useEmulators } from './pipeline.js';

const emulators = useEmulators();
const clients = () => ({ kinesis: emulators.kinesis(), dynamo: emulators.dynamo() });

/**
 * Issue 9, case 3: a redeploy that removes one worker class and resizes another. The dispatcher can no
 * longer invoke the removed class (not-found: it hands the batch back), so its shards must move before
 * anything else. Recovery bound: the first SPM tick after the redeploy, plus the dispatcher's placement
 * cache (1 s on AWS, 0.5 s here).
 */
describe('a redeploy that removes and resizes worker classes', () => {
  it('reconciles the pool on the next tick, moves the removed class\'s shards, and loses nothing', async () => {
    const p = await startPipeline(clients(), {
      shards: 2,
      workers: [
        { workerId: 'small', slots: 2, memoryMb: 512 },
        { workerId: 'large', slots: 4, memoryMb: 2048 },
      ],
    });
    try {
      await p.tick();
      expect(new Set((await p.metadata.listPartitions()).map((x) => x.ownerWorkerId))).toEqual(new Set(['small', 'large']));
      p.esm.start();
      await p.produce(records(100, 8, { prefix: 'before-' }));
      expect((await p.settle()).verdicts).toEqual([]);

      // Redeploy: `small` removed, `large` resized from 4 to 16 slots. Records keep arriving meanwhile.
      p.redeploy([{ workerId: 'large', slots: 16, memoryMb: 2048 }]);
      await p.produce(records(100, 8, { prefix: 'during-' }));
      await new Promise((resolve) => setTimeout(resolve, 1000));

      const report = await p.tick();
      expect(report.reconciled.filter((r) => r.applied).map((r) => [r.action.type, 'fromWorkerId' in r.action ? r.action.fromWorkerId : undefined])).toEqual([['move', 'small']]);
      expect(await p.metadata.listWorkers()).toEqual([expect.objectContaining({ workerId: 'large', slots: 16, memoryMb: 2048 })]);
      expect(new Set((await p.metadata.listPartitions()).map((x) => x.ownerWorkerId))).toEqual(new Set(['large']));

      await p.produce(records(100, 8, { prefix: 'after-' }));
      const { verdicts } = await p.settle(20_000);
      expect(verdicts).toEqual([]);
      expect(p.failures.records).toEqual([]);
      expect(p.esm.stats.discardedBatches).toBe(0);
      // The reconciliation's move is in the audit log like any other action.
      const audit = await p.metadata.listAudit(0);
      expect(audit.some((e) => e.entry.kind === 'action' && e.entry.action.type === 'move' && e.entry.applied && e.entry.action.reason.includes('no longer deployed'))).toBe(true);
    } finally {
      await p.stop();
    }
  });
});
