/**
 * Expected outcomes are values, not exceptions (STYLE 8): a lost conditional write or a throttled split
 * is something the caller handles. Adapters throw only for bugs and unexpected failures.
 */
export type Outcome<T = void, R extends string = string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: R; readonly detail: string };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function failed<R extends string>(reason: R, detail: string): { readonly ok: false; readonly reason: R; readonly detail: string } {
  return { ok: false, reason, detail };
}
