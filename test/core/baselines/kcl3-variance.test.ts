import { describe, expect, it } from 'vitest';
import { kcl3VariancePolicy, kclLeaseTableUnits } from '../../../core/policies/baselines/kcl3-variance.policy.js';
import type { MoveAction } from '../../../core/model/actions.js';
import { busyPoint, clusterView, configWith, partition, readPoint, runTicks, worker } from './factories.js';

/** Worker → utilization; shard → [owner, bytes read per second]. Records are 1000 B, so records/s = B/s ÷ 1000. */
interface Fleet {
  readonly utilization: Record<string, number>;
  readonly leases: Record<string, [owner: string, bytesPerSec: number]>;
}

function viewAt(tick: number, fleet: Fleet) {
  const atMs = tick * 1000;
  return clusterView({
    nowMs: atMs + 1000,
    workers: Object.keys(fleet.utilization).map((id) => worker(id)),
    partitions: Object.entries(fleet.leases).map(([id, [owner]]) => partition(id, owner, { epoch: 3 })),
    shardMetrics: Object.fromEntries(Object.entries(fleet.leases).map(([id, [, bps]]) => [id, [readPoint(atMs, bps / 1000, 0.1)]])),
    workerMetrics: Object.fromEntries(Object.entries(fleet.utilization).map(([id, u]) => [id, [busyPoint(atMs, u)]])),
  });
}

const ticks = (fleet: Fleet, count: number) => Array.from({ length: count }, (_, t) => viewAt(t, fleet));
const movesOf = (actions: readonly unknown[]) => actions as MoveAction[];

// Average utilization 0.5, band [0.45, 0.55]. A (0.9) is above it, B and C (0.3) below.
// A sheds (0.9 − 0.5)/0.9 × 60 % of its 600 kB/s = 160 kB/s: only a3 (100 kB/s) fits under that.
// Projected on B: 0.3 + 100k × 0.5 / (800k / 3) = 0.4875 ≤ 0.5, so B (tied with C, first by id) takes it.
const skewed: Fleet = {
  utilization: { A: 0.9, B: 0.3, C: 0.3 },
  leases: { a1: ['A', 300_000], a2: ['A', 200_000], a3: ['A', 100_000], b1: ['B', 100_000], c1: ['C', 100_000] },
};

describe('kcl3-variance (re-implementation of KCL 3.x VarianceBasedLeaseAssignmentDecider)', () => {
  it('balances only on every 3rd round, the first included (as KCL counts it)', () => {
    const decisions = runTicks(kcl3VariancePolicy, ticks(skewed, 7), configWith());
    expect(decisions.map((d) => d.actions.length)).toEqual([1, 0, 0, 1, 0, 0, 1]);
    expect(decisions[1]!.events).toContainEqual(expect.objectContaining({ rule: 'kcl3-variance.cadence' }));
  });

  it('sheds (util − avg)/util × dampening of the out-of-band worker’s throughput (worked numbers)', () => {
    const decisions = runTicks(kcl3VariancePolicy, ticks(skewed, 4), configWith());
    const moves = movesOf(decisions[3]!.actions);
    expect(moves).toEqual([expect.objectContaining({ type: 'move', shardId: 'a3', fromWorkerId: 'A', toWorkerId: 'B', expectedEpoch: 3 })]);
    expect(moves[0]!.reason).toContain('= 160000 B/s');
    expect(moves[0]!.reason).toContain('projected 0.300 → 0.487');
  });

  it('moves more of the excess at a higher dampening percentage (80, the deep-dive figure, vs 60, the code default)', () => {
    // A carries 620 kB/s at 0.9: 60 % takes 165.3k, 80 % takes 220.4k. a1 (420k) never fits; a3 (20k) always does;
    // a2 (180k) fits only under 80 %. B and C read a lot of cheap records, so both can absorb a2 (0.3 → 0.49).
    const fleet: Fleet = {
      utilization: { A: 0.9, B: 0.3, C: 0.3 },
      leases: { a1: ['A', 420_000], a2: ['A', 180_000], a3: ['A', 20_000], b1: ['B', 400_000], c1: ['C', 400_000] },
    };
    const shardsMoved = (dampeningPercent: number) =>
      movesOf(runTicks(kcl3VariancePolicy, ticks(fleet, 4), configWith({ baselines: { kcl3Variance: { dampeningPercent } } }))[3]!.actions)
        .map((m) => m.shardId)
        .sort();
    expect(shardsMoved(60)).toEqual(['a3']);
    expect(shardsMoved(80)).toEqual(['a2', 'a3']);
  });

  it('takes the smallest lease when none fits under the amount and overshoot is allowed (the default)', () => {
    // Take 160k; a1 (420k) and a2 (180k) both exceed it. Overshoot picks a2, which B can absorb (avg throughput 466.7k).
    const fleet: Fleet = {
      utilization: { A: 0.9, B: 0.3, C: 0.3 },
      leases: { a1: ['A', 420_000], a2: ['A', 180_000], b1: ['B', 400_000], c1: ['C', 400_000] },
    };
    const run = (allowThroughputOvershoot: boolean) =>
      movesOf(runTicks(kcl3VariancePolicy, ticks(fleet, 4), configWith({ baselines: { kcl3Variance: { allowThroughputOvershoot } } }))[3]!.actions);
    expect(run(true)).toEqual([expect.objectContaining({ shardId: 'a2', fromWorkerId: 'A', toWorkerId: 'B' })]);
    expect(run(false)).toEqual([]);
  });

  it('refuses a target the move would push above the average, and stops that source for the round', () => {
    // a3 is now 150 kB/s: take = 650k × 0.444 × 0.6 = 173.3k, a3 fits; B would reach 0.3 + 150k × 0.5 / 283.3k = 0.565 > 0.5.
    const fleet: Fleet = { ...skewed, leases: { ...skewed.leases, a3: ['A', 150_000] } };
    const decision = runTicks(kcl3VariancePolicy, ticks(fleet, 4), configWith())[3]!;
    expect(decision.actions).toEqual([]);
    expect(decision.events).toContainEqual(
      expect.objectContaining({ type: 'hold', shardId: 'a3', reason: expect.stringMatching(/refused B .*0\.300 → 0\.565 would exceed the average 0\.500/) }),
    );
  });

  it('does nothing while every worker is within average × (1 ± 10 %)', () => {
    const fleet: Fleet = { ...skewed, utilization: { A: 0.54, B: 0.5, C: 0.46 } };
    const decision = runTicks(kcl3VariancePolicy, ticks(fleet, 4), configWith())[3]!;
    expect(decision.actions).toEqual([]);
    expect(decision.events).toContainEqual(expect.objectContaining({ reason: expect.stringMatching(/within average 0\.500/) }));
  });

  it('takes only from workers above the band, never from one inside it', () => {
    // Average 0.5: A (0.9) is above, B (0.5) inside, C (0.1) below. B holds plenty of light leases.
    const fleet: Fleet = {
      utilization: { A: 0.9, B: 0.5, C: 0.1 },
      leases: { a1: ['A', 50_000], a2: ['A', 50_000], a3: ['A', 400_000], b1: ['B', 20_000], b2: ['B', 20_000], c1: ['C', 10_000] },
    };
    const moves = movesOf(runTicks(kcl3VariancePolicy, ticks(fleet, 4), configWith())[3]!.actions);
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.every((m) => m.fromWorkerId === 'A')).toBe(true);
    expect(moves.every((m) => m.toWorkerId === 'C')).toBe(true);
  });

  it('when only a worker below the band triggers balancing, sheds from the most loaded worker (as KCL does)', () => {
    // Band [0.45, 0.55]: nobody is above it, C (0.42) is below; A and B tie at 0.54, A first by id.
    const fleet: Fleet = {
      utilization: { A: 0.54, B: 0.54, C: 0.42 },
      leases: { a1: ['A', 10_000], a2: ['A', 300_000], b1: ['B', 300_000], c1: ['C', 200_000] },
    };
    const moves = movesOf(runTicks(kcl3VariancePolicy, ticks(fleet, 4), configWith())[3]!.actions);
    expect(moves).toEqual([expect.objectContaining({ shardId: 'a1', fromWorkerId: 'A', toWorkerId: 'C' })]);
  });

  it('smooths worker utilization with an EMA (α 0.5)', () => {
    // Balanced for two ticks, then A spikes to 0.9 on the balancing tick: its EMA is 0.5·0.9 + 0.5·0.5 = 0.7.
    const calm: Fleet = { ...skewed, utilization: { A: 0.5, B: 0.5, C: 0.5 } };
    const decisions = runTicks(kcl3VariancePolicy, [viewAt(0, calm), viewAt(1, calm), viewAt(2, { ...calm, utilization: { A: 0.9, B: 0.5, C: 0.5 } })], configWith());
    expect(decisions[2]!.nextState.workerUtilization['A']!.value).toBeCloseTo(0.7, 10);
    expect(decisions[2]!.nextState.workerUtilization['B']!.value).toBeCloseTo(0.5, 10);
  });

  it('folds a metric point into the EMA only once, however many ticks see it', () => {
    const frozen = viewAt(0, skewed);
    const decisions = runTicks(kcl3VariancePolicy, [frozen, { ...frozen, workerMetrics: { ...frozen.workerMetrics, A: [busyPoint(0, 0.1)] } }], configWith());
    expect(decisions[1]!.nextState.workerUtilization['A']!.value).toBeCloseTo(0.9, 10);
  });
});

describe('kcl3-variance: its own lease table is priced', () => {
  it('counts lease renewals every 3.3 s, worker metric writes every 30 s and the leader\u2019s scans per round (worked numbers)', () => {
    // 8 leases and 6 workers over a 20-s round: 8 × 6 renewals + 6 × 2/3 metric writes = 52 WRU; scans of
    // 4 KB (8 × 0.5 KB) and 6 KB (6 × 1 KB): 1 + 2 pages at half an RRU each = 1.5 RRU.
    const units = kclLeaseTableUnits(8, 6, 20_000);
    expect(units.writeUnits).toBeCloseTo(52, 9);
    expect(units.readUnits).toBe(1.5);
    expect(kcl3VariancePolicy.deployment?.tableUnitsPerDecision).toBe(kclLeaseTableUnits);
  });
});
