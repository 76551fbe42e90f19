import { describe, expect, it } from 'vitest';
import { Ledger, lineageDepth, type LedgerEntry } from '../../local/ledger.js';
import { INITIAL_DIGEST, foldDigest, type Aggregate } from '../../processor/aggregates.processor.js';

const entry = (partitionKey: string, v: number, sequenceNumber: string, shardId = 'shardId-000000000000'): LedgerEntry => ({ partitionKey, v, shardId, sequenceNumber });
const flat = (): number => 0;

/** What the example processor stores after applying `values` in this order. */
function appliedAs(values: readonly number[]): Aggregate {
  return { count: values.length, sum: values.reduce((a, b) => a + b, 0), lastSequenceNumber: '0', digest: values.reduce(foldDigest, INITIAL_DIGEST) };
}

function ledgerOf(entries: readonly LedgerEntry[]): Ledger {
  const ledger = new Ledger();
  entries.forEach((e) => ledger.add(e));
  return ledger;
}

describe('the ledger check', () => {
  const entries = [entry('a', 1, '10'), entry('a', 2, '11'), entry('b', 3, '12')];

  it('holds when every record was applied once, in sequence order', async () => {
    const applied: Record<string, Aggregate> = { a: appliedAs([1, 2]), b: appliedAs([3]) };
    const check = await ledgerOf(entries).check(async (k) => applied[k], flat);
    expect(check).toMatchObject({ produced: 3, applied: 3, keys: 2, lost: 0, duplicated: 0, ok: true });
  });

  it.each([
    ['a lost record', { a: appliedAs([1]), b: appliedAs([3]) }, { lost: 1, duplicated: 0 }],
    ['a duplicated record', { a: appliedAs([1, 2, 2]), b: appliedAs([3]) }, { lost: 0, duplicated: 1 }],
    ['a key never applied', { a: appliedAs([1, 2]) }, { lost: 1, duplicated: 0 }],
    ['records applied out of order', { a: appliedAs([2, 1]), b: appliedAs([3]) }, { lost: 0, duplicated: 0 }],
  ])('fails on %s and names the key', async (_what, applied: Record<string, Aggregate>, counts) => {
    const check = await ledgerOf(entries).check(async (k) => applied[k], flat);
    expect(check.ok).toBe(false);
    expect(check).toMatchObject(counts);
    expect(check.mismatches).toHaveLength(1);
  });

  it('orders a key by sequence number numerically, not as text', () => {
    const ledger = ledgerOf([entry('a', 1, '9'), entry('a', 2, '10')]);
    expect(ledger.expected('a', flat).digest).toBe(appliedAs([1, 2]).digest);
  });

  it("puts a parent shard's records before its child's, whatever the sequence numbers", () => {
    const shards = [{ shardId: 'p' }, { shardId: 'c', parentShardId: 'p' }];
    const ledger = ledgerOf([entry('a', 2, '1', 'c'), entry('a', 1, '500', 'p')]);
    expect(ledger.expected('a', lineageDepth(shards)).digest).toBe(appliedAs([1, 2]).digest);
  });
});

describe('the resharding lineage', () => {
  it('gives first shards depth 0, children one more than their deepest parent', () => {
    const depth = lineageDepth([
      { shardId: 'a' },
      { shardId: 'b' },
      { shardId: 'a1', parentShardId: 'a' },
      { shardId: 'm', parentShardId: 'a1', adjacentParentShardId: 'b' },
    ]);
    expect(['a', 'b', 'a1', 'm'].map((id) => depth(id))).toEqual([0, 0, 1, 2]);
  });
});
