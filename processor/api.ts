import type { WorkerMode } from '../core/ports/index.js';

/**
 * The record processor API: what a user writes to run on Foreshadow workers.
 *
 * A processor sees one record at a time, in sequence order per partition key, with the state of that key.
 * It changes the key's state with `ctx.state.set` and produces outputs with `ctx.emit`. The runtime, not the
 * processor, applies both: in primary mode idempotently (a retried batch applies nothing twice), in shadow
 * mode not at all (a dry run that is only measured). A processor must therefore keep its side effects in
 * `ctx`: anything it writes elsewhere would happen in shadow mode too, and twice on a retry.
 *
 * ```ts
 * export const counter = defineProcessor<{ n: number }>({
 *   name: 'counter',
 *   process(record, ctx) {
 *     const n = (ctx.state.get()?.n ?? 0) + 1;
 *     ctx.state.set({ n });
 *     if (n % 1000 === 0) ctx.emit({ key: record.partitionKey, n });
 *   },
 * });
 * ```
 */
export interface ProcessorRecord {
  readonly shardId: string;
  /** The Kinesis record's sequence number (shared by the user records of one KPL aggregate). */
  readonly sequenceNumber: string;
  /** Position inside a KPL-aggregated Kinesis record; undefined for a plain record. */
  readonly subSequenceNumber?: number;
  /** The user record's partition key (inside an aggregate: its own, not the aggregate's). */
  readonly partitionKey: string;
  /** The record's bytes, decoded from the base64 the event source mapping delivers. */
  readonly data: Buffer;
  readonly approximateArrivalMs: number;
}

/** The state of the current record's partition key. */
export interface KeyedState<S> {
  /** Undefined before the key's first record. */
  get(): S | undefined;
  /** Replaces the key's state; must survive JSON (it is stored in DynamoDB). */
  set(value: S): void;
}

export interface ProcessorContext<S> {
  readonly mode: WorkerMode;
  readonly shardId: string;
  readonly workerId: string;
  readonly state: KeyedState<S>;
  /** Produces an output; it gets an id derived from the record, so a retry overwrites rather than duplicates it. */
  emit(value: unknown): void;
  /**
   * Stands for `ms` of real work on a worker of speed 1 (it waits `ms / speed`). For demos, the simulator's
   * scenarios and the benchmarks, where a record's cost is part of the input; real processors do not need it.
   */
  spend(ms: number): Promise<void>;
}

export interface Processor<S = unknown> {
  /** Shown in logs and metrics. */
  readonly name: string;
  /** Throwing marks the record failed: it is retried, and dead-lettered after a bounded number of attempts. */
  process(record: ProcessorRecord, ctx: ProcessorContext<S>): void | Promise<void>;
}

/** Checks a processor definition once, at module load, so a mistake fails the cold start, not a batch. */
export function defineProcessor<S>(definition: Processor<S>): Processor<S> {
  if (typeof definition.name !== 'string' || definition.name.length === 0) {
    throw new TypeError(`processor.name must be a non-empty string (given ${JSON.stringify(definition.name)})`);
  }
  if (typeof definition.process !== 'function') {
    throw new TypeError(`processor.process must be a function (given ${typeof definition.process})`);
  }
  return Object.freeze({ ...definition });
}
