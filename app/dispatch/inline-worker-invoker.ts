import type { InvokeFailure, Outcome, WorkerInvoker, WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { failed, ok } from '../../core/ports/outcome.js';

/** The worker the dispatcher runs in its own invocation, and how. */
export interface InlineWorker {
  /** The worker class whose owner batches run inline (the dispatcher is sized and permitted as that class). */
  readonly workerId: string;
  /** The worker service's `handle` (app/worker/worker-service.ts), with the class's processor and stores. */
  readonly handle: (request: WorkerRequest) => Promise<WorkerResponse>;
}

/**
 * A WorkerInvoker that runs the owner batches of one worker class in the dispatcher's own invocation: no
 * second Lambda invocation, no synchronous wait billed twice (docs/COST.md's two largest lines, the
 * dispatcher's request and its wait on the owner). Everything else goes to `inner`: owner batches of the
 * other classes, and every shadow sample (shadows run on their class's shadow function, asynchronously,
 * never in the dispatcher). The worker's own checks are unchanged: it fences on the epoch, skips what it
 * applied, and bounds poison records; an exception it throws is a `function-error`, as a failed Lambda
 * invocation would be, so the dispatcher hands the batch back as before. What inline cannot do: survive a
 * record that kills the process (a hang, the memory limit). It ends the dispatcher's invocation too, so the
 * dispatcher's crash search (crash-search.ts) never sees it and the event source mapping's retries decide.
 */
export class InlineWorkerInvoker implements WorkerInvoker {
  constructor(
    private readonly inner: WorkerInvoker,
    private readonly inline: InlineWorker,
  ) {}

  async invoke(workerId: string, request: WorkerRequest): Promise<Outcome<WorkerResponse, InvokeFailure>> {
    if (workerId !== this.inline.workerId || request.mode !== 'primary') return this.inner.invoke(workerId, request);
    try {
      return ok(await this.inline.handle(request));
    } catch (error) {
      return failed('function-error', `inline worker ${workerId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  invokeAsync(workerId: string, request: WorkerRequest): Promise<Outcome<{ calls: number }, InvokeFailure>> {
    return this.inner.invokeAsync(workerId, request);
  }
}
