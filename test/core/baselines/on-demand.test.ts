import { describe, expect, it } from 'vitest';
import { onDemandPolicy, type OnDemandState } from '../../../core/policies/baselines/on-demand.policy.js';
import { midpointHashKey } from '../../../core/policies/baselines/reactive-split.policy.js';
import type { SplitAction } from '../../../core/model/actions.js';
import { evenRanges } from '../../../core/model/hash-key.js';
import { clusterView, configWith, partition, shardPoint, worker } from './factories.js';

const MINUTE = 60_000;

/** Shards s0..s(n-1) over even ranges, each with one 60-s point at minute `atMin` reading `recordsPerSec[i]`. */
function view(recordsPerSec: readonly number[], atMin = 0, status: 'ACTIVE' | 'UPDATING' = 'ACTIVE') {
  const ranges = evenRanges(recordsPerSec.length);
  return clusterView({
    nowMs: (atMin + 1) * MINUTE,
    streamStatus: status,
    workers: [worker('esm')],
    partitions: recordsPerSec.map((_, i) => partition(`s${i}`, 'esm', { hashKeyRange: ranges[i]! })),
    shardMetrics: Object.fromEntries(recordsPerSec.map((r, i) => [`s${i}`, [shardPoint({ atMs: atMin * MINUTE, periodMs: MINUTE, incomingRecords: r * 60, incomingBytes: r * 60 * 100 })]])),
  });
}

const splits = (actions: readonly unknown[]) => (actions as SplitAction[]).filter((a) => a.type === 'split').map((a) => a.shardId);

describe('on-demand (Kinesis on-demand capacity mode, as documented)', () => {
  const config = configWith();

  it('splits evenly a shard whose ingest reaches 500 of 1000 records/s; leaves one at 499 alone', () => {
    const d = onDemandPolicy.decide(view([500, 499, 100, 100]), config, onDemandPolicy.initialState());
    expect(splits(d.actions)).toEqual(['s0']);
    expect((d.actions[0] as SplitAction).newStartingHashKey).toBe(midpointHashKey(evenRanges(4)[0]!));
  });

  it('keeps capacity for 2x the previous peak: a peak of 3 shards worth needs 6 shards, so a 4-shard stream splits its 2 busiest, at once', () => {
    const state: OnDemandState = { periods: [], peakShardsWorth: 3, hotStreak: {} };
    const d = onDemandPolicy.decide(view([100, 300, 200, 50], 5, 'UPDATING'), config, state);
    expect(splits(d.actions)).toEqual(['s1', 's2']);
    expect(d.nextState.peakShardsWorth).toBe(3);
  });

  it('records the stream-wide peak in shards worth: 4 shards at 400 records/s = 1.6, which 4 shards cover (2 x 1.6 = 3.2)', () => {
    const d = onDemandPolicy.decide(view([400, 400, 400, 400]), config, onDemandPolicy.initialState());
    expect(d.actions).toEqual([]);
    expect(d.nextState.peakShardsWorth).toBeCloseTo(1.6, 9);
  });

  it('waits for sustainPoints periods when asked to (here 3): no split after 2', () => {
    const slow = configWith({ baselines: { onDemand: { sustainPoints: 3 } } });
    let state = onDemandPolicy.initialState();
    const counts: number[] = [];
    for (let m = 0; m < 3; m++) {
      const d = onDemandPolicy.decide(view([600, 100], m), slow, state);
      counts.push(d.actions.length);
      state = d.nextState;
    }
    expect(counts).toEqual([0, 0, 1]);
  });

  it('merges the coldest adjacent pair only once a full scale-down window shows 2x its peak fits in one shard fewer', () => {
    const cfg = configWith({ baselines: { onDemand: { scaleDownWindowMs: 3 * MINUTE } } });
    let state = onDemandPolicy.initialState();
    const merges: number[] = [];
    for (let m = 0; m < 5; m++) {
      const d = onDemandPolicy.decide(view([50, 40, 30, 200], m), cfg, { ...state, peakShardsWorth: 0 });
      merges.push(d.actions.filter((a) => a.type === 'merge').length);
      state = d.nextState;
    }
    // Window peak 0.32 shards worth: 2 x 0.32 fits in 3 shards; s1+s2 (7 %) is the coldest pair.
    expect(merges).toEqual([0, 0, 1, 1, 1]);
    const d = onDemandPolicy.decide(view([50, 40, 30, 200], 5), cfg, state);
    expect(d.actions[0]).toMatchObject({ type: 'merge', shardId: 's1', adjacentShardId: 's2' });
  });

  it('is Kinesis-internal: no function, no metric reads, on-demand billing, a plain mapping', () => {
    expect(onDemandPolicy.deployment).toMatchObject({ dataPath: 'kinesis-internal', dataPlane: 'plain-esm', capacityMode: 'on-demand', decisionFunction: false });
    expect(onDemandPolicy.deployment!.metricsPerDecision(64, 1)).toBe(0);
  });
});
