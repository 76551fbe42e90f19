import { formatGiven } from '../../core/errors.js';

/**
 * Errors of the adapters. Expected outcomes (a lost conditional write, a throttled split, a busy stream)
 * are `Outcome` values, never these; these are thrown for what the caller cannot handle: an emulator that
 * does not start, an AWS answer the adapter does not understand, an item that does not decode.
 * Each has a `name`, a stable `code` and a message quoting the offending value.
 */
export abstract class AdapterError extends Error {
  abstract readonly code: string;
}

/** A local emulator (kinesis-local, dynalite) could not be started or stopped. */
export class EmulatorError extends AdapterError {
  override readonly name = 'EmulatorError';
  readonly code = 'FORESHADOW_EMULATOR_FAILED';
  constructor(
    readonly emulator: string,
    detail: string,
    /** True when the emulator could not listen because its port was taken (a retry on fresh ports may work). */
    readonly portInUse = false,
  ) {
    super(`${emulator}: ${detail}`);
  }
}

/**
 * An AWS call failed in a way the port does not model as a value (access denied, a service error after the
 * SDK's retries, a network failure). The original error is kept as `cause`.
 */
export class AwsCallError extends AdapterError {
  override readonly name = 'AwsCallError';
  readonly code = 'FORESHADOW_AWS_CALL_FAILED';
  /** The cause was throttling, a 5xx or a network failure: a later retry will likely succeed (core isTransient). */
  readonly transient: boolean;
  constructor(
    readonly service: string,
    readonly operation: string,
    /** What the call was about, e.g. `shard shardId-000000000001`. */
    readonly subject: string,
    cause: unknown,
  ) {
    super(`${service}.${operation} failed for ${subject}: ${errorName(cause)}: ${errorMessage(cause)}`, { cause });
    this.transient = isTransientAwsError(cause);
  }
}

/** Error names AWS uses for throttling and brief unavailability, across the services this project calls. */
const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Throttling, a server-side (5xx) error or a network failure, from the SDK's error shape. */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown }; $retryable?: unknown };
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.$retryable !== undefined && e.$retryable !== null) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  return typeof e.code === 'string' && ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE'].includes(e.code);
}

/** A stored item or an AWS answer does not have the shape the adapter wrote or expects. */
export class CorruptDataError extends AdapterError {
  override readonly name = 'CorruptDataError';
  readonly code = 'FORESHADOW_CORRUPT_DATA';
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly given: unknown,
  ) {
    super(`${field} must be ${expected} (given ${formatGiven(given)})`);
  }
}

/** An argument the adapter cannot send to AWS (a bug in the caller): thrown, not returned. */
export class AdapterArgumentError extends AdapterError {
  override readonly name = 'AdapterArgumentError';
  readonly code = 'FORESHADOW_INVALID_ARGUMENT';
  constructor(
    readonly field: string,
    readonly allowed: string,
    readonly given: unknown,
  ) {
    super(`${field} must be ${allowed} (given ${formatGiven(given)})`);
  }
}

export function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string') return error.name;
  return typeof error;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return formatGiven(error);
}

/** The HTTP status of an SDK v3 service exception, if it has one. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return metadata?.httpStatusCode;
}
