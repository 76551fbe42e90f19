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
  /**
   * Stops what runs the batch that passed `timeoutMs` (inline-thread.ts terminates its thread, even a busy
   * loop). @default none (the late batch is left running)
   */
  readonly abort?: (reason: string) => Promise<void>;
  /** Resolves when what runs the batches is up (a thread started), before the batch's deadline starts. @default none */
  readonly ready?: () => Promise<void>;
}

/**
 * A WorkerInvoker that runs the owner batches of one worker class in the dispatcher's own invocation: no
 * second Lambda invocation, no synchronous wait billed twice (docs/COST.md's two largest lines, the
 * dispatcher's request and its wait on the owner). Everything else goes to `inner`: owner batches of the
 * other classes, and every shadow sample (shadows run on their class's shadow function, asynchronously,
 * never in the dispatcher). The worker's own checks are unchanged: it fences on the epoch, skips what it
 * applied, and bounds poison records; an exception it throws is a `function-error`, as a failed Lambda
 * invocation would be, so the dispatcher hands the batch back as before. A batch still running at `timeoutMs`
 * is answered as a `timeout` and `abort`ed, so the dispatcher's crash search (crash-search.ts) narrows it down
 * to the record and the owner gives it up after `maxAttempts`, as with the worker function. On Lambda the
 * batches run in a worker thread (inline-thread.ts), which `abort` terminates: a record that blocks it (a
 * synchronous endless loop) or exhausts its heap fails its batch, not the dispatcher's invocation. Run in
 * the dispatcher's own thread (no `abort`), a late batch is left running and a blocking record ends the
 * invocation, out of the crash search's reach.
 */
export class InlineWorkerInvoker implements WorkerInvoker {
  constructor(
    private readonly inner: WorkerInvoker,
    private readonly inline: InlineWorker,
  ) {}

  async invoke(workerId: string, request: WorkerRequest): Promise<Outcome<WorkerResponse, InvokeFailure>> {
    if (workerId !== this.inline.workerId || request.mode !== 'primary') return this.inner.invoke(workerId, request);
    try {
      await this.inline.ready?.();
    } catch (error) {
      return failed('function-error', `inline worker ${workerId}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const timeoutMs = this.inline.timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline =
      timeoutMs === undefined
        ? undefined
        : new Promise<Outcome<WorkerResponse, InvokeFailure>>((resolve) => {
            timer = setTimeout(() => {
              const detail = `inline worker ${workerId}: still running after ${timeoutMs} ms`;
              void this.inline.abort?.(detail);
              resolve(failed('timeout', detail));
            }, timeoutMs);
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
