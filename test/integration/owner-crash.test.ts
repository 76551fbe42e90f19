import { describe, expect, it } from 'vitest';
import { records, startPipeline, useEmulators } from './pipeline.js';

const emulators = useEmulators();
const clients = () => ({ kinesis: emulators.kinesis(), dynamo: emulators.dynamo() });

/** The worker class's function timeout in these tests, in ms. */
const TIMEOUT_MS = 1000;
/**
 * How long the shard may take to deliver everything around the crashing record, in ms: a bisection of a
 * 50-record batch (about six crashed invocations, each up to the timeout) and three crashes of the record
 * alone, each followed by the mapping's retry back-off (at most 1 s).
 */
const FLOWING_BOUND_MS = 40_000;

describe("a record that crashes its owner's invocation", () => {
  it.each([
    ['hangs until the function times out', { costMs: 3_600_000 }],
    ["makes the key's state write fail (an item over DynamoDB's 400 KB: a function error)", { stateBytes: 450_000 }],
  ])('%s: is counted, bisected to, and sent alone with its data to the failure destination after 3 attempts; the shard flows on', async (_what, fault) => {
    const p = await startPipeline(clients(), { shards: 1, workers: [{ workerId: 'w1', timeoutMs: TIMEOUT_MS }], maxAttempts: 3 });
    try {
      await p.tick();
      p.esm.start();
      const producedAtMs = Date.now();
      await p.produce(records(60, 6).map((r, i) => (i === 20 ? { ...r, ...fault, failing: true } : r)));

      const { verdicts } = await p.settle(FLOWING_BOUND_MS);
      const flowingAfterMs = Date.now() - producedAtMs;
      // 0 lost, 0 applied twice, per-key order kept; the crashing record is not applied.
      expect(verdicts).toEqual([]);
      expect(flowingAfterMs).toBeLessThan(FLOWING_BOUND_MS);

      const crasher = p.ledger.all().find((r) => r.poison)!;
      expect(p.failures.records).toHaveLength(1);
      const failed = p.failures.records[0]!;
      expect(failed).toMatchObject({ shardId: crasher.shardId, sequenceNumber: crasher.sequenceNumber, partitionKey: crasher.key, attempts: 3, workerId: 'w1' });
      expect(JSON.parse(Buffer.from(failed.data, 'base64').toString('utf8'))).toMatchObject({ v: crasher.v, ...fault });
      // The records of its key after it were applied too, and the mapping discarded nothing.
      expect(p.ledger.byKey.get(crasher.key)!.filter((r) => BigInt(r.sequenceNumber) > BigInt(crasher.sequenceNumber)).length).toBeGreaterThan(0);
      expect(p.esm.stats.discardedBatches).toBe(0);
      // The search is over: nothing left for the next crash in this shard to resume.
      expect(await p.metadata.getSuspectRange(crasher.shardId)).toBeUndefined();
    } finally {
      await p.stop();
    }
  });
});
