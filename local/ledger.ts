import { INITIAL_DIGEST, foldDigest, type Aggregate } from '../processor/aggregates.processor.js';
import { compareSequence } from '../app/sequence.js';

/** One record Kinesis accepted, as the producer saw it. */
export interface LedgerEntry {
  readonly partitionKey: string;
  readonly v: number;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

export interface LedgerMismatch {
  readonly partitionKey: string;
  readonly expected: { readonly count: number; readonly sum: number; readonly digest: number };
  readonly applied: { readonly count: number; readonly sum: number; readonly digest: number } | undefined;
}

export interface LedgerCheck {
  /** Records Kinesis accepted (the producer's count) and records applied (the output table's counts). */
  readonly produced: number;
  readonly applied: number;
  readonly keys: number;
  /** Keys whose count, sum or order digest differ from the ledger. */
  readonly mismatches: readonly LedgerMismatch[];
  /** Records applied more than once / never (count differences summed over keys). */
  readonly duplicated: number;
  readonly lost: number;
  /** True when every key's count, sum and order digest match: each record applied once, in order. */
  readonly ok: boolean;
}

/**
 * The producer's ledger: every record Kinesis accepted, by partition key. The check compares it with the
 * example processor's per-key aggregates (count, sum and an order-sensitive digest), so a record lost,
 * applied twice or applied out of order shows up exactly.
 */
export class Ledger {
  private readonly byKey = new Map<string, LedgerEntry[]>();
  private count = 0;

  add(entry: LedgerEntry): void {
    const list = this.byKey.get(entry.partitionKey);
    if (list) list.push(entry);
    else this.byKey.set(entry.partitionKey, [entry]);
    this.count++;
  }

  get produced(): number {
    return this.count;
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  /**
   * Expected aggregate of a key, in the order a consumer must apply it: by shard generation (a parent's
   * records before its children's; `depth` gives it) and by sequence number within a shard.
   */
  expected(partitionKey: string, depth: (shardId: string) => number): { count: number; sum: number; digest: number } {
    const entries = [...(this.byKey.get(partitionKey) ?? [])].sort(
      (a, b) => depth(a.shardId) - depth(b.shardId) || (a.shardId === b.shardId ? compareSequence(a.sequenceNumber, b.sequenceNumber) : a.shardId.localeCompare(b.shardId)),
    );
    let sum = 0;
    let digest = INITIAL_DIGEST;
    for (const e of entries) {
      sum += e.v;
      digest = foldDigest(digest, e.v);
    }
    return { count: entries.length, sum, digest };
  }

  /** Compares with the applied aggregates (`read` returns undefined for a key never applied). */
  async check(read: (partitionKey: string) => Promise<Aggregate | undefined>, depth: (shardId: string) => number): Promise<LedgerCheck> {
    const mismatches: LedgerMismatch[] = [];
    let applied = 0;
    let duplicated = 0;
    let lost = 0;
    for (const key of this.byKey.keys()) {
      const expected = this.expected(key, depth);
      const got = await read(key);
      const actual = got ? { count: got.count, sum: got.sum, digest: got.digest } : undefined;
      const count = actual?.count ?? 0;
      applied += count;
      if (count > expected.count) duplicated += count - expected.count;
      if (count < expected.count) lost += expected.count - count;
      if (!actual || actual.count !== expected.count || actual.sum !== expected.sum || actual.digest !== expected.digest) {
        mismatches.push({ partitionKey: key, expected, applied: actual });
      }
    }
    return { produced: this.count, applied, keys: this.byKey.size, mismatches, duplicated, lost, ok: mismatches.length === 0 };
  }
}

/** Depth of each shard in the resharding lineage (0 for the stream's first shards). */
export function lineageDepth(shards: readonly { shardId: string; parentShardId?: string; adjacentParentShardId?: string }[]): (shardId: string) => number {
  const parents = new Map(shards.map((s) => [s.shardId, [s.parentShardId, s.adjacentParentShardId].filter((p): p is string => p !== undefined)]));
  const memo = new Map<string, number>();
  const depth = (id: string, guard = 0): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const ps = (parents.get(id) ?? []).filter((p) => parents.has(p));
    const d = ps.length === 0 || guard > 64 ? 0 : 1 + Math.max(...ps.map((p) => depth(p, guard + 1)));
    memo.set(id, d);
    return d;
  };
  return depth;
}
