import type { KeyedStateItem } from '../../core/ports/index.js';
import { foldDigest, INITIAL_DIGEST, type Aggregate } from '../../processor/aggregates.processor.js';

/** One record as produced: what the example processor must end up having applied, in this order per key. */
export interface Produced {
  readonly key: string;
  readonly v: number;
  readonly sequenceNumber: string;
  readonly shardId: string;
  readonly poison: boolean;
}

export interface KeyVerdict {
  readonly key: string;
  readonly expected: Aggregate;
  readonly actual?: Aggregate;
  readonly problem: 'lost' | 'duplicated' | 'reordered' | 'wrong-last-sequence' | 'missing';
}

/**
 * Every record the test produced, in production order per key. The output table is right when each key's
 * aggregate equals the fold of its non-poison records in that order: the count catches loss and duplicates,
 * the order-sensitive digest catches reordering, the last sequence number catches a stale tail.
 */
export class Ledger {
  readonly byKey = new Map<string, Produced[]>();

  add(record: Produced): void {
    const list = this.byKey.get(record.key) ?? [];
    list.push(record);
    this.byKey.set(record.key, list);
  }

  get size(): number {
    return [...this.byKey.values()].reduce((n, l) => n + l.length, 0);
  }

  all(): Produced[] {
    return [...this.byKey.values()].flat();
  }

  expected(key: string): Aggregate | undefined {
    const applied = (this.byKey.get(key) ?? []).filter((r) => !r.poison);
    const last = applied.at(-1);
    if (!last) return undefined;
    return {
      count: applied.length,
      sum: applied.reduce((s, r) => s + r.v, 0),
      lastSequenceNumber: last.sequenceNumber,
      digest: applied.reduce((d, r) => foldDigest(d, r.v), INITIAL_DIGEST),
    };
  }

  /** Keys whose stored aggregate differs from the ledger, with the kind of difference. */
  check(states: ReadonlyMap<string, KeyedStateItem>): KeyVerdict[] {
    const verdicts: KeyVerdict[] = [];
    for (const key of this.byKey.keys()) {
      const expected = this.expected(key);
      if (!expected) continue;
      const actual = states.get(key)?.value as Aggregate | undefined;
      if (!actual) verdicts.push({ key, expected, problem: 'missing' });
      else if (actual.count < expected.count) verdicts.push({ key, expected, actual, problem: 'lost' });
      else if (actual.count > expected.count) verdicts.push({ key, expected, actual, problem: 'duplicated' });
      else if (actual.digest !== expected.digest || actual.sum !== expected.sum) verdicts.push({ key, expected, actual, problem: 'reordered' });
      else if (actual.lastSequenceNumber !== expected.lastSequenceNumber) verdicts.push({ key, expected, actual, problem: 'wrong-last-sequence' });
    }
    return verdicts;
  }

  /** True when every key has at least as many applied records as the ledger expects (the pipeline caught up). */
  caughtUp(states: ReadonlyMap<string, KeyedStateItem>): boolean {
    for (const key of this.byKey.keys()) {
      const expected = this.expected(key);
      if (expected && ((states.get(key)?.value as Aggregate | undefined)?.count ?? 0) < expected.count) return false;
    }
    return true;
  }
}
