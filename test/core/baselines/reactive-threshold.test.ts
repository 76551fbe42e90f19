import { describe, expect, it } from 'vitest';
import { reactiveThresholdPolicy } from '../../../core/policies/baselines/reactive-threshold.policy.js';
import type { MoveAction } from '../../../core/model/actions.js';
import { busyPoint, clusterView, configWith, partition, readPoint, runTicks, worker } from './factories.js';

/** Shard → [owner, records/s, busy fraction of one slot]. */
type Layout = Record<string, [owner: string, recordsPerSec: number, utilization: number]>;

function viewAt(tick: number, layout: Layout, workerIds = ['A', 'B', 'C']) {
  const atMs = tick * 1000;
  const shards = Object.entries(layout);
  return clusterView({
    nowMs: atMs + 1000,
    workers: workerIds.map((id) => worker(id)),
    partitions: shards.map(([id, [owner]]) => partition(id, owner, { epoch: 7 })),
    shardMetrics: Object.fromEntries(shards.map(([id, [, rate, util]]) => [id, [readPoint(atMs, rate, util)]])),
    workerMetrics: Object.fromEntries(workerIds.map((w) => [w, [busyPoint(atMs, 0.2)]])),
  });
}

const recordsConfig = (extra: Record<string, unknown> = {}) => configWith({ baselines: { reactiveThreshold: { weightBasis: 'records', ...extra } } });

// A carries 900 rec/s (a1 is busy 90 % of a slot: overloaded); B and C carry 100 each. Average 366.7.
const hotA: Layout = { a1: ['A', 600, 0.9], a2: ['A', 300, 0.4], b1: ['B', 100, 0.1], c1: ['C', 100, 0.1] };

describe('reactive-threshold (re-implementation of US 10127086 claims 1-3)', () => {
  it('moves nothing on the first tick an overload is observed', () => {
    const [first] = runTicks(reactiveThresholdPolicy, [viewAt(0, hotA)], recordsConfig());
    expect(first!.actions).toEqual([]);
  });

  it('moves from the above-average worker to the lightest below-average worker once overload is observed for overloadTicks ticks', () => {
    const decisions = runTicks(reactiveThresholdPolicy, [viewAt(0, hotA), viewAt(1, hotA)], recordsConfig());
    const moves = decisions[1]!.actions as MoveAction[];
    // a2 (300) leaves A at 600 and B at 400: more even than a1 (A 300, B 700). B and C tie at 100; B by id.
    expect(moves).toEqual([expect.objectContaining({ type: 'move', shardId: 'a2', fromWorkerId: 'A', toWorkerId: 'B', expectedEpoch: 7 })]);
    expect(moves[0]!.reason).toMatch(/overloaded for 2 ticks/);
  });

  it('does not move off a worker that is above average but not overloaded', () => {
    const calm: Layout = { a1: ['A', 600, 0.5], a2: ['A', 300, 0.4], b1: ['B', 100, 0.1], c1: ['C', 100, 0.1] };
    const decisions = runTicks(reactiveThresholdPolicy, [0, 1, 2, 3].map((t) => viewAt(t, calm)), recordsConfig());
    expect(decisions.flatMap((d) => d.actions)).toEqual([]);
  });

  it('holds, with a reason, when the overloaded worker is not above the average weight', () => {
    // A's single shard is slow (busy 95 %) but light; B carries the weight.
    const slowA: Layout = { a1: ['A', 100, 0.95], b1: ['B', 800, 0.3], c1: ['C', 300, 0.1] };
    const decisions = runTicks(reactiveThresholdPolicy, [viewAt(0, slowA), viewAt(1, slowA)], recordsConfig());
    expect(decisions[1]!.actions).toEqual([]);
    expect(decisions[1]!.events).toContainEqual(expect.objectContaining({ type: 'hold', reason: expect.stringMatching(/worker A is overloaded.*not above average/) }));
  });

  it('forgets an overload streak as soon as a tick observes the worker below the threshold', () => {
    const cool: Layout = { ...hotA, a1: ['A', 600, 0.5] };
    const decisions = runTicks(reactiveThresholdPolicy, [viewAt(0, hotA), viewAt(1, cool), viewAt(2, hotA)], recordsConfig());
    expect(decisions.flatMap((d) => d.actions)).toEqual([]);
    expect(decisions[2]!.nextState.overloadStreak).toEqual({ A: 1, B: 0, C: 0 });
  });

  it.each([
    [1, 1],
    [2, 2],
    [3, 2], // a third move would leave B (100 + 100) as heavy as A (200): pointless, so it holds
  ])('spends at most maxMovesPerTick = %i moves per tick (made %i)', (budget, made) => {
    const many: Layout = {
      a1: ['A', 100, 0.9], a2: ['A', 100, 0.2], a3: ['A', 100, 0.2], a4: ['A', 100, 0.2], b1: ['B', 0, 0], c1: ['C', 0, 0],
    };
    const config = recordsConfig({ maxMovesPerTick: budget, overloadTicks: 1 });
    const [decision] = runTicks(reactiveThresholdPolicy, [viewAt(0, many)], config);
    const moves = decision!.actions as MoveAction[];
    expect(moves).toHaveLength(made);
    expect(moves.every((m) => m.fromWorkerId === 'A' && m.toWorkerId !== 'A')).toBe(true);
    expect(new Set(moves.map((m) => m.toWorkerId)).size).toBe(made); // B then C: each the lightest in turn
  });

  it('weighs partitions by bytes read by default, so a few large records outweigh many small ones', () => {
    // By records A (1000/s) is heavy; by bytes B (200 × 10 KB) is. A is overloaded, so only bytes-weighting holds.
    const view = (tick: number) =>
      clusterView({
        nowMs: tick * 1000 + 1000,
        workers: ['A', 'B', 'C'].map((id) => worker(id)),
        partitions: [partition('a1', 'A'), partition('a2', 'A'), partition('b1', 'B'), partition('c1', 'C')],
        shardMetrics: {
          a1: [readPoint(tick * 1000, 500, 0.9, 100)],
          a2: [readPoint(tick * 1000, 500, 0.2, 100)],
          b1: [readPoint(tick * 1000, 200, 0.3, 10_000)],
          c1: [readPoint(tick * 1000, 10, 0.1, 100)],
        },
        workerMetrics: {},
      });
    const byBytes = runTicks(reactiveThresholdPolicy, [view(0), view(1)], configWith());
    const byRecords = runTicks(reactiveThresholdPolicy, [view(0), view(1)], recordsConfig());
    expect(byBytes[1]!.actions).toEqual([]);
    expect(byRecords[1]!.actions).toEqual([expect.objectContaining({ fromWorkerId: 'A', toWorkerId: 'C' })]);
  });

  it('never moves a CLOSED shard', () => {
    const view = clusterView({
      nowMs: 1000,
      workers: ['A', 'B'].map((id) => worker(id)),
      partitions: [partition('a1', 'A', { state: 'CLOSED' }), partition('a2', 'A', { state: 'CLOSED' }), partition('b1', 'B')],
      shardMetrics: { a1: [readPoint(0, 500, 0.95)], a2: [readPoint(0, 500, 0.5)], b1: [readPoint(0, 10, 0.1)] },
    });
    const [decision] = runTicks(reactiveThresholdPolicy, [view], recordsConfig({ overloadTicks: 1 }));
    expect(decision!.actions).toEqual([]);
  });
});
