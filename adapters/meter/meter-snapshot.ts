/**
 * What a Meter counted, as plain data: the per-operation counts `npm start`, `npm run bench`, `npm run cost`
 * and the call budget test read, and the simulator can read later (cost/measured-counts.ts). Pure functions
 * only: snapshots are values, two of them subtract to the counts of what happened in between.
 */

/**
 * Where a count is attributed: the Lambda function whose invocation made it. `outside` is everything no
 * handler made (the load generator's PutRecords, the event source mapping's polling, a dashboard's reads,
 * test set-up): on AWS those are the producer's or Lambda's own, not Foreshadow's.
 */
export const METER_PATHS = ['dispatcher', 'worker', 'shadow', 'spm', 'outside'] as const;
export type MeterPath = (typeof METER_PATHS)[number];

/** One AWS API call as the SDK middleware (or a local stand-in for a client) saw it. */
export interface AwsCall {
  /** e.g. `DynamoDB`, `Kinesis`, `Lambda`, `CloudWatch`, `SQS`. */
  readonly service: string;
  /** The API operation, e.g. `PutItem`; a Lambda `Invoke` of type Event is `Invoke.Event`. */
  readonly operation: string;
  /** Table, stream, function or queue the call addressed; empty when it names none. */
  readonly resource?: string;
  /** HTTP request body, in bytes (the invocation payload for Lambda). @default 0 */
  readonly requestBytes?: number;
  /** HTTP response body, in bytes, from Content-Length where the transport gives it. @default 0 */
  readonly responseBytes?: number;
  /** DynamoDB read request units the call consumed. @default 0 */
  readonly readUnits?: number;
  /** DynamoDB write request units the call consumed. @default 0 */
  readonly writeUnits?: number;
  /** True when the units were computed rather than returned by the service (a lost condition). @default false */
  readonly unitsEstimated?: boolean;
  /** CloudWatch GetMetricData: metrics requested (queries), what the call is billed by. @default 0 */
  readonly metricsRequested?: number;
  /** Error name when the call failed (a lost condition is a failed call that still bills). */
  readonly error?: string;
}

/** Totals of the calls that share a path, service, operation and resource. */
export interface CallRow {
  readonly path: MeterPath;
  readonly service: string;
  readonly operation: string;
  readonly resource: string;
  readonly calls: number;
  readonly errors: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Calls whose units were estimated (see AwsCall.unitsEstimated). */
  readonly estimatedUnitCalls: number;
  readonly metricsRequested: number;
}

/** Totals of the invocations of one path at one memory size. */
export interface InvocationRow {
  readonly path: MeterPath;
  readonly memoryMb: number;
  readonly invocations: number;
  /** Sum of each invocation's duration rounded up to 1 ms, as Lambda bills it; measured on this machine. */
  readonly billedMs: number;
  /** Records the invocations were given (the batch, or the shadow's sample). */
  readonly records: number;
}

/** EMF lines (CloudWatch Logs events) one path printed. */
export interface EmfRow {
  readonly path: MeterPath;
  readonly lines: number;
  /** UTF-8 bytes of the lines, without the newline. */
  readonly bytes: number;
}

export interface MeterSnapshot {
  readonly calls: readonly CallRow[];
  readonly invocations: readonly InvocationRow[];
  readonly emf: readonly EmfRow[];
  /**
   * Every distinct metric the EMF lines defined (namespace, name and dimension values): what CloudWatch bills
   * per month. Cumulative: a subtraction keeps the later snapshot's list.
   */
  readonly metrics: readonly string[];
}

export const EMPTY_SNAPSHOT: MeterSnapshot = { calls: [], invocations: [], emf: [], metrics: [] };

type Numeric<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];

function subtractRows<T extends object>(after: readonly T[], before: readonly T[], key: (row: T) => string, fields: readonly Numeric<T>[]): T[] {
  const earlier = new Map(before.map((row) => [key(row), row]));
  const out: T[] = [];
  for (const row of after) {
    const old = earlier.get(key(row));
    const next = { ...row } as Record<string, unknown>;
    for (const field of fields) next[field as string] = (row[field] as number) - ((old?.[field] as number | undefined) ?? 0);
    if (fields.some((field) => next[field as string] !== 0)) out.push(next as T);
  }
  return out;
}

export const callKey = (r: Pick<CallRow, 'path' | 'service' | 'operation' | 'resource'>): string => `${r.path}|${r.service}|${r.operation}|${r.resource}`;
export const invocationKey = (r: Pick<InvocationRow, 'path' | 'memoryMb'>): string => `${r.path}|${r.memoryMb}`;

const CALL_FIELDS = ['calls', 'errors', 'requestBytes', 'responseBytes', 'readUnits', 'writeUnits', 'estimatedUnitCalls', 'metricsRequested'] as const;

/** The counts of what happened between `before` and `after` (two snapshots of the same meter). */
export function subtractSnapshots(after: MeterSnapshot, before: MeterSnapshot): MeterSnapshot {
  return {
    calls: subtractRows(after.calls, before.calls, callKey, CALL_FIELDS),
    invocations: subtractRows(after.invocations, before.invocations, invocationKey, ['invocations', 'billedMs', 'records']),
    emf: subtractRows(after.emf, before.emf, (r) => r.path, ['lines', 'bytes']),
    metrics: after.metrics,
  };
}

/** One call row per path, service, operation and resource, from the calls as they were recorded. */
export function addCall(rows: Map<string, CallRow>, path: MeterPath, call: AwsCall): void {
  const row = { path, service: call.service, operation: call.operation, resource: call.resource ?? '' };
  const key = callKey(row);
  const old = rows.get(key);
  rows.set(key, {
    ...row,
    calls: (old?.calls ?? 0) + 1,
    errors: (old?.errors ?? 0) + (call.error === undefined ? 0 : 1),
    requestBytes: (old?.requestBytes ?? 0) + (call.requestBytes ?? 0),
    responseBytes: (old?.responseBytes ?? 0) + (call.responseBytes ?? 0),
    readUnits: (old?.readUnits ?? 0) + (call.readUnits ?? 0),
    writeUnits: (old?.writeUnits ?? 0) + (call.writeUnits ?? 0),
    estimatedUnitCalls: (old?.estimatedUnitCalls ?? 0) + (call.unitsEstimated ? 1 : 0),
    metricsRequested: (old?.metricsRequested ?? 0) + (call.metricsRequested ?? 0),
  });
}
