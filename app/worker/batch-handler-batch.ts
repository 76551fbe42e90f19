import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { ShadowPartition } from '../../core/model/index.js';
import type { WireRecord, WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import type { BatchHandlerProgram } from '../../processor/from-batch-handler.js';
import { hashKeyOf } from '../sequence.js';
import type { WorkerBatchFigures } from '../telemetry.js';
import { countFailedAttempt } from './attempts.js';
import { startSpan } from './context.js';
import { fenceRejection, figures } from './primary-batch.js';
import { recordAboveHighWater, shadowOutcome, type Measured } from './shadow-batch.js';
import type { WorkerDeps } from './worker-deps.js';

type Outcome = { response: WorkerResponse; figures: WorkerBatchFigures };

/**
 * Runs a batch through an existing Kinesis batch handler as the shard's owner: at least once. Fencing is as
 * for a processor (a stale placement applies nothing). The handler's lowest failed record (a throw, or an
 * identifier not in the batch, fails the whole batch, as Lambda treats them) is counted as one attempt of
 * that record; below `maxAttempts` the batch goes back from it, at `maxAttempts` the record goes to the
 * failure sink and the batch goes back from the record after it (which the handler may have run already:
 * at least once).
 */
export async function runBatchHandlerPrimary(program: BatchHandlerProgram, request: WorkerRequest, deps: WorkerDeps): Promise<Outcome> {
  const span = startSpan();
  const rejected = await fenceRejection(request, deps, span);
  if (rejected) return rejected;
  const records = request.records;
  let failedIndex: number | undefined;
  let error = '';
  if (request.crashed !== undefined) {
    failedIndex = 0;
    error = request.crashed.error;
  } else {
    const run = await invoke(program, request, records);
    failedIndex = run.failedIndex;
    error = run.error;
  }
  if (failedIndex === undefined) {
    const timing = span();
    return { response: { batchItemFailures: [], processed: records.length, busyMs: timing.wallMs }, figures: figures(request, deps, timing, { records: records.length, failed: 0, deadLettered: 0, skipped: 0 }) };
  }
  const failed = records[failedIndex]!;
  const outcome = await countFailedAttempt(request, deps, failed, error);
  const retryFrom = outcome === 'retry' ? failed : records[failedIndex + 1];
  const timing = span();
  return {
    response: { batchItemFailures: retryFrom ? [{ itemIdentifier: retryFrom.sequenceNumber }] : [], processed: failedIndex, busyMs: timing.wallMs },
    figures: figures(request, deps, timing, { records: failedIndex, failed: outcome === 'retry' ? 1 : 0, deadLettered: outcome === 'retry' ? 0 : 1, skipped: 0 }),
  };
}

/**
 * A sampled batch on a shadow: only for a handler declared side-effect free, run as is on the sampled records
 * and timed as a whole; each record gets an equal share of the batch's time (the handler is one call, so its
 * per-record costs cannot be told apart) and its partition key's place in the histogram. A handler not
 * declared side-effect free is never run here: the shadow measures nothing.
 */
export async function runBatchHandlerShadow(
  program: BatchHandlerProgram,
  request: WorkerRequest,
  deps: WorkerDeps,
  findShadow: (shadowId: string) => Promise<ShadowPartition | undefined>,
): Promise<Outcome> {
  const span = startSpan();
  const shadow = program.sideEffectFree && request.shadowId !== undefined ? await findShadow(request.shadowId) : undefined;
  let records = 0;
  let failed = 0;
  let cpuMs = 0;
  let skippedDuplicates = 0;
  if (shadow && request.records.length > 0) {
    const run = startSpan();
    const result = await invoke(program, request, request.records);
    const spent = run();
    cpuMs = spent.cpuMs;
    records = request.records.length;
    failed = result.failedIndex === undefined ? 0 : records - result.failedIndex;
    const range = request.hashKeyStart === undefined || request.hashKeyEnd === undefined ? undefined : { start: BigInt(request.hashKeyStart), end: BigInt(request.hashKeyEnd) };
    const share = spent.wallMs / records;
    const measured: Measured[] = request.records.map((r) => ({ sequenceNumber: r.sequenceNumber, costMs: share, hashKey: range ? hashKeyOf(r.partitionKey) : undefined }));
    skippedDuplicates = await recordAboveHighWater(deps, shadow, measured, range);
  }
  return shadowOutcome(request, deps, span(), { records, cpuMs, failed, skippedDuplicates, discardedOutputs: 0, discardedStateWrites: 0 });
}

/** Calls the handler with the batch as Lambda would deliver it; the index of the lowest failed record, if any. */
async function invoke(program: BatchHandlerProgram, request: WorkerRequest, records: readonly WireRecord[]): Promise<{ failedIndex?: number; error: string }> {
  try {
    const response = await program.handler(toEvent(program, request.shardId, records), handlerContext(program, request));
    const ids = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
    if (ids.length === 0) return { error: '' };
    const indexes = ids.map((id) => records.findIndex((r) => r.sequenceNumber === id));
    // Lambda treats a missing or unknown identifier as a failure of the whole batch.
    const lowest = indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
    return { failedIndex: lowest, error: `${program.name} reported record ${records[lowest]!.sequenceNumber} failed` };
  } catch (error) {
    return { failedIndex: 0, error: error instanceof Error ? error.message : String(error) };
  }
}

/** The records as the event source mapping delivers them to a plain Lambda consumer. */
export function toEvent(program: BatchHandlerProgram, shardId: string, records: readonly WireRecord[]): KinesisStreamEvent {
  const region = /^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):/.exec(program.eventSourceArn)?.[1] ?? '';
  return {
    Records: records.map(
      (r): KinesisStreamRecord => ({
        eventID: `${shardId}:${r.sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        eventVersion: '1.0',
        eventSource: 'aws:kinesis',
        awsRegion: region,
        eventSourceARN: program.eventSourceArn,
        invokeIdentityArn: '',
        kinesis: { kinesisSchemaVersion: '1.0', partitionKey: r.partitionKey, sequenceNumber: r.sequenceNumber, data: r.data, approximateArrivalTimestamp: r.approximateArrivalMs / 1000 },
      }),
    ),
  };
}

/** A Lambda context for the handler: the worker's own invocation context is not passed down to the service. */
function handlerContext(program: BatchHandlerProgram, request: WorkerRequest): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? program.name,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    invokedFunctionArn: '',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '',
    awsRequestId: `${request.shardId}:${request.records[0]?.sequenceNumber ?? ''}`,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
    // The worker's own deadline is not known here; a generous bound for handlers that budget their work.
    getRemainingTimeInMillis: () => Math.max(0, 60_000 - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
