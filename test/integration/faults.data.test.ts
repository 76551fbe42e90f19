import { describe, expect, it } from 'vitest';
import { dynamoDbClient } from '../../adapters/aws/clients.js';
import { awsServiceError } from '../../local/runtime/chaos.js';
import { crashOnceAt, records, startPipeline, useEmulators } from './pipeline.js';

const emulators = useEmulators();
const clients = () => ({ kinesis: emulators.kinesis(), dynamo: emulators.dynamo() });

/**
 * Fault matrix, data-plane rows (core/ports/crash-points.port.ts and injected DynamoDB errors), each through
 * the real dispatcher and worker on kinesis-local + dynalite and checked against the ledger: nothing lost,
 * nothing applied twice, per-key order kept, no healthy record in the failure sink, nothing discarded by
 * the mapping. Recovery bound: the mapping's retry of the batch (well under the settle time of 20 s).
 */
describe('the data plane when a process dies or DynamoDB throttles', () => {
  it('a worker that dies after applying some keys of a batch: the batch comes again and only the rest is applied', async () => {
    const crash = crashOnceAt('worker.after-state-write');
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1' }], crashPoint: crash });
    try {
      await p.tick();
      p.esm.start();
      await p.produce(records(200, 16));
      const { verdicts } = await p.settle(20_000);
      expect(crash.fired()).toBe(1);
      expect(verdicts).toEqual([]);
      expect(p.failures.records).toEqual([]);
      expect(p.esm.stats.discardedBatches).toBe(0);
      // The retry skipped what the dead invocation had applied (idempotence by sequence number per key).
      expect(p.telemetry.batches.some((b) => b.mode === 'primary' && b.skippedDuplicates > 0)).toBe(true);
    } finally {
      await p.stop();
    }
  });

  it('the dispatcher dies after the owner applied a batch: the mapping delivers it again, nothing is applied twice', async () => {
    const crash = crashOnceAt('dispatcher.after-owner-applied');
    const p = await startPipeline(clients(), { shards: 2, workers: [{ workerId: 'w1' }, { workerId: 'w2' }], crashPoint: crash });
    try {
      await p.tick();
      p.esm.start();
      await p.produce(records(200, 16));
      const { verdicts } = await p.settle(20_000);
      expect(crash.fired()).toBe(1);
      expect(verdicts).toEqual([]);
      expect(p.failures.records).toEqual([]);
      expect(p.esm.stats.failedInvocations).toBeGreaterThanOrEqual(1);
      expect(p.esm.stats.discardedBatches).toBe(0);
    } finally {
      await p.stop();
    }
  });

  it('DynamoDB throttles the workers\' state path (reads and writes) for 5 s: batches are retried and flow again, no healthy record dead-lettered', async () => {
    const throttled = dynamoDbClient({ endpoint: emulators.dynamoEndpoint(), maxAttempts: 2 });
    let until = 0;
    let injected = 0;
    throttled.middlewareStack.add(
      (next) => async (args) => {
        // State reads and writes are throttled; the attempt counter (UpdateItem) is not: intermittent
        // throttling, where counting succeeds while processing fails, is what could dead-letter healthy records.
        const target = (args.request as { headers?: Record<string, string> }).headers?.['x-amz-target'] ?? '';
        if (Date.now() < until && /\.(GetItem|PutItem)$/.test(target)) {
          injected += 1;
          throw awsServiceError('ProvisionedThroughputExceededException', 'Rate of requests exceeds the allowed throughput (injected)');
        }
        return next(args);
      },
      { step: 'deserialize', name: 'injectedThrottle', priority: 'low' },
    );
    // A throttle is not a crash: the worker hands the keys back itself, with no function error, so the
    // dispatcher opens no crash search and counts no attempt.
    let functionErrors = 0;
    const p = await startPipeline(clients(), {
      shards: 1,
      workers: [{ workerId: 'w1' }],
      stateClient: throttled,
      wrapInvoker: (inner) => ({
        invoke: async (workerId, request) => {
          const outcome = await inner.invoke(workerId, request);
          if (!outcome.ok && outcome.reason === 'function-error') functionErrors += 1;
          return outcome;
        },
        invokeAsync: (workerId, request) => inner.invokeAsync(workerId, request),
      }),
    });
    try {
      await p.tick();
      p.esm.start();
      await p.produce(records(100, 8, { prefix: 'a-' }));
      expect((await p.settle()).verdicts).toEqual([]);
      until = Date.now() + 5000;
      await p.produce(records(200, 8, { prefix: 'b-' }));
      const { verdicts } = await p.settle(30_000);
      expect(injected).toBeGreaterThan(0);
      expect(functionErrors).toBe(0);
      expect(verdicts).toEqual([]);
      expect(p.failures.records).toEqual([]);
      expect(p.esm.stats.discardedBatches).toBe(0);
    } finally {
      await p.stop();
      throttled.destroy();
    }
  });
});
