import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { WorkerRequest, WorkerResponse } from '../../core/ports/index.js';

/** The `workerData` key that tells a module it is loaded as the inline thread (see `isInlineThread`). */
export const INLINE_THREAD_MARKER = 'foreshadowInlineThread';

/** True in a worker thread an InlineThread started: the module loaded there should `serveInlineThread`. */
export function isInlineThread(): boolean {
  return !isMainThread && (workerData as Record<string, unknown> | null)?.[INLINE_THREAD_MARKER] === true;
}

export interface InlineThreadOptions {
  /**
   * The module the thread runs: on Lambda the class's worker handler, bundled next to the dispatcher; its
   * `createWorkerHandler` serves the batches (`isInlineThread`).
   */
  readonly script: URL;
  /** Handed to the thread besides the marker (`workerData`). @default {} */
  readonly workerData?: Record<string, unknown>;
  /** The thread's environment. @default the process's */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Heap limit of the thread, in MB: a record that needs more fails its batch (a thread crash, answered as
   * a function error) instead of taking the dispatcher down with it. @default Node's default
   */
  readonly maxOldGenerationSizeMb?: number;
}

type Request = { readonly id: number; readonly request: WorkerRequest };
type Reply = { readonly id: number; readonly response?: WorkerResponse; readonly error?: string } | { readonly ready: true };

/**
 * Runs the inline worker class's batches in a worker thread of the dispatcher's process, so that a record
 * that blocks it (a synchronous endless loop, the heap limit) can be stopped without ending the dispatcher's
 * invocation: `abort` terminates the thread (V8 stops even a busy loop), a thread that dies rejects what it
 * had, and the next batch starts a new thread. The dispatcher then answers the batch as a timeout or a
 * function error, and its crash search gives the record up after `maxAttempts`, exactly as when a worker
 * function times out (app/dispatch/inline-worker-invoker.ts). The thread holds its own SDK clients and
 * stores; a batch crosses by structured clone.
 */
export class InlineThread {
  private worker: Worker | undefined;
  private started: Promise<void> | undefined;
  private readonly pending = new Map<number, { worker: Worker; resolve: (r: WorkerResponse) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(private readonly options: InlineThreadOptions) {}

  /**
   * Resolves once a thread is up and serving (starting one if none is), so that a batch's deadline counts
   * its own time, not the thread's start (loading the bundle, its clients); rejects if the thread dies first.
   */
  ready(): Promise<void> {
    if (!this.worker) this.spawn();
    return this.started!;
  }

  readonly handle = (request: WorkerRequest): Promise<WorkerResponse> => {
    const worker = this.worker ?? this.spawn();
    const id = (this.nextId += 1);
    return new Promise<WorkerResponse>((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      worker.postMessage({ id, request } satisfies Request);
    });
  };

  /** Stops the thread and whatever it runs; the batches it had fail, the next one starts a new thread. */
  async abort(reason = 'aborted'): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(worker, reason);
    await worker?.terminate();
  }

  private spawn(): Worker {
    const limit = this.options.maxOldGenerationSizeMb;
    const worker = new Worker(this.options.script, {
      workerData: { ...this.options.workerData, [INLINE_THREAD_MARKER]: true },
      ...(this.options.env === undefined ? {} : { env: { ...this.options.env } }),
      ...(limit === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: limit } }),
    });
    // An idle thread must not keep the process alive (the local runtime, tests); Lambda freezes it anyway.
    worker.unref();
    let up: () => void = () => undefined;
    let down: (e: Error) => void = () => undefined;
    this.started = new Promise<void>((resolve, reject) => {
      up = resolve;
      down = reject;
    });
    this.started.catch(() => undefined);
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) return up();
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.response !== undefined) waiting.resolve(reply.response);
      else waiting.reject(new Error(reply.error ?? 'the inline thread answered nothing'));
    });
    worker.on('error', (error) => {
      down(error);
      this.lost(worker, `the inline thread failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      down(new Error(`the inline thread exited (code ${code})`));
      this.lost(worker, `the inline thread exited (code ${code})`);
    });
    this.worker = worker;
    return worker;
  }

  private lost(worker: Worker, reason: string): void {
    if (this.worker === worker) this.worker = undefined;
    this.failAll(worker, reason);
  }

  private failAll(worker: Worker | undefined, reason: string): void {
    if (worker === undefined) return;
    for (const [id, waiting] of this.pending) {
      if (waiting.worker !== worker) continue;
      this.pending.delete(id);
      waiting.reject(new Error(reason));
    }
  }
}

/** The thread's side: answers each batch the dispatcher posts with `handle`'s response (or its error). */
export function serveInlineThread(handle: (request: WorkerRequest) => Promise<WorkerResponse>): void {
  const port = parentPort;
  if (!port) throw new Error('serveInlineThread runs in a worker thread only');
  port.on('message', (message: Request) => {
    handle(message.request).then(
      (response) => port.postMessage({ id: message.id, response } satisfies Reply),
      (error: unknown) => port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies Reply),
    );
  });
  port.postMessage({ ready: true } satisfies Reply);
}
