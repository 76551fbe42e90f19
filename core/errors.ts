/**
 * Errors of the domain core. Each has a stable `code` and a message that quotes the bad value and what
 * is allowed, so that a user can fix the input without reading the source.
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly code = 'FORESHADOW_INVALID_VALUE';
  constructor(
    /** Dotted path of the bad field, e.g. `workers[2].slots`. */
    readonly field: string,
    /** What is allowed, e.g. `an integer between 1 and 1000`. */
    readonly allowed: string,
    /** The value that was given. */
    readonly given: unknown,
  ) {
    super(`${field} must be ${allowed} (given ${formatGiven(given)})`);
  }
}

export function formatGiven(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined) return 'nothing';
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * Whether a failure is transient: a dependency that throttled or was briefly unavailable, and will likely
 * answer on a retry (adapters mark such errors with `transient: true`). The worker retries a batch that met
 * one without counting an attempt against any record: a throttling storm must not send healthy records to
 * the failure destination.
 */
export function isTransient(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { transient?: unknown }).transient === true;
}
