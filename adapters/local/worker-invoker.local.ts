import type { InvokeFailure, Outcome, WorkerInvoker, WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { failed, ok } from '../../core/ports/index.js';
import { Slots } from './slots.js';

/** A worker run in-process: its handler (built with the worker's speed), its slots and its shadow slots. */
export interface LocalWorkerSpec {
  readonly workerId: string;
  /** Concurrent synchronous (owner) invocations at most (the worker function's reserved concurrency on AWS). */
  readonly slots: number;
  /**
   * Concurrent asynchronous (shadow) invocations at most (the shadow function's reserved concurrency on
   * AWS). Separate from `slots`, so shadow work never delays an owner's batch. @default 1
   */
  readonly shadowSlots?: number;
  /**
   * The function timeout of the worker's class, in ms: an invocation still running after it ends as Lambda
   * ends it, a function error "Task timed out", and its slot is free again. Unlike Lambda, the handler's
   * promise cannot be killed in-process: what it still writes is fenced only as a zombie invocation's is (the
   * per-key version check). @default none (no limit)
   */
  readonly timeoutMs?: number;
  readonly handle: (request: WorkerRequest) => Promise<WorkerResponse>;
}

export interface LocalInvokerOptions {
  /** Synchronous payload limit, in bytes. @default 6291456 (6 MiB, as Lambda) */
  readonly syncPayloadBytes?: number;
  /** Asynchronous payload limit, in bytes. @default 1000000 (Lambda's Event limit, as adapters/aws/worker-invoker.lambda.ts) */
  readonly asyncPayloadBytes?: number;
  /**
   * What a synchronous call does when all the worker's (owner) slots are busy: `throttle` answers at once, as Lambda
   * does at its reserved concurrency; `queue` waits for a slot. @default 'queue'
   */
  readonly whenBusy?: 'queue' | 'throttle';
  /**
   * How long an asynchronous (shadow) call may wait for a shadow slot before it is dropped unrun, in ms: the
   * shadow function's MaximumEventAgeInSeconds (infra sets 2 min), scaled like the rest of a local run.
   * @default 120000
   */
  readonly maxEventAgeMs?: number;
  /** Wall clock, in ms. @default Date.now */
  readonly nowMs?: () => number;
}

/**
 * WorkerInvoker for the local runtime and the integration tests: runs worker handlers in-process, with the
 * same contract as the Lambda adapter. Requests and responses go through JSON as they would over the wire;
 * function errors, unknown workers and oversized payloads come back as values; `invokeAsync` splits the
 * records to fit the asynchronous limit, queues the calls and returns at once (errors are counted, as Lambda
 * would send them to the function's async failure handling). Asynchronous calls run in the worker's shadow
 * slots, synchronous ones in its own slots, as the shadow function and the worker function do on AWS.
 */
export class LocalWorkerInvoker implements WorkerInvoker {
  private readonly workers = new Map<string, { spec: LocalWorkerSpec; slots: Slots; shadowSlots: Slots }>();
  private readonly pending = new Set<Promise<void>>();
  /** Counters for tests and the dashboard. */
  readonly stats = { syncCalls: 0, asyncCalls: 0, asyncErrors: 0, throttled: 0, asyncDropped: 0, timedOut: 0 };

  constructor(
    workers: readonly LocalWorkerSpec[],
    private readonly options: LocalInvokerOptions = {},
  ) {
    for (const spec of workers) this.workers.set(spec.workerId, { spec, slots: new Slots(spec.slots), shadowSlots: new Slots(spec.shadowSlots ?? 1) });
  }

  async invoke(workerId: string, request: WorkerRequest): Promise<Outcome<WorkerResponse, InvokeFailure>> {
    const worker = this.workers.get(workerId);
    if (!worker) return failed('not-found', `no local worker ${workerId}`);
    const payload = JSON.stringify(request);
    const limit = this.options.syncPayloadBytes ?? 6_291_456;
    if (Buffer.byteLength(payload) > limit) return failed('payload-too-large', `payload of ${Buffer.byteLength(payload)} bytes exceeds ${limit}`);
    // A burst lane never waits for a slot: it is an extra the class may not have room for, and Lambda
    // answers it 429 at once (the dispatcher then runs it on the owner); waiting, it would hold up the class's
    // own shards.
    if ((this.options.whenBusy ?? 'queue') === 'throttle' || request.laneOf !== undefined) {
      if (!worker.slots.tryAcquire()) {
        this.stats.throttled += 1;
        return failed('throttled', `${workerId} has all ${worker.slots.size} slots busy`);
      }
    } else {
      await worker.slots.acquire();
    }
    this.stats.syncCalls += 1;
    try {
      const response = await this.withinTimeout(worker.spec, worker.spec.handle(JSON.parse(payload) as WorkerRequest));
      return ok(JSON.parse(JSON.stringify(response)) as WorkerResponse);
    } catch (error) {
      return failed('function-error', error instanceof Error ? error.message : String(error));
    } finally {
      worker.slots.release();
    }
  }

  /** The handler's answer, or a "Task timed out" error once the class's timeout has passed (Lambda's message). */
  private async withinTimeout<T>(spec: LocalWorkerSpec, run: Promise<T>): Promise<T> {
    if (spec.timeoutMs === undefined) return run;
    const timeoutMs = spec.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.stats.timedOut += 1;
        reject(new Error(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`));
      }, timeoutMs);
    });
    // A late failure of the abandoned handler must not surface as an unhandled rejection.
    run.catch(() => undefined);
    try {
      return await Promise.race([run, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async invokeAsync(workerId: string, request: WorkerRequest): Promise<Outcome<{ calls: number }, InvokeFailure>> {
    const worker = this.workers.get(workerId);
    if (!worker) return failed('not-found', `no local worker ${workerId}`);
    const chunks = splitToFit(request, this.options.asyncPayloadBytes ?? 1_000_000);
    if (!chunks.ok) return chunks;
    const now = this.options.nowMs ?? Date.now;
    const maxAgeMs = this.options.maxEventAgeMs ?? 120_000;
    for (const chunk of chunks.value) {
      this.stats.asyncCalls += 1;
      const queuedAtMs = now();
      const run = (async () => {
        // Lambda answers an Event invocation (202) before the function runs: so does this.
        await new Promise((resolve) => setImmediate(resolve));
        await worker.shadowSlots.acquire();
        if (now() - queuedAtMs > maxAgeMs) {
          // Lambda discards an event older than the function's maximum event age instead of running it.
          this.stats.asyncDropped += 1;
          worker.shadowSlots.release();
          return;
        }
        try {
          await this.withinTimeout(worker.spec, worker.spec.handle(JSON.parse(chunk) as WorkerRequest));
        } catch {
          this.stats.asyncErrors += 1;
        } finally {
          worker.shadowSlots.release();
        }
      })();
      this.pending.add(run);
      void run.finally(() => this.pending.delete(run));
    }
    return ok({ calls: chunks.value.length });
  }

  /** Resolves when every queued asynchronous call has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

/** Splits a request's records into serialized requests of at most `limit` bytes each. */
export function splitToFit(request: WorkerRequest, limit: number): Outcome<string[], InvokeFailure> {
  const whole = JSON.stringify(request);
  if (Buffer.byteLength(whole) <= limit) return ok([whole]);
  if (request.records.length <= 1) return failed('payload-too-large', `one record of ${Buffer.byteLength(whole)} bytes exceeds ${limit}`);
  const middle = Math.ceil(request.records.length / 2);
  const low = splitToFit({ ...request, records: request.records.slice(0, middle) }, limit);
  const high = splitToFit({ ...request, records: request.records.slice(middle) }, limit);
  if (!low.ok) return low;
  if (!high.ok) return high;
  return ok([...low.value, ...high.value]);
}
