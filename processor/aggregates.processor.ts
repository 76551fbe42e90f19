import { defineProcessor } from './api.js';

/** What a producer puts in a record for the example processor: a number, and optionally a synthetic cost. */
export interface AggregateInput {
  /** The value summed per key. */
  readonly v: number;
  /** Work the record stands for on a speed-1 worker, in ms. @default 0 */
  readonly costMs?: number;
  /** Makes the record fail every time (to exercise the failure destination). @default false */
  readonly poison?: boolean;
  /**
   * Pads the key's state with this many bytes, so that a record can make the state write fail the way an
   * item over DynamoDB's 400 KB does (a function error, not a processor error). @default 0
   */
  readonly stateBytes?: number;
}

/** Per-key running aggregates: the output table holds one of these per partition key. */
export interface Aggregate {
  readonly count: number;
  readonly sum: number;
  readonly lastSequenceNumber: string;
  /**
   * Order-sensitive fingerprint of the values in the order they were applied (see `foldDigest`): a record
   * lost, applied twice or applied out of order changes it, so a ledger of produced records checks it exactly.
   */
  readonly digest: number;
  /** Filler written by a record with `stateBytes`. */
  readonly padding?: string;
}

/** The order-sensitive fold behind `Aggregate.digest` (FNV-1a style over 32 bits). Ledgers use it too. */
export function foldDigest(digest: number, value: number): number {
  let h = (digest ^ (value >>> 0)) >>> 0;
  h = Math.imul(h, 16777619) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

export const INITIAL_DIGEST = 2166136261;

/** Parses a record's data; a record that is not an AggregateInput is a processing error. */
export function parseAggregateInput(data: Buffer): AggregateInput {
  const parsed: unknown = JSON.parse(data.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { v?: unknown }).v !== 'number') {
    throw new TypeError(`record data must be JSON {"v": number} (given ${data.toString('utf8').slice(0, 60)})`);
  }
  return parsed as AggregateInput;
}

/**
 * The example processor the tests, the demo and the README use: count, sum, last sequence number and an
 * order digest per partition key, checkable exactly against a ledger of the produced records.
 */
export const aggregatesProcessor = defineProcessor<Aggregate>({
  name: 'aggregates',
  async process(record, ctx) {
    const input = parseAggregateInput(record.data);
    if (input.costMs) await ctx.spend(input.costMs);
    if (input.poison) throw new Error(`poison record ${record.sequenceNumber} (key ${record.partitionKey})`);
    const before = ctx.state.get();
    ctx.state.set({
      count: (before?.count ?? 0) + 1,
      sum: (before?.sum ?? 0) + input.v,
      lastSequenceNumber: record.sequenceNumber,
      digest: foldDigest(before?.digest ?? INITIAL_DIGEST, input.v),
      // The filler stays with the key, as a large value would: every later write of the key carries it.
      ...(input.stateBytes ? { padding: 'x'.repeat(input.stateBytes) } : before?.padding === undefined ? {} : { padding: before.padding }),
    });
  },
});
