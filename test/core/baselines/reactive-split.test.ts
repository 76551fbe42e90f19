import { describe, expect, it } from 'vitest';
import { midpointHashKey, reactiveSplitPolicy } from '../../../core/policies/baselines/reactive-split.policy.js';
import type { SplitAction } from '../../../core/model/actions.js';
import { evenRanges } from '../../../core/model/hash-key.js';
import { clusterView, configWith, partition, shardPoint, worker } from './factories.js';

const MINUTE = 60_000;

/** A view at minute `nowMin` of one shard whose last points (one per minute, oldest first) read `recordsPerSec` each. */
function view(recordsPerSec: readonly number[], opts: { iteratorAgeMs?: number; nowMin?: number; parents?: string[]; status?: 'ACTIVE' | 'UPDATING' } = {}) {
  const range = evenRanges(2)[0]!;
  const points = recordsPerSec.map((r, i) =>
    shardPoint({ atMs: i * MINUTE, periodMs: MINUTE, incomingRecords: r * 60, incomingBytes: r * 60 * 100, iteratorAgeMsMax: opts.iteratorAgeMs ?? 0 }),
  );
  return clusterView({
    nowMs: (opts.nowMin ?? recordsPerSec.length + 2) * MINUTE,
    streamStatus: opts.status ?? 'ACTIVE',
    workers: [worker('esm')],
    partitions: [partition('s1', 'esm', { hashKeyRange: range, parentShardIds: opts.parents ?? [] })],
    shardMetrics: { s1: points },
  });
}

describe('reactive-split (amazon-kinesis-scaling-utils style)', () => {
  const config = configWith();

  it('splits a shard at 800 of 1000 records/s (80 % ≥ 75 %) in each of its last 5 periods, at the midpoint of its range', () => {
    const d = reactiveSplitPolicy.decide(view([800, 800, 800, 800, 800]), config, reactiveSplitPolicy.initialState());
    expect(d.actions).toHaveLength(1);
    const split = d.actions[0] as SplitAction;
    const range = evenRanges(2)[0]!;
    expect(split).toMatchObject({ type: 'split', shardId: 's1', lowLoadShare: 0.5 });
    expect(split.newStartingHashKey).toBe(midpointHashKey(range));
    expect(split.newStartingHashKey - range.start).toBe(range.end + 1n - split.newStartingHashKey);
    expect(d.nextState.splitAtMs).toEqual({ s1: 7 * MINUTE });
  });

  it.each([
    ['only 4 high periods', [800, 800, 800, 800]],
    ['one of the last 5 below 75 % (740 records/s)', [800, 800, 740, 800, 800]],
  ])('holds with %s', (_what, rates) => {
    const d = reactiveSplitPolicy.decide(view(rates), config, reactiveSplitPolicy.initialState());
    expect(d.actions).toEqual([]);
    expect(d.events[0]).toMatchObject({ type: 'hold', rule: 'reactive-split' });
  });

  it('splits a slow shard: iterator age ≥ 60 s in 5 periods counts as high at 100 records/s', () => {
    expect(reactiveSplitPolicy.decide(view([100, 100, 100, 100, 100], { iteratorAgeMs: 60_000 }), config, { splitAtMs: {} }).actions).toHaveLength(1);
    expect(reactiveSplitPolicy.decide(view([100, 100, 100, 100, 100], { iteratorAgeMs: 59_999 }), config, { splitAtMs: {} }).actions).toHaveLength(0);
  });

  it('leaves a child alone for 15 min after its parent split, then splits it', () => {
    const child = (nowMin: number) => view([900, 900, 900, 900, 900], { nowMin, parents: ['p0'] });
    expect(reactiveSplitPolicy.decide(child(14), config, { splitAtMs: { p0: 0 } }).actions).toHaveLength(0);
    expect(reactiveSplitPolicy.decide(child(16), config, { splitAtMs: { p0: 0 } }).actions).toHaveLength(1);
  });

  it('waits while the stream is UPDATING (SplitShard needs ACTIVE)', () => {
    const d = reactiveSplitPolicy.decide(view([900, 900, 900, 900, 900], { status: 'UPDATING' }), config, { splitAtMs: {} });
    expect(d.actions).toEqual([]);
    expect(d.events[0]).toMatchObject({ reason: expect.stringContaining('UPDATING') });
  });

  it('runs on a plain mapping and reads three CloudWatch series per open shard', () => {
    expect(reactiveSplitPolicy.deployment).toMatchObject({ dataPlane: 'plain-esm', dataPath: 'cloudwatch', capacityMode: 'provisioned', decisionFunction: true });
    expect(reactiveSplitPolicy.deployment!.metricsPerDecision(8, 1)).toBe(24);
  });
});
