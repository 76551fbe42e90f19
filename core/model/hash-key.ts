import { ValidationError } from '../errors.js';

/** Kinesis hash keys are MD5(partition key) read as an unsigned 128-bit integer. */
export const MIN_HASH_KEY = 0n;
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** An inclusive range of hash keys, as Kinesis reports it for a shard. */
export interface HashKeyRange {
  readonly start: bigint;
  readonly end: bigint;
}

export function hashKeyRange(start: bigint, end: bigint, field = 'hashKeyRange'): HashKeyRange {
  if (start < MIN_HASH_KEY || start > MAX_HASH_KEY) throw new ValidationError(`${field}.start`, 'between 0 and 2^128-1', start);
  if (end < start || end > MAX_HASH_KEY) throw new ValidationError(`${field}.end`, `between start (${start}) and 2^128-1`, end);
  return { start, end };
}

export function rangeContains(range: HashKeyRange, key: bigint): boolean {
  return key >= range.start && key <= range.end;
}

/** Splits the full key space into `count` contiguous, equal ranges (as CreateStream does). */
export function evenRanges(count: number): HashKeyRange[] {
  const size = (MAX_HASH_KEY + 1n) / BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    start: size * BigInt(i),
    end: i === count - 1 ? MAX_HASH_KEY : size * BigInt(i + 1) - 1n,
  }));
}

/** Fraction of `range` covered below `key` (0..1), for placing keys on a histogram. */
export function positionInRange(range: HashKeyRange, key: bigint): number {
  const width = range.end - range.start + 1n;
  const offset = key - range.start;
  // Scale to 1e9 to keep precision while leaving bigint space.
  return Number((offset * 1_000_000_000n) / width) / 1_000_000_000;
}
