import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { failed, ok, type Outcome } from '../../core/ports/outcome.js';
import type { InvokeFailure, WorkerInvoker, WorkerRequest, WorkerResponse } from '../../core/ports/worker-invoker.port.js';
import { AwsCallError, CorruptDataError, errorMessage, errorName, httpStatusOf } from './errors.js';
import { splitToFit } from './payload-split.js';

/**
 * Lambda's payload limit for asynchronous (`Event`) invocations, in bytes. AWS raised it from 256 KB to
 * 1 MB in October 2025; the Invoke API reference now reads "For asynchronous invocations, the maximum
 * payload size is 1 MB" (https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html, checked
 * 2026-11-25). "1 MB" is read as 1,000,000 bytes, the smaller of the two readings, so a part never
 * crosses the limit whichever AWS means. Pass `asyncPayloadLimitBytes: 262_144` where the old limit holds.
 */
export const ASYNC_PAYLOAD_LIMIT_BYTES = 1_000_000;
/** Synchronous (RequestResponse) payload limit, same page: 6 MB. Checked by Lambda (413), not here. */
export const SYNC_PAYLOAD_LIMIT_BYTES = 6_000_000;

export interface LambdaWorkerInvokerOptions {
  /** The worker function of each worker id (name or ARN); an unknown worker is answered `not-found`. */
  readonly functionNameOf: (workerId: string) => string | undefined;
  /**
   * The function shadow batches (`invokeAsync`) go to, per worker id: the class's shadow function, whose
   * own reserved concurrency keeps shadow work from taking a slot an owner's synchronous call needs.
   * @default - `functionNameOf` (shadows share the worker function)
   */
  readonly shadowFunctionNameOf?: (workerId: string) => string | undefined;
  /** Size limit of one asynchronous payload, in bytes. @default ASYNC_PAYLOAD_LIMIT_BYTES (1,000,000) */
  readonly asyncPayloadLimitBytes?: number;
}

const FAILURES: Readonly<Record<string, InvokeFailure>> = {
  TooManyRequestsException: 'throttled',
  EC2ThrottledException: 'throttled',
  RequestTooLargeException: 'payload-too-large',
  ResourceNotFoundException: 'not-found',
  TimeoutError: 'timeout',
  RequestTimeout: 'timeout',
};

function invokeFailure(error: unknown, subject: string): { ok: false; reason: InvokeFailure; detail: string } {
  const status = httpStatusOf(error);
  const reason = FAILURES[errorName(error)] ?? (status === 429 ? 'throttled' : status === 413 ? 'payload-too-large' : undefined);
  if (reason === undefined) throw new AwsCallError('Lambda', 'Invoke', subject, error);
  return failed(reason, `${subject}: ${errorName(error)}: ${errorMessage(error)}`);
}

function parseResponse(payload: Uint8Array | undefined, subject: string): WorkerResponse {
  const text = payload === undefined ? '' : Buffer.from(payload).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CorruptDataError(`${subject} response`, 'a JSON WorkerResponse', text.slice(0, 200));
  }
  const r = value as Partial<WorkerResponse> | null;
  if (
    typeof r !== 'object' || r === null || !Array.isArray(r.batchItemFailures) ||
    !r.batchItemFailures.every((f) => typeof f === 'object' && f !== null && typeof f.itemIdentifier === 'string') ||
    typeof r.processed !== 'number' || typeof r.busyMs !== 'number'
  ) {
    throw new CorruptDataError(`${subject} response`, 'a WorkerResponse ({ batchItemFailures, processed, busyMs })', value);
  }
  return r as WorkerResponse;
}

/**
 * `WorkerInvoker` on Lambda Invoke. The owner is invoked synchronously (RequestResponse) with the whole
 * batch, so the dispatcher returns its batch item failures to the ESM; shadows are invoked asynchronously
 * (`Event`, Lambda queues them and answers 202 at once) on the class's shadow function when one is given,
 * the records split so that each payload fits the asynchronous limit. Throttling (429), oversized payloads (413), unknown functions (404), timeouts and
 * function errors (the `X-Amz-Function-Error` header on a 200) are values; anything else is thrown.
 */
export class LambdaWorkerInvoker implements WorkerInvoker {
  private readonly asyncLimit: number;

  constructor(
    private readonly client: LambdaClient,
    private readonly options: LambdaWorkerInvokerOptions,
  ) {
    this.asyncLimit = options.asyncPayloadLimitBytes ?? ASYNC_PAYLOAD_LIMIT_BYTES;
  }

  async invoke(workerId: string, request: WorkerRequest): Promise<Outcome<WorkerResponse, InvokeFailure>> {
    const functionName = this.options.functionNameOf(workerId);
    if (functionName === undefined) return failed('not-found', `no worker function for worker ${workerId}`);
    const subject = `${functionName} (worker ${workerId}, ${request.shardId}, ${request.records.length} records)`;
    let answer;
    try {
      answer = await this.client.send(
        new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(request)) }),
      );
    } catch (error) {
      return invokeFailure(error, subject);
    }
    if (answer.FunctionError !== undefined) {
      const body = answer.Payload === undefined ? '' : Buffer.from(answer.Payload).toString('utf8');
      return failed('function-error', `${subject}: ${answer.FunctionError} function error: ${body.slice(0, 500)}`);
    }
    return ok(parseResponse(answer.Payload, subject));
  }

  /**
   * Sends the parts concurrently. If a part is refused, the result is that failure (with how many parts went
   * through): shadow work is best effort and the caller only counts it. A record too big to fit on its own
   * is `payload-too-large` and nothing is sent.
   */
  async invokeAsync(workerId: string, request: WorkerRequest): Promise<Outcome<{ calls: number }, InvokeFailure>> {
    const functionName = (this.options.shadowFunctionNameOf ?? this.options.functionNameOf)(workerId);
    if (functionName === undefined) return failed('not-found', `no shadow function for worker ${workerId}`);
    const split = splitToFit(request, this.asyncLimit);
    if (!split.ok) {
      return failed('payload-too-large', `record ${split.sequenceNumber} of ${request.shardId} needs ${split.bytes} bytes, above the asynchronous limit of ${this.asyncLimit}`);
    }
    const results = await Promise.all(
      split.requests.map(async (part, i) => {
        const subject = `${functionName} (worker ${workerId}, ${request.shardId}, part ${i + 1} of ${split.requests.length})`;
        try {
          await this.client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(part)) }));
          return undefined;
        } catch (error) {
          return invokeFailure(error, subject);
        }
      }),
    );
    const failures = results.filter((r) => r !== undefined);
    const first = failures[0];
    if (first !== undefined) {
      return failed(first.reason, `${split.requests.length - failures.length} of ${split.requests.length} parts sent; ${first.detail}`);
    }
    return ok({ calls: split.requests.length });
  }
}
