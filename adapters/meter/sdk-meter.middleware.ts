import { meterFor, type Meter } from './meter.js';
import type { AwsCall } from './meter-snapshot.js';

/** The parts of an SDK v3 handler context and arguments the meter reads (from @smithy/types, kept structural). */
interface Context {
  clientName?: string;
  commandName?: string;
  [key: string]: unknown;
}
interface Args {
  input: Record<string, unknown>;
  request?: { body?: unknown };
}
interface Result {
  output: Record<string, unknown>;
  response?: { headers?: Record<string, string | undefined> };
}
type Handler = (args: Args) => Promise<Result>;
type Middleware = (next: Handler, context: Context) => Handler;
interface Stack {
  add(middleware: Middleware, options: { step: 'initialize' | 'build'; name: string; override?: boolean; priority?: 'high' | 'normal' | 'low' }): void;
}

/**
 * DynamoDB operations that bill request units and accept `ReturnConsumedCapacity`. The meter asks for TOTAL on
 * them: it is free on AWS, dynalite computes it by DynamoDB's rules (item size rounded up to 1 KB per write
 * unit, 4 KB per read unit, a Query's items summed before rounding), and it is the one figure that already
 * includes what a hand count gets wrong (attribute names, the larger of the old and new item on update).
 */
const CAPACITY_OPERATIONS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactGetItems', 'TransactWriteItems']);
const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const REQUEST_BYTES = 'foreshadowMeterRequestBytes';

/**
 * Counts every call of an SDK v3 client into a Meter: service, operation, resource, request and response
 * bytes, DynamoDB request units, GetMetricData metrics, errors. Added once per client by adapters/aws/clients.ts
 * (STYLE 13b: measure at the boundary, once), so no adapter counts anything itself. A call counts once
 * whatever the SDK's retries; it counts into the meter scope of the invocation that made it
 * (meter.ts), or into `fallback` on the `outside` path.
 */
export function addSdkMeter(stack: Stack, fallback: Meter): void {
  stack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
      const asked = service === 'DynamoDB' && CAPACITY_OPERATIONS.has(operation) && args.input.ReturnConsumedCapacity === undefined;
      const sent = asked ? { ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } } : args;
      const { meter, path } = meterFor(fallback);
      const base = { service, operation: operationName(service, operation, args.input), resource: resourceOf(args.input), metricsRequested: metricsRequested(service, operation, args.input) };
      try {
        const result = await next(sent);
        meter.recordCall(path, { ...base, requestBytes: Number(context[REQUEST_BYTES] ?? 0), responseBytes: contentLength(result.response), ...units(operation, result.output) });
        if (asked) delete result.output.ConsumedCapacity;
        return result;
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        // A write whose condition failed still consumes write units (at least one; the size of the item it
        // checked, which the error does not say: one is assumed, as for the small items this project writes).
        const lost = name === 'ConditionalCheckFailedException' && WRITE_OPERATIONS.has(operation);
        meter.recordCall(path, { ...base, requestBytes: Number(context[REQUEST_BYTES] ?? 0), error: name, ...(lost ? { writeUnits: 1, unitsEstimated: true } : {}) });
        throw error;
      }
    },
    { step: 'initialize', name: 'foreshadowMeter', override: true, priority: 'high' },
  );
  // The serialized body exists only from the build step on: note its size for the call counted above.
  stack.add(
    (next, context) => async (args) => {
      context[REQUEST_BYTES] = byteLength(args.request?.body);
      return next(args);
    },
    { step: 'build', name: 'foreshadowMeterRequestBytes', override: true },
  );
}

function operationName(service: string, operation: string, input: Record<string, unknown>): string {
  return service === 'Lambda' && operation === 'Invoke' && input.InvocationType === 'Event' ? 'Invoke.Event' : operation;
}

function resourceOf(input: Record<string, unknown>): string {
  for (const key of ['TableName', 'StreamName', 'FunctionName', 'QueueUrl']) if (typeof input[key] === 'string') return input[key];
  const items = input.RequestItems;
  return typeof items === 'object' && items !== null ? Object.keys(items).sort().join(',') : '';
}

function metricsRequested(service: string, operation: string, input: Record<string, unknown>): number {
  return service === 'CloudWatch' && operation === 'GetMetricData' && Array.isArray(input.MetricDataQueries) ? input.MetricDataQueries.length : 0;
}

function units(operation: string, output: Record<string, unknown>): Pick<AwsCall, 'readUnits' | 'writeUnits'> {
  const consumed = output.ConsumedCapacity;
  const list = (Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed]) as { CapacityUnits?: number }[];
  const total = list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
  if (total === 0) return {};
  return WRITE_OPERATIONS.has(operation) ? { writeUnits: total } : { readUnits: total };
}

function contentLength(response: Result['response']): number {
  const header = response?.headers?.['content-length'] ?? response?.headers?.['Content-Length'];
  return header === undefined ? 0 : Number(header) || 0;
}

function byteLength(body: unknown): number {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return 0;
}
