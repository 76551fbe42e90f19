import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWorkerService } from '../../app/worker/worker-service.js';
import { noTelemetry } from '../../app/telemetry.js';
import { foldDigest, INITIAL_DIGEST, type Aggregate } from '../../processor/aggregates.processor.js';
import { defineProcessor } from '../../processor/api.js';
import { FakeMetadata, partition, request, wireRecord, workerDeps } from './factories.js';

/**
 * Whatever the event source mapping does within its contract — redeliver from any earlier point, batches of
 * any size, resume at the lowest reported failure — and whatever fails transiently or for good, each key ends
 * up with exactly its good records applied once, in order, and exactly the poison records are dead-lettered.
 */
describe('the worker under arbitrary redelivery', () => {
  it('applies every good record exactly once in per-key order and dead-letters exactly the poison', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), failures: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 }), fc.constant(Infinity)) }), { minLength: 1, maxLength: 25 }),
        fc.array(fc.record({ size: fc.integer({ min: 1, max: 8 }), back: fc.integer({ min: 0, max: 6 }) }), { minLength: 1, maxLength: 30 }),
        async (plan, schedule) => {
          const records = plan.map((p, i) => wireRecord(i, p.key, { v: i + 1 }));
          const remaining = new Map(plan.map((p, i) => [records[i]!.sequenceNumber, p.failures]));
          const processor = defineProcessor<Aggregate>({
            name: 'flaky-aggregates',
            process(record, ctx) {
              const left = remaining.get(record.sequenceNumber) ?? 0;
              if (left > 0) {
                remaining.set(record.sequenceNumber, left - 1);
                throw new Error('fails');
              }
              const v = (JSON.parse(record.data.toString()) as { v: number }).v;
              const before = ctx.state.get();
              ctx.state.set({ count: (before?.count ?? 0) + 1, sum: (before?.sum ?? 0) + v, lastSequenceNumber: record.sequenceNumber, digest: foldDigest(before?.digest ?? INITIAL_DIGEST, v) });
            },
          });
          const deps = workerDeps(new FakeMetadata(partition()), { maxAttempts: 3 });
          const worker = createWorkerService(processor, deps, noTelemetry);

          let cursor = 0;
          for (let step = 0; cursor < records.length && step < 400; step += 1) {
            const s = schedule[step % schedule.length]!;
            const from = Math.max(0, cursor - s.back);
            const batch = records.slice(from, Math.max(cursor, from) + s.size);
            const response = await worker.handle(request(batch));
            const lowest = response.batchItemFailures[0]?.itemIdentifier;
            const failedAt = lowest === undefined ? -1 : records.findIndex((r) => r.sequenceNumber === lowest);
            cursor = failedAt === -1 ? from + batch.length : Math.max(cursor, failedAt);
          }
          expect(cursor).toBe(records.length);

          for (const key of ['a', 'b', 'c']) {
            const good = plan.map((p, i) => ({ ...p, v: i + 1, seq: records[i]!.sequenceNumber })).filter((p) => p.key === key && p.failures !== Infinity);
            const actual = deps.state.items.get(key)?.value as Aggregate | undefined;
            if (good.length === 0) {
              expect(actual?.count ?? 0).toBe(0);
              continue;
            }
            expect(actual).toEqual({ count: good.length, sum: good.reduce((n, g) => n + g.v, 0), lastSequenceNumber: good.at(-1)!.seq, digest: good.reduce((d, g) => foldDigest(d, g.v), INITIAL_DIGEST) });
          }
          const poison = plan.flatMap((p, i) => (p.failures === Infinity ? [records[i]!.sequenceNumber] : []));
          expect(deps.failures.records.map((r) => r.sequenceNumber).sort()).toEqual(poison.sort());
        },
      ),
      { numRuns: 150 },
    );
  });
});
