import { describe, expect, it } from 'vitest';
import { LocalWorkerInvoker, splitToFit } from '../../adapters/local/worker-invoker.local.js';
import type { WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { request, wireRecord } from './factories.js';

const answer: WorkerResponse = { batchItemFailures: [], processed: 1, busyMs: 1 };

/** A handler that stays busy until released, recording the order of events. */
function gatedWorker(trace: string[]) {
  const gates: (() => void)[] = [];
  return {
    release: () => gates.shift()?.(),
    handle: async (r: WorkerRequest): Promise<WorkerResponse> => {
      trace.push(`start ${r.records[0]?.sequenceNumber}`);
      await new Promise<void>((resolve) => gates.push(resolve));
      trace.push(`end ${r.records[0]?.sequenceNumber}`);
      return answer;
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the local worker invoker', () => {
  it('runs no more invocations of a worker at once than it has slots, queueing the rest', async () => {
    const trace: string[] = [];
    const worker = gatedWorker(trace);
    const invoker = new LocalWorkerInvoker([{ workerId: 'w', slots: 1, handle: worker.handle }]);
    const first = invoker.invoke('w', request([wireRecord(1, 'a', {})]));
    const second = invoker.invoke('w', request([wireRecord(2, 'a', {})]));
    await tick();
    expect(trace).toEqual(['start 1000001']);
    worker.release();
    await first;
    await tick();
    worker.release();
    await second;
    expect(trace).toEqual(['start 1000001', 'end 1000001', 'start 1000002', 'end 1000002']);
  });

  it('answers throttled at once when all slots are busy and whenBusy is throttle', async () => {
    const worker = gatedWorker([]);
    const invoker = new LocalWorkerInvoker([{ workerId: 'w', slots: 1, handle: worker.handle }], { whenBusy: 'throttle' });
    const first = invoker.invoke('w', request([wireRecord(1, 'a', {})]));
    const second = await invoker.invoke('w', request([wireRecord(2, 'a', {})]));
    expect(second).toMatchObject({ ok: false, reason: 'throttled' });
    worker.release();
    expect((await first).ok).toBe(true);
  });

  it('answers a burst lane throttled at once when every slot is busy, while owner batches still queue', async () => {
    const worker = gatedWorker([]);
    const invoker = new LocalWorkerInvoker([{ workerId: 'w', slots: 1, handle: worker.handle }]);
    const first = invoker.invoke('w', request([wireRecord(1, 'a', {})]));
    expect(await invoker.invoke('w', request([wireRecord(2, 'b', {})], { laneOf: 'w0' }))).toMatchObject({ ok: false, reason: 'throttled' });
    const queued = invoker.invoke('w', request([wireRecord(3, 'c', {})]));
    worker.release();
    expect((await first).ok).toBe(true);
    await tick();
    worker.release();
    expect((await queued).ok).toBe(true);
    expect(invoker.stats.throttled).toBe(1);
  });

  it.each([
    ['an unknown worker', 'nobody', async () => answer, 'not-found'],
    ['a handler that throws', 'w', async () => Promise.reject(new Error('boom')), 'function-error'],
  ] as const)('answers %s as a value', async (_what, workerId, handle, reason) => {
    const invoker = new LocalWorkerInvoker([{ workerId: 'w', slots: 1, handle }]);
    expect(await invoker.invoke(workerId, request([wireRecord(1, 'a', {})]))).toMatchObject({ ok: false, reason });
  });

  it("ends an owner's invocation that outlives its class's timeout as Lambda does: a function error, the slot free again", async () => {
    const handle = async (r: WorkerRequest): Promise<WorkerResponse> => {
      if (r.records[0]?.sequenceNumber === '1000001') await new Promise(() => undefined);
      return answer;
    };
    const invoker = new LocalWorkerInvoker([{ workerId: 'w', slots: 1, timeoutMs: 50, handle }]);
    const started = Date.now();
    expect(await invoker.invoke('w', request([wireRecord(1, 'a', {})]))).toMatchObject({ ok: false, reason: 'function-error', detail: 'Task timed out after 0.05 seconds' });
    expect(Date.now() - started).toBeLessThan(1000);
    // The one slot is free again although the abandoned handler never returned.
    expect(await invoker.invoke('w', request([wireRecord(2, 'a', {})]))).toEqual({ ok: true, value: answer });
    expect(invoker.stats.timedOut).toBe(1);
  });

  it('ends a shadow invocation that outlives the timeout and frees its shadow slot for the next one', async () => {
    const trace: string[] = [];
    const handle = async (r: WorkerRequest): Promise<WorkerResponse> => {
      trace.push(`start ${r.records[0]?.sequenceNumber}`);
      if (r.records[0]?.sequenceNumber === '1000001') await new Promise(() => undefined);
      return answer;
    };
    const invoker = new LocalWorkerInvoker([{ workerId: 'w', slots: 1, shadowSlots: 1, timeoutMs: 50, handle }]);
    await invoker.invokeAsync('w', request([wireRecord(1, 'a', {})]));
    await invoker.invokeAsync('w', request([wireRecord(2, 'a', {})]));
    await invoker.idle();
    expect(trace).toEqual(['start 1000001', 'start 1000002']);
    expect(invoker.stats).toMatchObject({ timedOut: 1, asyncErrors: 1 });
  });

  it('refuses a synchronous payload above the limit', async () => {
    const invoker = new LocalWorkerInvoker([{ workerId: 'w', slots: 1, handle: async () => answer }], { syncPayloadBytes: 100 });
    expect(await invoker.invoke('w', request([wireRecord(1, 'a', { pad: 'x'.repeat(200) })]))).toMatchObject({ ok: false, reason: 'payload-too-large' });
  });

  it('splits an asynchronous request to fit the limit, returns before running it, and swallows its errors', async () => {
    const seen: number[] = [];
    const invoker = new LocalWorkerInvoker(
      [
        {
          workerId: 'w',
          slots: 1,
          handle: async (r) => {
            seen.push(r.records.length);
            throw new Error('shadow failed');
          },
        },
      ],
      { asyncPayloadBytes: 700 },
    );
    const records = Array.from({ length: 8 }, (_, i) => wireRecord(i, 'a', { v: i }));
    const outcome = await invoker.invokeAsync('w', request(records, { mode: 'shadow' }));
    expect(seen).toEqual([]);
    await invoker.idle();
    expect(outcome).toEqual({ ok: true, value: { calls: seen.length } });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.reduce((a, b) => a + b, 0)).toBe(8);
    expect(invoker.stats.asyncErrors).toBe(seen.length);
  });

  it('runs an owner batch at once while every shadow slot is busy and more shadow work is queued', async () => {
    const trace: string[] = [];
    const worker = gatedWorker(trace);
    const invoker = new LocalWorkerInvoker([{ workerId: 'w', slots: 1, shadowSlots: 1, handle: worker.handle }]);
    await invoker.invokeAsync('w', request([wireRecord(1, 'a', {})], { mode: 'shadow' }));
    await invoker.invokeAsync('w', request([wireRecord(2, 'a', {})], { mode: 'shadow' }));
    await tick();
    await tick();
    const owner = invoker.invoke('w', request([wireRecord(3, 'a', {})]));
    await tick();
    expect(trace).toEqual(['start 1000001', 'start 1000003']);
    worker.release();
    worker.release();
    expect((await owner).ok).toBe(true);
    await tick();
    worker.release();
    await invoker.idle();
    expect(trace.filter((t) => t.startsWith('end'))).toEqual(['end 1000001', 'end 1000003', 'end 1000002']);
  });

  it('runs a shadow batch while every owner slot is busy, even when owner calls are throttled', async () => {
    const trace: string[] = [];
    const worker = gatedWorker(trace);
    const invoker = new LocalWorkerInvoker([{ workerId: 'w', slots: 1, handle: worker.handle }], { whenBusy: 'throttle' });
    const owner = invoker.invoke('w', request([wireRecord(1, 'a', {})]));
    expect(await invoker.invoke('w', request([wireRecord(2, 'a', {})]))).toMatchObject({ ok: false, reason: 'throttled' });
    await invoker.invokeAsync('w', request([wireRecord(3, 'a', {})], { mode: 'shadow' }));
    await tick();
    await tick();
    expect(trace).toEqual(['start 1000001', 'start 1000003']);
    worker.release();
    worker.release();
    await owner;
    await invoker.idle();
  });

  it.each([1, 3])('runs at most %i shadow batches of a worker at once (its shadow slots), queueing the rest', async (shadowSlots) => {
    const trace: string[] = [];
    const worker = gatedWorker(trace);
    const invoker = new LocalWorkerInvoker([{ workerId: 'w', slots: 1, shadowSlots, handle: worker.handle }]);
    for (let i = 1; i <= 4; i += 1) await invoker.invokeAsync('w', request([wireRecord(i, 'a', {})], { mode: 'shadow' }));
    await tick();
    await tick();
    expect(trace).toHaveLength(shadowSlots);
    for (let i = 0; i < 4; i += 1) {
      worker.release();
      await tick();
      await tick();
    }
    await invoker.idle();
    expect(trace.filter((t) => t.startsWith('end'))).toHaveLength(4);
  });

  it('drops a shadow batch that waited for a shadow slot longer than the maximum event age, without running it', async () => {
    const trace: string[] = [];
    const worker = gatedWorker(trace);
    let nowMs = 0;
    const invoker = new LocalWorkerInvoker([{ workerId: 'w', slots: 1, handle: worker.handle }], { maxEventAgeMs: 100, nowMs: () => nowMs });
    await invoker.invokeAsync('w', request([wireRecord(1, 'a', {})], { mode: 'shadow' }));
    await invoker.invokeAsync('w', request([wireRecord(2, 'a', {})], { mode: 'shadow' }));
    await tick();
    nowMs = 50;
    await invoker.invokeAsync('w', request([wireRecord(3, 'a', {})], { mode: 'shadow' }));
    await tick();
    nowMs = 120;
    worker.release();
    await tick();
    await tick();
    worker.release();
    await invoker.idle();
    expect(trace).toEqual(['start 1000001', 'end 1000001', 'start 1000003', 'end 1000003']);
    expect(invoker.stats).toMatchObject({ asyncCalls: 3, asyncDropped: 1, asyncErrors: 0 });
  });

  it('cannot split a single record that is larger than the limit', () => {
    expect(splitToFit(request([wireRecord(1, 'a', { pad: 'x'.repeat(500) })]), 300)).toMatchObject({ ok: false, reason: 'payload-too-large' });
  });
});
