import { describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../core/config/index.js';
import type { Action } from '../../core/model/actions.js';
import { InvariantChecker } from '../../sim/invariants.js';

const config = parseConfig({});
const move = (shardId: string): Action => ({ type: 'move', shardId, fromWorkerId: 'a', toWorkerId: 'b', expectedEpoch: 0, reason: 'test' });

/** A checker with one shard `s` owned by `a` at epoch 0 and one child `c` of `s`. */
function checker(): InvariantChecker {
  const c = new InvariantChecker(42);
  c.onShardCreated({ shardId: 's', parentIds: [], owner: 'a', epoch: 0, atMs: 0 });
  c.onShardCreated({ shardId: 'c', parentIds: ['s'], owner: 'a', epoch: 0, atMs: 0 });
  return c;
}
const batch = (first: number, end: number, startMs: number, workerId = 'a', epoch = 0, shardId = 's') => ({ shardId, firstSeq: first, endSeq: end, workerId, epoch, startMs, endMs: startMs + 10 });

describe('invariant checker', () => {
  it('accepts contiguous batches, a clean move and a child that starts after its parent drained', () => {
    const c = checker();
    c.onPrimaryBatch(batch(0, 10, 0));
    c.onOwnerChange({ shardId: 's', from: 'a', to: 'b', epoch: 1, atMs: 100 });
    c.onPrimaryBatch(batch(10, 20, 200, 'b', 1));
    c.onShardDrained({ shardId: 's', atMs: 300 });
    c.onPrimaryBatch(batch(0, 5, 300, 'a', 0, 'c'));
    c.finish([{ shardId: 's', accepted: 20, queued: 0, output: 20 }, { shardId: 'c', accepted: 7, queued: 2, output: 5 }]);
    expect(c.violations).toEqual([]);
  });

  it.each<[string, (c: InvariantChecker) => void, RegExp]>([
    ['a record processed twice', (c) => (c.onPrimaryBatch(batch(0, 10, 0)), c.onPrimaryBatch(batch(5, 12, 100))), /records processed twice/],
    ['records skipped', (c) => (c.onPrimaryBatch(batch(0, 10, 0)), c.onPrimaryBatch(batch(11, 12, 100))), /records skipped/],
    ['a batch by a worker that does not own the epoch', (c) => c.onPrimaryBatch(batch(0, 10, 0, 'b')), /owned by a/],
    ['a batch at a stale epoch after a move', (c) => (c.onOwnerChange({ shardId: 's', from: 'a', to: 'b', epoch: 1, atMs: 0 }), c.onPrimaryBatch(batch(0, 1, 10, 'a', 0))), /stale epoch/],
    ['two owners for one epoch', (c) => (c.onOwnerChange({ shardId: 's', from: 'a', to: 'b', epoch: 1, atMs: 0 }), c.onOwnerChange({ shardId: 's', from: 'a', to: 'c', epoch: 1, atMs: 0 })), /epoch 1/],
    ['overlapping batches (per-key order)', (c) => (c.onPrimaryBatch(batch(0, 10, 0)), c.onPrimaryBatch(batch(10, 12, 5))), /overlaps/],
    ['a child before its parent drained', (c) => c.onPrimaryBatch(batch(0, 5, 0, 'a', 0, 'c')), /before parent s drained/],
    ['a lost record', (c) => (c.onPrimaryBatch(batch(0, 10, 0)), c.finish([{ shardId: 's', accepted: 12, queued: 1, output: 10 }])), /records lost or duplicated/],
    ['shadow output in the primary output', (c) => (c.onPrimaryBatch(batch(0, 10, 0)), c.finish([{ shardId: 's', accepted: 10, queued: 0, output: 13 }])), /shadow output leaked/],
    ['too many moves in one tick', (c) => c.onDecision({ policy: 'spm', atMs: 0, applied: [move('s'), move('c'), move('s')], liveShadows: 0, config }), /3 moves in one tick \(budget 2\)/],
    ['too many live shadows', (c) => c.onDecision({ policy: 'spm', atMs: 0, applied: [], liveShadows: 5, config }), /5 live shadows \(budget 4\)/],
  ])('reports %s', (_name, act, message) => {
    const c = checker();
    act(c);
    expect(c.violations.join('\n')).toMatch(message);
  });

  it('fails with the seed to reproduce the run', () => {
    const c = checker();
    c.onPrimaryBatch(batch(3, 10, 0));
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => c.assertHolds()).toThrow(/reproduce: seed=42/);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('reproduce: seed=42'));
    error.mockRestore();
  });
});
