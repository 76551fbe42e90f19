/**
 * Errors the local runtime expects and explains in one line (a port in use, a missing emulator, a bad
 * scenario or option). `main.ts` prints the message and exits non-zero, never a stack trace; anything
 * else is a bug and keeps its stack.
 */
export const LOCAL_ERROR_CODES = ['port-in-use', 'emulator-missing', 'emulator-failed', 'bad-scenario', 'bad-option'] as const;
export type LocalErrorCode = (typeof LOCAL_ERROR_CODES)[number];

export class LocalRunError extends Error {
  override readonly name = 'LocalRunError';
  constructor(
    readonly code: LocalErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Exit codes per failure, so scripts can tell a busy port from a bad scenario. */
export const EXIT_CODES: Readonly<Record<LocalErrorCode | 'interrupted' | 'ledger-failed' | 'report-not-written' | 'bug', number>> = {
  'bad-option': 2,
  'bad-scenario': 3,
  'port-in-use': 4,
  'emulator-missing': 5,
  'emulator-failed': 6,
  'ledger-failed': 7,
  'report-not-written': 8,
  interrupted: 130,
  bug: 1,
};

/** Node's "address in use" error, from `server.listen` or a child's startup. */
export function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
}
