import { describe, expect, it } from 'vitest';
import { isSampled } from '../../app/sequence.js';
import { shadowIdFor } from '../../core/model/index.js';
import { failed, type WorkerInvoker } from '../../core/ports/index.js';
import { records, scriptedPolicy, startPipeline, useEmulators, type Pipeline } from './pipeline.js';

const emulators = useEmulators();
const clients = () => ({ kinesis: emulators.kinesis(), dynamo: emulators.dynamo() });

/** Places the pipeline's one shard and a forward shadow of it at `rate` on the worker that does not own it. */
async function placeShadow(p: Pipeline, rate: number): Promise<{ shadowId: string; shadowWorker: string }> {
  await p.tick();
  const [shard] = await p.metadata.listPartitions();
  const shadowWorker = shard!.ownerWorkerId === 'w1' ? 'w2' : 'w1';
  const shadowId = shadowIdFor(shard!.shardId, shadowWorker);
  await p.tick(scriptedPolicy(() => [{ type: 'create-shadow', shadowId, shardId: shard!.shardId, workerId: shadowWorker, kind: 'forward', rate, reason: 'test' }]));
  return { shadowId, shadowWorker };
}

describe('shadow partitions on kinesis-local and dynalite', () => {
  it('clones a sampled share of about r to the shadow, with no side effects', async () => {
    const rate = 0.25;
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }, { workerId: 'w2' }] });
    try {
      const { shadowId, shadowWorker } = await placeShadow(p, rate);
      p.esm.start();
      await p.produce(records(300, 20));
      const { verdicts } = await p.settle();
      await p.localInvoker.idle();
      expect(verdicts).toEqual([]);
      const stats = (await p.metadata.listShadowStats()).find((s) => s.shadowId === shadowId);
      const sampled = p.ledger.all().filter((r) => isSampled(r.sequenceNumber, rate)).length;
      expect(stats?.records).toBe(sampled);
      expect(Math.abs(sampled / 300 - rate)).toBeLessThan(0.08);
      expect(stats!.histogram.buckets.reduce((n, b) => n + b.records, 0)).toBe(sampled);
      const shadowBatches = p.telemetry.batches.filter((b) => b.mode === 'shadow');
      expect(shadowBatches.every((b) => b.workerId === shadowWorker)).toBe(true);
      expect(shadowBatches.reduce((n, b) => n + b.discardedStateWrites, 0)).toBe(sampled);
    } finally {
      await p.stop();
    }
  });

  it('counts a batch the ESM retries (and the dispatcher clones again) once in the shadow stats', async () => {
    const rate = 0.5;
    let ownerFailures = 0;
    const p = await startPipeline(clients(), {
      shards: 1,
      workers: [{ workerId: 'w1' }, { workerId: 'w2' }],
      // The owner's first two calls fail: the ESM retries those batches whole, and each retry is cloned to the shadow again.
      wrapInvoker: (inner) => ({
        invoke: async (id, request) => (request.mode === 'primary' && ownerFailures < 2 ? ((ownerFailures += 1), failed('throttled', 'owner busy')) : inner.invoke(id, request)),
        invokeAsync: (id, request) => inner.invokeAsync(id, request),
      }),
    });
    try {
      const { shadowId } = await placeShadow(p, rate);
      p.esm.start();
      await p.produce(records(100, 10));
      const { verdicts } = await p.settle();
      await p.localInvoker.idle();
      expect(verdicts).toEqual([]);
      expect(ownerFailures).toBe(2);
      const sampled = p.ledger.all().filter((r) => isSampled(r.sequenceNumber, rate)).length;
      const shadowBatches = p.telemetry.batches.filter((b) => b.mode === 'shadow');
      const skipped = shadowBatches.reduce((n, b) => n + b.skippedDuplicates, 0);
      expect(skipped).toBeGreaterThan(0);
      expect(shadowBatches.reduce((n, b) => n + b.records, 0)).toBe(sampled + skipped);
      expect((await p.metadata.listShadowStats()).find((s) => s.shadowId === shadowId)?.records).toBe(sampled);
    } finally {
      await p.stop();
    }
  });

  it('keeps the primary path flowing when the shadow worker hangs or fails', async () => {
    const hanging: WorkerInvoker['invokeAsync'] = () => new Promise(() => undefined);
    const p = await startPipeline(clients(), {
      shards: 1,
      workers: [{ workerId: 'w1' }],
      wrapInvoker: (inner) => ({
        invoke: (id, request) => inner.invoke(id, request),
        invokeAsync: (id, request) => (id === 'hangs' ? hanging(id, request) : id === 'fails' ? Promise.reject(new Error('shadow worker down')) : inner.invokeAsync(id, request)),
      }),
    });
    try {
      await p.tick();
      const [shard] = await p.metadata.listPartitions();
      // A shard has at most one live shadow of each kind: one forward shadow hangs, one reverse shadow fails.
      await p.tick(
        scriptedPolicy(() =>
          (['hangs', 'fails'] as const).map((workerId) => ({
            type: 'create-shadow' as const,
            shadowId: shadowIdFor(shard!.shardId, workerId),
            shardId: shard!.shardId,
            workerId,
            kind: workerId === 'hangs' ? ('forward' as const) : ('reverse' as const),
            rate: 1,
            reason: 'test',
          })),
        ),
      );
      p.esm.start();
      await p.produce(records(150, 10));
      const { verdicts } = await p.settle();
      await p.stop();
      expect(verdicts).toEqual([]);
      expect(p.telemetry.dispatches.every((d) => d.failedRecords === 0)).toBe(true);
      expect(p.telemetry.dispatches.reduce((n, d) => n + d.shadowRecords, 0)).toBe(300);
      expect(p.esm.stats.partialFailures + p.esm.stats.failedInvocations).toBe(0);
    } finally {
      await p.stop();
    }
  });
});
