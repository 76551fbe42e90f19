import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { seededRandom, type Random } from '../../core/random.js';
import { InjectedCrash, type CrashPoint } from '../../core/ports/index.js';
import type { WorkerRequest, WorkerResponse } from '../../core/ports/index.js';

/** The faults a chaos run injects, each at a named place of the real handlers. */
export const CHAOS_FAULTS = [
  /** The SPM run dies at one of its crash points (mid-promote, mid-split). */
  'spm-crash',
  /** The dispatcher dies before it routes a batch: the mapping retries the whole batch. */
  'dispatcher-crash-before',
  /** The dispatcher dies after the owners applied the batch, before answering: the batch comes again. */
  'dispatcher-crash-after',
  /** A worker dies before running a batch (a function error). */
  'worker-crash-before',
  /** A worker dies after applying a batch, before answering (its writes stay). */
  'worker-crash-after',
  /** DynamoDB answers ProvisionedThroughputExceededException (the SDK retries it with backoff). */
  'dynamodb-throttle',
] as const;
export type ChaosFault = (typeof CHAOS_FAULTS)[number];

export interface ChaosOptions {
  readonly seed: number;
  /** Probability of each fault at each place it can happen (per invocation, per call, per crash point). @default 0.02 */
  readonly rate?: number;
}

/** A crash injected by the chaos run, told apart from a real failure in the logs. */
export class ChaosCrash extends Error {
  override readonly name = 'ChaosCrash';
}

/**
 * Seeded fault injection for `npm run soak`: wraps the dispatcher, the workers and the DynamoDB client of
 * the local system, and gives the SPM a crash hook. Every injected fault is counted; the run then checks
 * the ledger as any other. Deterministic in what it decides for a given seed and order of calls (the order
 * itself depends on timing, so two runs inject different faults).
 */
export class Chaos {
  private readonly random: Random;
  readonly rate: number;
  readonly counts: Record<ChaosFault, number> = Object.fromEntries(CHAOS_FAULTS.map((f) => [f, 0])) as Record<ChaosFault, number>;

  constructor(readonly options: ChaosOptions) {
    this.random = seededRandom(options.seed);
    this.rate = options.rate ?? 0.02;
  }

  private stopped = false;

  /** No fault from now on (the final ledger check reads through the same clients). */
  stop(): void {
    this.stopped = true;
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  /** Decides whether `fault` happens now, counting it if so. */
  strikes(fault: ChaosFault, scale = 1): boolean {
    if (this.stopped || this.random.next() >= this.rate * scale) return false;
    this.counts[fault] += 1;
    return true;
  }

  /**
   * The SPM's crash hook (its `spm.*` steps; the dispatcher's and workers' deaths are the wrappers below).
   * SPM crash points are reached only by moves and splits, a few per minute, so each is ten times likelier
   * than a per-invocation fault.
   */
  readonly crashPoint: CrashPoint = (step, subject) => {
    if (step.startsWith('spm.') && this.strikes('spm-crash', 10)) throw new InjectedCrash(step, subject);
  };

  /** A dispatcher invocation that may die before routing, or after the owners applied the batch. */
  wrapDispatch<E, C, R>(dispatch: (event: E, context: C) => Promise<R>): (event: E, context: C) => Promise<R> {
    return async (event, context) => {
      if (this.strikes('dispatcher-crash-before')) throw new ChaosCrash('chaos: the dispatcher died before routing the batch');
      const result = await dispatch(event, context);
      if (this.strikes('dispatcher-crash-after')) throw new ChaosCrash('chaos: the dispatcher died after the owners applied the batch');
      return result;
    };
  }

  /** A worker invocation that may die before running the batch or after applying it (owner batches only). */
  wrapWorker(handle: (request: WorkerRequest) => Promise<WorkerResponse>): (request: WorkerRequest) => Promise<WorkerResponse> {
    return async (request) => {
      if (request.mode !== 'primary') return handle(request);
      if (this.strikes('worker-crash-before')) throw new ChaosCrash('chaos: the worker died before running the batch');
      const response = await handle(request);
      if (this.strikes('worker-crash-after')) throw new ChaosCrash('chaos: the worker died after applying the batch');
      return response;
    };
  }

  /**
   * Throttles DynamoDB calls below the SDK's retry loop, so they are retried as real throttling is; a call
   * that exhausts its attempts fails in the handler that made it.
   */
  throttle(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        if (this.strikes('dynamodb-throttle')) {
          throw awsServiceError('ProvisionedThroughputExceededException', 'chaos: Rate of requests exceeds the allowed throughput');
        }
        return next(args);
      },
      { step: 'deserialize', name: 'foreshadowChaosThrottle', priority: 'low' },
    );
  }
}

/** An error shaped as the AWS SDK v3 throws a service's client error (name, fault, HTTP status), for injection. */
export function awsServiceError(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode } });
}
