import type { EmittedOutput, KeyedStateItem, KeyedStateStore, WriteOutcome } from '../../core/ports/index.js';
import { failed, ok } from '../../core/ports/index.js';

/**
 * The output table in memory: the same conditional semantics as the DynamoDB store (a key is written only
 * at the version that was read), for unit tests and a runtime without dynalite. Values are deep-copied
 * through JSON, as they would be through DynamoDB.
 */
export class MemoryKeyedStateStore implements KeyedStateStore {
  readonly items = new Map<string, KeyedStateItem>();
  readonly outputs = new Map<string, EmittedOutput>();
  readonly attempts = new Map<string, number>();

  async get(key: string): Promise<KeyedStateItem | undefined> {
    const item = this.items.get(key);
    return item && { ...item, value: clone(item.value) };
  }

  async put(key: string, value: unknown, lastSequenceNumber: string, expectedVersion: number, appliedByShard?: Readonly<Record<string, string>>): Promise<WriteOutcome> {
    const current = this.items.get(key)?.version ?? 0;
    if (current !== expectedVersion) return failed('version-conflict', `key ${key} is at version ${current}, not ${expectedVersion}`);
    this.items.set(key, { value: clone(value), lastSequenceNumber, version: current + 1, ...(appliedByShard ? { appliedByShard: { ...appliedByShard } } : {}) });
    return ok(undefined);
  }

  async putOutputs(outputs: readonly EmittedOutput[]): Promise<void> {
    for (const output of outputs) this.outputs.set(output.id, { ...output, value: clone(output.value) });
  }

  async countAttempt(recordId: string): Promise<number> {
    const next = (this.attempts.get(recordId) ?? 0) + 1;
    this.attempts.set(recordId, next);
    return next;
  }
}

function clone(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
