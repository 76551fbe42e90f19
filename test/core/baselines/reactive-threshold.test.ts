import { describe, expect, it } from 'vitest';
import { reactiveThresholdPolicy } from '../../../core/policies/baselines/reactive-threshold.policy.js';
import type { MoveAction } from '../../../core/model/actions.js';
import { busyPoint, clusterView, configWith, partition, readPoint, runTicks, worker } from './factories.js';

/** Shard → [owner, records/s, busy fraction of one slot]. */
type Layout = Record<string, [owner: string, recordsPerSec: number, utilization: number]>;

function viewAt(tick: number, layout: Layout, options: { workerBusy?: Record<string, number>; epochs?: Record<string, number>; lastMoveAtMs?: Record<string, number> } = {}) {
  const atMs = tick * 1000;
  const shards = Object.entries(layout);
  const workerIds = ['A', 'B', 'C'];
  return clusterView({
    nowMs: atMs + 1000,
    workers: workerIds.map((id) => worker(id)),
    partitions: shards.map(([id, [owner]]) =>
      partition(id, owner, { epoch: options.epochs?.[id] ?? 7, ...(options.lastMoveAtMs?.[id] !== undefined ? { lastMoveAtMs: options.lastMoveAtMs[id] } : {}) }),
    ),
    shardMetrics: Object.fromEntries(shards.map(([id, [, rate, util]]) => [id, [readPoint(atMs, rate, util)]])),
    workerMetrics: Object.fromEntries(workerIds.map((w) => [w, [busyPoint(atMs, options.workerBusy?.[w] ?? 0.2)]])),
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

  it('moves the overloaded partition from the above-average worker to the lightest below-average worker once overload is observed for overloadTicks ticks', () => {
    const decisions = runTicks(reactiveThresholdPolicy, [viewAt(0, hotA), viewAt(1, hotA)], recordsConfig());
    const moves = decisions[1]!.actions as MoveAction[];
    // a1 is the shard observed at 0.9 ≥ 0.85. B and C tie at 100; B first by id.
    expect(moves).toEqual([expect.objectContaining({ type: 'move', shardId: 'a1', fromWorkerId: 'A', toWorkerId: 'B', expectedEpoch: 7 })]);
    expect(moves[0]!.reason).toMatch(/A observed overloaded for 2 ticks .* partition a1 is overloaded/);
  });

  it('when the worker as a whole is overloaded but no single partition is, moves the partition that evens the pair', () => {
    // Worker A is busy 90 % of its slots; its shards are at 0.5 and 0.4. a2 (300) leaves A 600 / B 400, a1 would leave 300 / 700.
    const spread: Layout = { ...hotA, a1: ['A', 600, 0.5] };
    const views = [0, 1].map((t) => viewAt(t, spread, { workerBusy: { A: 0.9 } }));
    const moves = runTicks(reactiveThresholdPolicy, views, recordsConfig())[1]!.actions;
    expect(moves).toEqual([expect.objectContaining({ shardId: 'a2', fromWorkerId: 'A', toWorkerId: 'B', reason: expect.stringMatching(/evens the pair/) })]);
  });

  it('after a move, counts overload on either worker only from metric points taken after the move', () => {
    const config = recordsConfig();
    const [t0, t1] = runTicks(reactiveThresholdPolicy, [viewAt(0, hotA), viewAt(1, hotA)], config);
    expect(t1!.actions).toHaveLength(1); // a1: A → B at nowMs 2000
    // The next view still carries the points of tick 1 (a1 busy 0.9, measured on A), now under B's ownership.
    const moved: Layout = { ...hotA, a1: ['B', 600, 0.9] };
    const stale = { ...viewAt(1, moved, { epochs: { a1: 8 }, lastMoveAtMs: { a1: 2000 } }), nowMs: 3000 };
    const fresh = [3, 4].map((t) => viewAt(t, moved, { epochs: { a1: 8 }, lastMoveAtMs: { a1: 2000 } }));
    const after = runTicks(reactiveThresholdPolicy, [stale, ...fresh], config, t1!.nextState);
    expect(after[0]!.nextState.overloadStreak).toEqual({ A: 0, B: 0, C: 0 });
    expect(after[1]!.nextState.overloadStreak['B']).toBe(1);
    // Once observed twice on B (which now carries 700 of 1100), a1 moves on to the lightest worker, C.
    expect(after[2]!.actions).toEqual([expect.objectContaining({ shardId: 'a1', fromWorkerId: 'B', toWorkerId: 'C', expectedEpoch: 8 })]);
    expect(t0!.actions).toEqual([]);
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
    [3, 2], // a1 (hot) to B, a2 to C; a third would leave B (100 + 100) as heavy as A (200): pointless, so it holds
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
