import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterView } from '../../../core/model/cluster-view.js';
import type { ShadowPartition } from '../../../core/model/shadow.js';
import { spmPolicy } from '../../../core/policies/spm/spm.policy.js';
import type { SpmState } from '../../../core/policies/spm/spm.policy.js';
import { config, flat, metrics, NOW_MS, partition, PERIOD_MS, shadow, stats, toJson, view, worker } from './factories.js';

/**
 * Random clusters: 2–6 workers of unequal speed and slots, 1–10 shards with FLAT load histories (so the
 * forecast equals the measured utilization and a test can recompute every worker's load), and shadows
 * with random measurements and histograms on random non-owner workers.
 */
const clusterArb = fc
  .record({
    workers: fc.array(fc.record({ speed: fc.constantFrom(0.5, 1, 2), slots: fc.integer({ min: 1, max: 4 }) }), { minLength: 2, maxLength: 6 }),
    shards: fc.array(
      fc.record({
        owner: fc.nat(),
        utilization: fc.double({ min: 0, max: 1.6, noNaN: true }),
        recordsPerSec: fc.integer({ min: 0, max: 1100 }),
        epoch: fc.integer({ min: 0, max: 20 }),
        lastMoveAgoMs: fc.option(fc.integer({ min: 0, max: 1_200_000 }), { nil: undefined }),
        shadow: fc.option(
          fc.record({
            worker: fc.nat(),
            records: fc.integer({ min: 0, max: 5000 }),
            meanCostMs: fc.double({ min: 0.01, max: 5, noNaN: true }),
            cv: fc.double({ min: 0, max: 2, noNaN: true }),
            buckets: fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 2, maxLength: 32 }),
          }),
          { nil: undefined },
        ),
      }),
      { minLength: 1, maxLength: 10 },
    ),
    streamStatus: fc.constantFrom('ACTIVE' as const, 'ACTIVE' as const, 'UPDATING' as const),
    maxMovesPerTick: fc.integer({ min: 0, max: 3 }),
    maxShadows: fc.integer({ min: 0, max: 6 }),
    maxSplitsPerTick: fc.integer({ min: 0, max: 2 }),
  })
  .map((g) => {
    const workers = g.workers.map((w, i) => worker(`w${i}`, { speed: w.speed, slots: w.slots }));
    const shadows: ShadowPartition[] = [];
    const v: ClusterView = view({
      streamStatus: g.streamStatus,
      workers,
      partitions: g.shards.map((s, i) =>
        partition(`s${i}`, `w${s.owner % workers.length}`, { epoch: s.epoch, ...(s.lastMoveAgoMs === undefined ? {} : { lastMoveAtMs: NOW_MS - s.lastMoveAgoMs }) }),
      ),
      shardMetrics: Object.fromEntries(g.shards.map((s, i) => [`s${i}`, metrics(flat(s.utilization), s.recordsPerSec)])),
      shadows,
      shadowStats: [],
    });
    const shadowStats = [];
    for (const [i, s] of g.shards.entries()) {
      if (!s.shadow) continue;
      const owner = s.owner % workers.length;
      const target = (owner + 1 + (s.shadow.worker % (workers.length - 1))) % workers.length;
      const sh = shadow(`s${i}`, `w${target}`);
      shadows.push(sh);
      shadowStats.push(stats(sh, s.shadow.records, s.shadow.meanCostMs, { cv: s.shadow.cv, histogram: { buckets: s.shadow.buckets.map((c) => ({ records: 1, costMs: c })) } }));
    }
    const c = config({ spm: { maxMovesPerTick: g.maxMovesPerTick, maxShadows: g.maxShadows, maxSplitsPerTick: g.maxSplitsPerTick } });
    return { view: { ...v, shadows, shadowStats }, config: c, utilizations: g.shards.map((s) => s.utilization) };
  });

/** Two ticks in a row, so that properties also hold with a non-empty state. */
const withState = (v: ClusterView, c: ReturnType<typeof config>): SpmState => spmPolicy.decide({ ...v, nowMs: v.nowMs - PERIOD_MS }, c, spmPolicy.initialState()).nextState;

describe('spm properties', () => {
  it('generates clusters where the policy moves, splits and creates shadows (so the properties below bite)', () => {
    const kinds = new Set<string>();
    for (const { view: v, config: c } of fc.sample(clusterArb, { numRuns: 300, seed: 7 })) {
      for (const a of spmPolicy.decide(v, c, withState(v, c)).actions) kinds.add(a.type);
    }
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['create-shadow', 'drop-shadow', 'move', 'split']));
  });

  it('is deterministic: the same view, config and state give byte-identical decisions, also after a JSON round trip of the state', () => {
    fc.assert(
      fc.property(clusterArb, ({ view: v, config: c }) => {
        const state = withState(v, c);
        const a = toJson(spmPolicy.decide(v, c, state));
        const b = toJson(spmPolicy.decide(v, c, JSON.parse(JSON.stringify(state)) as SpmState));
        expect(b).toBe(a);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps its state JSON-serialisable', () => {
    fc.assert(
      fc.property(clusterArb, ({ view: v, config: c }) => {
        const next = spmPolicy.decide(v, c, withState(v, c)).nextState;
        expect(JSON.parse(JSON.stringify(next))).toEqual(next);
      }),
      { numRuns: 100 },
    );
  });

  it('respects the move, split and shadow budgets', () => {
    fc.assert(
      fc.property(clusterArb, ({ view: v, config: c }) => {
        const d = spmPolicy.decide(v, c, withState(v, c));
        expect(d.actions.filter((a) => a.type === 'move').length).toBeLessThanOrEqual(c.spm.maxMovesPerTick);
        expect(d.actions.filter((a) => a.type === 'split').length).toBeLessThanOrEqual(c.spm.maxSplitsPerTick);
        const live = new Set(v.shadows.map((s) => s.shadowId));
        for (const a of d.actions) {
          if (a.type === 'create-shadow') {
            expect(live.size).toBeLessThan(c.spm.maxShadows);
            live.add(a.shadowId);
          }
          if (a.type === 'drop-shadow') live.delete(a.shadowId);
          if (a.type === 'move' && a.promotesShadowId) live.delete(a.promotesShadowId);
        }
      }),
      { numRuns: 150 },
    );
  });

  // Seed -1948292513 once found a swap (s0 w1→w0, then s2 w0→w1 into the room s0 left) that the check
  // below failed while it did not take a moved shard's load off its origin: kept as a regression run.
  it.each([{ seed: undefined }, { seed: -1948292513 }])('never moves a shard onto a worker without predicted capacity for it (seed $seed)', ({ seed }) => {
    fc.assert(
      fc.property(clusterArb, ({ view: v, config: c, utilizations }) => {
        const d = spmPolicy.decide(v, c, spmPolicy.initialState());
        // Flat histories: each worker's load is the sum of its shards' utilizations, recomputed here. A move
        // takes its shard's load off the origin (a swap within one tick makes room for the second move).
        const load = new Map(v.workers.map((w) => [w.workerId, 0]));
        v.partitions.forEach((p, i) => load.set(p.ownerWorkerId, (load.get(p.ownerWorkerId) ?? 0) + utilizations[i]!));
        for (const a of d.actions) {
          if (a.type !== 'move') continue;
          const target = v.workers.find((w) => w.workerId === a.toWorkerId)!;
          const moved = utilizations[v.partitions.findIndex((p) => p.shardId === a.shardId)] ?? 0;
          load.set(a.fromWorkerId, (load.get(a.fromWorkerId) ?? 0) - moved);
          expect(a.prediction).toBeDefined();
          expect(a.prediction!.workerId).toBe(a.toWorkerId);
          const after = (load.get(a.toWorkerId) ?? 0) + a.prediction!.utilization;
          expect(a.prediction!.utilization).toBeLessThanOrEqual(c.spm.safeThreshold + 1e-9);
          expect(after / target.slots).toBeLessThanOrEqual(c.spm.safeThreshold + 1e-9);
          load.set(a.toWorkerId, after);
        }
      }),
      { numRuns: 200, ...(seed === undefined ? {} : { seed }) },
    );
  });

  it('splits only an ACTIVE stream, strictly inside the parent range', () => {
    fc.assert(
      fc.property(clusterArb, ({ view: v, config: c }) => {
        const d = spmPolicy.decide(v, c, withState(v, c));
        for (const a of d.actions) {
          if (a.type !== 'split') continue;
          const range = v.partitions.find((p) => p.shardId === a.shardId)!.hashKeyRange;
          expect(v.streamStatus).toBe('ACTIVE');
          expect(a.newStartingHashKey > range.start && a.newStartingHashKey <= range.end).toBe(true);
          expect(a.lowLoadShare).toBeGreaterThanOrEqual(0);
          expect(a.lowLoadShare).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('changes the ownership of a shard at most once per tick, at the epoch it was read at', () => {
    fc.assert(
      fc.property(clusterArb, ({ view: v, config: c }) => {
        const d = spmPolicy.decide(v, c, withState(v, c));
        const owned = d.actions.filter((a) => a.type === 'move' || a.type === 'split');
        expect(new Set(owned.map((a) => a.shardId)).size).toBe(owned.length);
        for (const a of owned) {
          const p = v.partitions.find((x) => x.shardId === a.shardId)!;
          expect(a.expectedEpoch).toBe(p.epoch);
          if (a.type === 'move') {
            expect(a.fromWorkerId).toBe(p.ownerWorkerId);
            expect(a.toWorkerId).not.toBe(p.ownerWorkerId);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives every action a reason', () => {
    fc.assert(
      fc.property(clusterArb, ({ view: v, config: c }) => {
        for (const a of spmPolicy.decide(v, c, withState(v, c)).actions) expect(a.reason.length).toBeGreaterThan(10);
      }),
      { numRuns: 100 },
    );
  });
});
