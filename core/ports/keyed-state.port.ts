import type { WriteOutcome } from './metadata-store.port.js';

/** One key's processor state, with the sequence number of the last record applied to it. */
export interface KeyedStateItem {
  readonly value: unknown;
  /** Sequence number of the last record applied to this key (decimal string). */
  readonly lastSequenceNumber: string;
  /** Bumped by every write; 0 means the key has never been written. */
  readonly version: number;
  /**
   * The last sequence number applied to this key in each shard it was read from (a key moves to a child
   * shard after a split). Sequence numbers are only ordered within a shard, so a redelivery is recognised
   * per shard. Absent on items written before it existed: then `lastSequenceNumber` is compared.
   */
  readonly appliedByShard?: Readonly<Record<string, string>>;
}

/** An output a processor emitted, with an id derived from the record, so writing it twice is harmless. */
export interface EmittedOutput {
  readonly id: string;
  readonly key: string;
  readonly value: unknown;
}

/**
 * The worker's side-effect store (the output table). Writes are idempotent so that a retried batch applies
 * nothing twice: outputs are put by deterministic id, and a key's state is written only if it is still at
 * the version that was read (`version-conflict` otherwise).
 */
export interface KeyedStateStore {
  get(key: string): Promise<KeyedStateItem | undefined>;
  put(key: string, value: unknown, lastSequenceNumber: string, expectedVersion: number, appliedByShard?: Readonly<Record<string, string>>): Promise<WriteOutcome>;
  putOutputs(outputs: readonly EmittedOutput[]): Promise<void>;
  /** Atomically counts one more failed attempt of `recordId` and returns the total. */
  countAttempt(recordId: string): Promise<number>;
}
