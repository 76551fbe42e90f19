import { describe, expect, it } from 'vitest';
import { InlineWorkerInvoker } from '../../app/dispatch/inline-worker-invoker.js';
import type { InvokeFailure, Outcome, WorkerInvoker, WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { ok } from '../../core/ports/outcome.js';
import { request, wireRecord } from './factories.js';

const answer: WorkerResponse = { batchItemFailures: [], processed: 1, busyMs: 1 };

function setup(handle: (r: WorkerRequest) => Promise<WorkerResponse> = async () => answer, timeoutMs?: number) {
  const trace: string[] = [];
  const inner: WorkerInvoker = {
    invoke: async (workerId, r): Promise<Outcome<WorkerResponse, InvokeFailure>> => (trace.push(`invoke ${workerId} ${r.mode}`), ok(answer)),
    invokeAsync: async (workerId, r) => (trace.push(`invokeAsync ${workerId} ${r.mode}`), ok({ calls: 1 })),
  };
  const invoker = new InlineWorkerInvoker(inner, {
    workerId: 'small',
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    handle: async (r) => {
      trace.push(`inline ${r.mode}`);
      return handle(r);
    },
  });
  return { invoker, trace };
}

describe('owner batches of the dispatcher\u2019s own class run inline', () => {
  it('runs an owner batch of the inline class in the invocation, and everything else through the worker functions', async () => {
    const { invoker, trace } = setup();
    const batch = request([wireRecord(1, 'k', { v: 1 })]);
    expect(await invoker.invoke('small', batch)).toEqual(ok(answer));
    await invoker.invoke('large', batch);
    await invoker.invokeAsync('small', { ...batch, mode: 'shadow' });
    expect(trace).toEqual(['inline primary', 'invoke large primary', 'invokeAsync small shadow']);
  });

  it('answers a function-error, as a failed invocation would, when the inline worker throws', async () => {
    const { invoker } = setup(async () => {
      throw new Error('state store down');
    });
    const outcome = await invoker.invoke('small', request([wireRecord(1, 'k', { v: 1 })]));
    expect(outcome).toMatchObject({ ok: false, reason: 'function-error', detail: 'inline worker small: state store down' });
  });

  it('answers a timeout, as the worker function would, when an inline batch is still running at the class timeout', async () => {
    const { invoker } = setup(() => new Promise<WorkerResponse>(() => undefined), 50);
    const outcome = await invoker.invoke('small', request([wireRecord(1, 'k', { v: 1 })]));
    expect(outcome).toMatchObject({ ok: false, reason: 'timeout', detail: 'inline worker small: still running after 50 ms' });
  });

  it('answers normally within the deadline', async () => {
    const { invoker } = setup(async () => answer, 1_000);
    expect(await invoker.invoke('small', request([wireRecord(1, 'k', { v: 1 })]))).toEqual(ok(answer));
  });
});
