import type { LambdaClient } from '@aws-sdk/client-lambda';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { lambdaClient } from '../../adapters/aws/clients.js';
import { CorruptDataError } from '../../adapters/aws/errors.js';
import { splitToFit } from '../../adapters/aws/payload-split.js';
import { ASYNC_PAYLOAD_LIMIT_BYTES, LambdaWorkerInvoker } from '../../adapters/aws/worker-invoker.lambda.js';
import type { WorkerRequest } from '../../core/ports/worker-invoker.port.js';
import { startFakeLambda, type FakeLambda, type FakeLambdaOptions, type FunctionBehaviour } from '../support/lambda.server.js';
import { aRecord, aWorkerRequest } from '../support/fixtures.js';

const FUNCTIONS: Record<string, string> = { 'small-1': 'foreshadow-worker-small', 'large-1': 'foreshadow-worker-large', 'gone-1': 'foreshadow-worker-deleted' };

/** A worker that processes everything and fails the record with sequence number ending in 3. */
const worker: FunctionBehaviour = {
  kind: 'respond',
  respond: (payload) => {
    const request = payload as WorkerRequest;
    return {
      batchItemFailures: request.records.filter((r) => r.sequenceNumber.endsWith('3')).map((r) => ({ itemIdentifier: r.sequenceNumber })),
      processed: request.records.length,
      busyMs: request.records.length * 2,
    };
  },
};

let fake: FakeLambda | undefined;
let client: LambdaClient | undefined;
afterEach(async () => {
  client?.destroy();
  await fake?.stop();
  fake = undefined;
});

async function invokerWith(
  large: FunctionBehaviour,
  options: FakeLambdaOptions & { asyncPayloadLimitBytes?: number; requestTimeoutMs?: number } = {},
): Promise<LambdaWorkerInvoker> {
  fake = await startFakeLambda({ 'foreshadow-worker-small': worker, 'foreshadow-worker-large': large }, options);
  client = lambdaClient({ endpoint: fake.endpoint, maxAttempts: 1, ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }) });
  return new LambdaWorkerInvoker(client, {
    functionNameOf: (id) => FUNCTIONS[id],
    ...(options.asyncPayloadLimitBytes === undefined ? {} : { asyncPayloadLimitBytes: options.asyncPayloadLimitBytes }),
  });
}

describe('LambdaWorkerInvoker against an Invoke endpoint on loopback', () => {
  it('invokes the owner synchronously with the whole batch and returns its response', async () => {
    const invoker = await invokerWith(worker);
    const request = aWorkerRequest(5);
    const result = await invoker.invoke('large-1', request);
    expect(result).toEqual({ ok: true, value: { batchItemFailures: [{ itemIdentifier: request.records[3]!.sequenceNumber }], processed: 5, busyMs: 10 } });
    expect(fake!.invokes).toEqual([{ functionName: 'foreshadow-worker-large', invocationType: 'RequestResponse', bytes: expect.any(Number), payload: request }]);
  });

  it.each([
    ['a function error', { kind: 'function-error', errorType: 'Error', errorMessage: 'processor blew up on key-3' } as const, 'function-error', /Unhandled function error: .*processor blew up on key-3/],
    ['throttling (429)', { kind: 'throttle' } as const, 'throttled', /TooManyRequestsException: Rate Exceeded/],
  ])('returns %s of the owner as a value', async (_case, behaviour, reason, detail) => {
    const invoker = await invokerWith(behaviour);
    const result = await invoker.invoke('large-1', aWorkerRequest(2));
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok ? '' : result.detail).toMatch(detail);
  });

  it('answers timeout when the owner does not answer within the client request timeout', async () => {
    const invoker = await invokerWith({ kind: 'hang' }, { requestTimeoutMs: 300 });
    const result = await invoker.invoke('large-1', aWorkerRequest(1));
    expect(result).toMatchObject({ ok: false, reason: 'timeout' });
    expect(result.ok ? '' : result.detail).toMatch(/TimeoutError/);
  });

  it('answers not-found for a worker without a function and for a function Lambda does not know', async () => {
    const invoker = await invokerWith(worker);
    expect(await invoker.invoke('nobody', aWorkerRequest(1))).toMatchObject({ ok: false, reason: 'not-found', detail: 'no worker function for worker nobody' });
    expect(await invoker.invoke('gone-1', aWorkerRequest(1))).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await invoker.invokeAsync('gone-1', aWorkerRequest(1, { mode: 'shadow' }))).toMatchObject({ ok: false, reason: 'not-found' });
  });

  it('answers payload-too-large when Lambda refuses a synchronous payload (413)', async () => {
    const invoker = await invokerWith(worker, { syncLimitBytes: 2_000 });
    expect(await invoker.invoke('large-1', aWorkerRequest(50))).toMatchObject({ ok: false, reason: 'payload-too-large' });
  });

  it('throws a CorruptDataError when the worker answers something that is not a WorkerResponse', async () => {
    const invoker = await invokerWith({ kind: 'respond', respond: () => ({ processed: 'lots' }) });
    await expect(invoker.invoke('large-1', aWorkerRequest(1))).rejects.toThrow(CorruptDataError);
  });

  it('sends a shadow batch as Event invocations of at most 1 MB each, records in order and none lost', async () => {
    const invoker = await invokerWith(worker);
    // ~2.7 MB of records: 270 records of ~10 KB once base64-encoded.
    const request = aWorkerRequest(270, { mode: 'shadow', shadowId: 'shardId-000000000000@large-1', hashKeyStart: '0', hashKeyEnd: '99' }, 7_500);
    const result = await invoker.invokeAsync('large-1', request);
    const sent = fake!.invokes;
    expect(result).toEqual({ ok: true, value: { calls: sent.length } });
    expect(sent.length).toBe(3);
    expect(sent.every((i) => i.invocationType === 'Event' && i.bytes <= ASYNC_PAYLOAD_LIMIT_BYTES)).toBe(true);
    // The parts go out concurrently, so they may reach Lambda in any order: put them back in the order of
    // their first record, then they must be contiguous runs that rebuild the batch exactly.
    const position = (i: (typeof sent)[number]): number => request.records.findIndex((r) => r.sequenceNumber === (i.payload as WorkerRequest).records[0]?.sequenceNumber);
    const parts = [...sent].sort((a, b) => position(a) - position(b));
    expect(parts.flatMap((i) => (i.payload as WorkerRequest).records)).toEqual(request.records);
    expect(sent.every((i) => (i.payload as WorkerRequest).shadowId === request.shadowId && (i.payload as WorkerRequest).hashKeyEnd === '99')).toBe(true);
  });

  it('refuses a shadow batch with a record that cannot fit on its own, sending nothing', async () => {
    const invoker = await invokerWith(worker, { asyncPayloadLimitBytes: 3_000, asyncLimitBytes: 3_000 });
    const request = { ...aWorkerRequest(3, { mode: 'shadow' }), records: [aRecord(0), aRecord(1, 5_000), aRecord(2)] };
    const result = await invoker.invokeAsync('large-1', request);
    expect(result).toMatchObject({ ok: false, reason: 'payload-too-large' });
    expect(result.ok ? '' : result.detail).toContain(aRecord(1).sequenceNumber);
    expect(fake!.invokes).toEqual([]);
  });

  it('reports throttling of a shadow part with how many parts went through', async () => {
    const invoker = await invokerWith({ kind: 'throttle-after', calls: 2 }, { asyncPayloadLimitBytes: 2_000, asyncLimitBytes: 2_000 });
    const result = await invoker.invokeAsync('large-1', aWorkerRequest(40, { mode: 'shadow' }));
    expect(result).toMatchObject({ ok: false, reason: 'throttled' });
    expect(result.ok ? '' : result.detail).toMatch(/^2 of \d+ parts sent; /);
  });
});

describe('LambdaWorkerInvoker with a shadow function per class', () => {
  const SHADOW_FUNCTIONS: Record<string, string> = { 'large-1': 'foreshadow-worker-large-shadow' };

  async function invoker(): Promise<LambdaWorkerInvoker> {
    fake = await startFakeLambda({ 'foreshadow-worker-large': worker, 'foreshadow-worker-large-shadow': worker });
    client = lambdaClient({ endpoint: fake.endpoint, maxAttempts: 1 });
    return new LambdaWorkerInvoker(client, { functionNameOf: (id) => FUNCTIONS[id], shadowFunctionNameOf: (id) => SHADOW_FUNCTIONS[id] });
  }

  it('sends shadow batches to the shadow function and owner batches to the worker function', async () => {
    const lambda = await invoker();
    expect(await lambda.invokeAsync('large-1', aWorkerRequest(2, { mode: 'shadow' }))).toEqual({ ok: true, value: { calls: 1 } });
    expect((await lambda.invoke('large-1', aWorkerRequest(2))).ok).toBe(true);
    expect(fake!.invokes.map((i) => [i.functionName, i.invocationType])).toEqual([
      ['foreshadow-worker-large-shadow', 'Event'],
      ['foreshadow-worker-large', 'RequestResponse'],
    ]);
  });

  it('answers not-found for a shadow of a worker without a shadow function, sending nothing', async () => {
    const lambda = await invoker();
    expect(await lambda.invokeAsync('small-1', aWorkerRequest(1, { mode: 'shadow' }))).toMatchObject({ ok: false, reason: 'not-found', detail: 'no shadow function for worker small-1' });
    expect(fake!.invokes).toEqual([]);
  });
});

describe('splitToFit', () => {
  it('packs records into parts whose JSON is within the limit, in order, and as few as a greedy fill allows', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 0, maxLength: 40 }), fc.integer({ min: 700, max: 3_000 }), (sizes, limit) => {
        const request = { ...aWorkerRequest(0), records: sizes.map((n, i) => aRecord(i, n)) };
        const result = splitToFit(request, limit);
        if (!result.ok) {
          expect(Buffer.byteLength(JSON.stringify({ ...request, records: [request.records.find((r) => r.sequenceNumber === result.sequenceNumber)] }))).toBeGreaterThan(limit);
          return;
        }
        expect(result.requests.flatMap((r) => r.records)).toEqual(request.records);
        for (const [i, part] of result.requests.entries()) {
          expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThanOrEqual(limit);
          const next = result.requests[i + 1]?.records[0];
          if (next !== undefined) expect(Buffer.byteLength(JSON.stringify({ ...part, records: [...part.records, next] }))).toBeGreaterThan(limit);
        }
      }),
      { numRuns: 200 },
    );
  });
});
