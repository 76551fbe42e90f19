import { describe, expect, it } from 'vitest';
import { localContext } from '../../adapters/local/lambda-context.local.js';
import { noTelemetry } from '../../app/telemetry.js';
import { createWorkerHandler } from '../../functions/worker/create-worker-handler.js';
import { defineProcessor } from '../../processor/api.js';
import { FakeMetadata, partition, request, wireRecord, workerDeps } from './factories.js';

/** A processor that records how many partition keys were being processed at the same moment. */
function overlapProbe() {
  const seen = { inFlight: 0, maxInFlight: 0 };
  const processor = defineProcessor<{ n: number }>({
    name: 'overlap-probe',
    async process(_record, ctx) {
      seen.inFlight += 1;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      ctx.state.set({ n: (ctx.state.get()?.n ?? 0) + 1 });
      seen.inFlight -= 1;
    },
  });
  return { seen, processor };
}

const batch = request(['a', 'b', 'c', 'd'].map((key, i) => wireRecord(i, key, { v: i })));

describe('createWorkerHandler options', () => {
  it.each([
    ['one key at a time when keyConcurrency is 1', 1, 1],
    ['several keys at once by default', undefined, 4],
  ])('processes %s', async (_what, keyConcurrency, expectedOverlap) => {
    const { seen, processor } = overlapProbe();
    const deps = workerDeps(new FakeMetadata(partition()), keyConcurrency === undefined ? {} : { keyConcurrency });
    const handler = createWorkerHandler(processor, { ...deps, telemetry: noTelemetry });
    const response = await handler(batch, localContext('worker', 60_000));
    expect(response.processed).toBe(4);
    expect(seen.maxInFlight).toBe(expectedOverlap);
  });
});
