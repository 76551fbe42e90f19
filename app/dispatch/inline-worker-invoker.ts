import type { InvokeFailure, Outcome, WorkerInvoker, WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { failed, ok } from '../../core/ports/outcome.js';

/** The worker the dispatcher runs in its own invocation, and how. */
export interface InlineWorker {
  /** The worker class whose owner batches run inline (the dispatcher is sized and permitted as that class). */
  readonly workerId: string;
  /** The worker service's `handle` (app/worker/worker-service.ts), with the class's processor and stores. */
  readonly handle: (request: WorkerRequest) => Promise<WorkerResponse>;
  /**
   * Longest an inline batch may take, in ms: the class's worker function timeout, which would end it there.
   * Past it the batch is answered as a `timeout`, as that invocation would be. @default none (no deadline)
   */
  readonly timeoutMs?: number;
}

/**
 * A WorkerInvoker that runs the owner batches of one worker class in the dispatcher's own invocation: no
 * second Lambda invocation, no synchronous wait billed twice (docs/COST.md's two largest lines, the
 * dispatcher's request and its wait on the owner). Everything else goes to `inner`: owner batches of the
 * other classes, and every shadow sample (shadows run on their class's shadow function, asynchronously,
 * never in the dispatcher). The worker's own checks are unchanged: it fences on the epoch, skips what it
 * applied, and bounds poison records; an exception it throws is a `function-error`, as a failed Lambda
 * invocation would be, so the dispatcher hands the batch back as before. A batch still running at `timeoutMs`
 * (a processor awaiting a call that never answers) is answered as a `timeout`, so the dispatcher's crash search
 * (crash-search.ts) narrows it down to the record and the owner gives it up after `maxAttempts`, as with the
 * worker function; the abandoned call is left running (it cannot be cancelled), and a later write of it is
 * refused or skipped by the per-key sequence checks. What inline cannot do: survive a record that blocks the
 * process (a synchronous endless loop, the memory limit). That ends the dispatcher's invocation too, the crash
 * search never sees it, and the event source mapping's retries decide, up to the stream's retention: the
 * reason inline is an option (docs/COST.md), not the default.
 */
export class InlineWorkerInvoker implements WorkerInvoker {
  constructor(
    private readonly inner: WorkerInvoker,
    private readonly inline: InlineWorker,
  ) {}

  async invoke(workerId: string, request: WorkerRequest): Promise<Outcome<WorkerResponse, InvokeFailure>> {
    if (workerId !== this.inline.workerId || request.mode !== 'primary') return this.inner.invoke(workerId, request);
    const timeoutMs = this.inline.timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline =
      timeoutMs === undefined
        ? undefined
        : new Promise<Outcome<WorkerResponse, InvokeFailure>>((resolve) => {
            timer = setTimeout(() => resolve(failed('timeout', `inline worker ${workerId}: still running after ${timeoutMs} ms`)), timeoutMs);
          });
    const run = this.inline.handle(request).then(
      (response): Outcome<WorkerResponse, InvokeFailure> => ok(response),
      (error: unknown): Outcome<WorkerResponse, InvokeFailure> => failed('function-error', `inline worker ${workerId}: ${error instanceof Error ? error.message : String(error)}`),
    );
    try {
      return await (deadline ? Promise.race([run, deadline]) : run);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  invokeAsync(workerId: string, request: WorkerRequest): Promise<Outcome<{ calls: number }, InvokeFailure>> {
    return this.inner.invokeAsync(workerId, request);
  }
}
