import type { InvokeFailure, Outcome, WorkerInvoker, WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { meterFor, type Meter } from './meter.js';

/**
 * A WorkerInvoker decorator that counts the Lambda `Invoke` calls the dispatcher makes, as the SDK middleware
 * counts them on AWS (adapters/aws/worker-invoker.lambda.ts through LambdaClient): `Invoke` for an owner's
 * batch, `Invoke.Event` for each asynchronous part of a shadow sample, with the payload's bytes. Used where
 * the invoker is not an SDK client (the local invoker, which runs the handlers in-process), and without
 * reaching into that invoker. The callee's own invocation (billed duration, memory) is counted where it runs:
 * see `meteredWorkerHandle`.
 */
export class MeteredWorkerInvoker implements WorkerInvoker {
  constructor(
    private readonly inner: WorkerInvoker,
    /** Where calls made outside any invocation's scope are counted. */
    private readonly fallback: Meter,
  ) {}

  async invoke(workerId: string, request: WorkerRequest): Promise<Outcome<WorkerResponse, InvokeFailure>> {
    const { meter, path } = meterFor(this.fallback);
    const requestBytes = Buffer.byteLength(JSON.stringify(request));
    const outcome = await this.inner.invoke(workerId, request);
    meter.recordCall(path, {
      service: 'Lambda',
      operation: 'Invoke',
      resource: workerId,
      requestBytes,
      responseBytes: outcome.ok ? Buffer.byteLength(JSON.stringify(outcome.value)) : 0,
      ...(outcome.ok ? {} : { error: outcome.reason }),
    });
    return outcome;
  }

  async invokeAsync(workerId: string, request: WorkerRequest): Promise<Outcome<{ calls: number }, InvokeFailure>> {
    const { meter, path } = meterFor(this.fallback);
    const bytes = Buffer.byteLength(JSON.stringify(request));
    const outcome = await this.inner.invokeAsync(workerId, request);
    const calls = outcome.ok ? outcome.value.calls : 1;
    // The payload is split across the calls; each part's share is counted with its call.
    for (let i = 0; i < calls; i++) {
      meter.recordCall(path, { service: 'Lambda', operation: 'Invoke.Event', resource: workerId, requestBytes: Math.round(bytes / calls), ...(outcome.ok ? {} : { error: outcome.reason }) });
    }
    return outcome;
  }
}

/**
 * Wraps an in-process worker handler as one Lambda invocation of the worker function (`worker` path) or,
 * for a shadow batch, of the class's shadow function (`shadow` path), with `memoryMb`: its calls count on that
 * path and its run time is its billed duration. Counted here rather than around `invoke`, because Lambda does
 * not bill the wait for a free slot, and an asynchronous shadow call runs after `invokeAsync` has returned.
 */
export function meteredWorkerHandle(meter: Meter, memoryMb: number, handle: (request: WorkerRequest) => Promise<WorkerResponse>): (request: WorkerRequest) => Promise<WorkerResponse> {
  return (request) => meter.invocation(request.mode === 'shadow' ? 'shadow' : 'worker', memoryMb, request.records.length, () => handle(request));
}
