import { describe, expect, it } from 'vitest';
import type { ClusterView } from '../../../core/model/cluster-view.js';
import type { DecisionEvent } from '../../../core/model/decision.js';
import { spmPolicy } from '../../../core/policies/spm/spm.policy.js';
import { config, flat, metrics, partition, view, worker } from './factories.js';

const holds = (events: readonly DecisionEvent[]) => events.flatMap((e) => (e.type === 'hold' ? [e.reason] : []));

/** w1 (2 slots) owns s0 at `u0`; w2 and w3 are idle. */
function cluster(u0: number, rps = 500): ClusterView {
  return view({
    workers: [worker('w1', { slots: 2 }), worker('w2'), worker('w3')],
    partitions: [partition('s0', 'w1'), partition('s1', 'w3')],
    shardMetrics: { s0: metrics(flat(u0), rps), s1: metrics(flat(0.2)) },
  });
}

describe('spm with shadowing: owner-only (a batch handler that is not side-effect free)', () => {
  const ownerOnly = config({ spm: { shadowing: 'owner-only' } });

  it('creates no shadow for a hot shard and says it is measured on its owner only', () => {
    const d = spmPolicy.decide(cluster(0.7), ownerOnly, spmPolicy.initialState());
    expect(d.actions.filter((a) => a.type === 'create-shadow')).toEqual([]);
    expect(holds(d.events)).toContainEqual(expect.stringMatching(/^shard s0 is hot; not shadowed: .*measured on its owner only/));
  });

  it('holds a shard at risk of overload instead of moving it blind, naming why', () => {
    const d = spmPolicy.decide(cluster(0.95), ownerOnly, spmPolicy.initialState());
    expect(d.actions.filter((a) => a.type === 'move' || a.type === 'create-shadow')).toEqual([]);
    expect(holds(d.events)).toContainEqual(expect.stringMatching(/^shard s0 must move because .* measured on its owner only: no target is measured/));
  });

  it('shadows the same hot shard by default (the control)', () => {
    const d = spmPolicy.decide(cluster(0.7), config(), spmPolicy.initialState());
    expect(d.actions.filter((a) => a.type === 'create-shadow').map((a) => a.shardId)).toEqual(['s0']);
  });
});
