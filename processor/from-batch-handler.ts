import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';

/** An existing Lambda consumer of a Kinesis stream: a batch in, the records to retry out (or nothing, or a throw). */
export type KinesisBatchHandler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse | void> | KinesisStreamBatchResponse | void;

export interface FromBatchHandlerOptions {
  /**
   * The handler has no side effects a second run would repeat or leak (it only computes, or writes nothing a
   * dry run must not write), so a shadow may run it on sampled records to measure its cost on another
   * worker. Without it no shadow ever runs the handler: the SPM measures the shard on its owner only (set
   * `decision.spm.shadowing: owner-only`, README "From a Lambda consumer"). @default false
   */
  readonly sideEffectFree?: boolean;
  /** Shown in logs and metrics. @default the handler function's name, or 'kinesis-batch-handler' */
  readonly name?: string;
  /** `eventSourceARN` of the events the handler receives (the worker does not know the stream's ARN). @default '' */
  readonly eventSourceArn?: string;
}

/** A worker program that runs an unmodified Kinesis batch handler (see `fromBatchHandler`). */
export interface BatchHandlerProgram {
  readonly kind: 'kinesis-batch-handler';
  readonly name: string;
  readonly handler: KinesisBatchHandler;
  readonly sideEffectFree: boolean;
  readonly eventSourceArn: string;
}

/**
 * Runs an existing Kinesis batch handler (`KinesisStreamEvent` → `KinesisStreamBatchResponse`) as a worker,
 * the day-one path before a `defineProcessor` rewrite:
 *
 * ```ts
 * import { fromBatchHandler } from 'foreshadow/processor/from-batch-handler.js';
 * import { handler as existing } from './my-consumer.js';
 * export const handler = createWorkerHandler(fromBatchHandler(existing));
 * ```
 *
 * What the owner gives is what a plain event source mapping gives: at least once. The handler sees the
 * shard's batches in order (a batch per invocation, the Kinesis records as Lambda delivers them, aggregated
 * or not); its `batchItemFailures` (or a throw: the whole batch) send the batch back from the lowest failed
 * record. Per record the worker counts attempts and, at `maxAttempts`, sends that record to the failure
 * destination and moves on, so a poison record cannot hold the shard. Records after a failed one, or of a
 * batch that timed out, run again: the handler must tolerate repeats, as it does today. Per-key state and
 * exactly-once effects are what `defineProcessor` adds.
 */
export function fromBatchHandler(handler: KinesisBatchHandler, options: FromBatchHandlerOptions = {}): BatchHandlerProgram {
  if (typeof handler !== 'function') throw new TypeError(`fromBatchHandler needs a handler function (given ${typeof handler})`);
  return Object.freeze({
    kind: 'kinesis-batch-handler',
    name: options.name ?? (handler.name || 'kinesis-batch-handler'),
    handler,
    sideEffectFree: options.sideEffectFree ?? false,
    eventSourceArn: options.eventSourceArn ?? '',
  });
}

export function isBatchHandlerProgram(program: unknown): program is BatchHandlerProgram {
  return typeof program === 'object' && program !== null && (program as { kind?: unknown }).kind === 'kinesis-batch-handler';
}
