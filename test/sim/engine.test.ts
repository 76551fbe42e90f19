import { describe, expect, it } from 'vitest';
import { shadowIdFor } from '../../core/model/shadow.js';
import { buildView } from '../../sim/engine/view.js';
import { summarize } from '../../sim/report/report.js';
import { checkedSimulation, ONE_LANE, scenario, shardIds } from './factories.js';

const MIN = 60_000;
const flat = (value: number) => ({ kind: 'constant' as const, value });

describe('shard write limits', () => {
  it('accepts at most 1,000 records per second per shard, counts the rest as throttled and drops them after the producer TTL', () => {
    const { sim, check } = checkedSimulation(scenario({ durationMin: 2, shards: { count: 1, rate: flat(1500), cost: flat(0.1), overrides: [] } }));
    sim.run();
    check();
    expect(sim.stats.acceptedRecords).toBeLessThanOrEqual(1000 * 120);
    expect(sim.stats.acceptedRecords).toBeGreaterThan(990 * 120);
    expect(sim.stats.throttledRecords).toBeGreaterThan(400 * 120);
    expect(sim.stats.droppedRecords).toBeGreaterThan(0);
  });

  it('accepts at most 1 MiB per second: 512 records of 2 KiB', () => {
    const { sim } = checkedSimulation(scenario({ durationMin: 1, recordSizeBytes: 2048, shards: { count: 1, rate: flat(700), cost: flat(0.1), overrides: [] } }));
    sim.run();
    expect(sim.stats.acceptedRecords).toBeLessThanOrEqual(512 * 60);
    expect(sim.stats.acceptedRecords).toBeGreaterThan(500 * 60);
  });
});

describe('determinism', () => {
  const report = (seed: number) => {
    const { sim } = checkedSimulation(scenario(), seed);
    sim.run();
    return JSON.stringify(summarize(sim, { name: 'none', label: 'none' }));
  };

  it('gives the same report for the same seed and a different one for another seed', () => {
    expect(report(5)).toBe(report(5));
    expect(report(5)).not.toBe(report(6));
  });
});

describe('processing', () => {
  it('keeps up with a shard below one slot of work and falls behind above it', () => {
    // Shard 0 sits on the small worker (speed 0.5): 100 records/s x 1 ms / 0.5 = 0.2 slots; x 12 ms = 2.4 slots.
    const light = checkedSimulation(scenario({ durationMin: 5 }));
    light.sim.run();
    light.check();
    expect(light.sim.stats.overloadSteps).toBe(0);
    expect(light.sim.stats.maxIteratorAgeMs).toBeLessThan(2000);

    // One lane per shard: burst lanes (test/sim/burst-lanes.test.ts) would spread it over free slots.
    const heavy = checkedSimulation(scenario({ durationMin: 5, config: ONE_LANE, shards: { count: 4, rate: flat(100), cost: flat(1), overrides: [{ shard: 0, cost: flat(12) }] } }));
    heavy.sim.run();
    heavy.check();
    expect(heavy.sim.stats.overloadSteps).toBeGreaterThan(200);
    expect(heavy.sim.stats.maxIteratorAgeMs).toBeGreaterThan(100_000);
    expect([light, heavy].map((r) => summarize(r.sim, { name: 'x', label: 'x' }).shardsBehindAtEnd)).toEqual([0, 1]);
  });

  it("makes a silently slowed worker's shards three times as busy while the view still shows its advertised speed", () => {
    const { sim } = checkedSimulation(scenario({ durationMin: 10, events: [{ kind: 'worker-slowdown', atMin: 5, workerClass: 'medium', factor: 3 }] }));
    sim.run();
    const busy = (atMs: number) => sim.stats.timeline.find((p) => p.atMs === atMs)!.workerUtilization['medium-1']!;
    expect(busy(10 * MIN) / busy(4 * MIN)).toBeCloseTo(3, 0);
    expect(buildView(sim).workers.find((w) => w.workerId === 'medium-1')!.speed).toBe(1);
  });
});

describe('actions', () => {
  it('moves a shard at the next batch boundary with epoch + 1 and rejects a move at a stale epoch', () => {
    const { sim, check } = checkedSimulation(scenario());
    const shard = shardIds(sim)[0]!;
    sim.advance(MIN);
    expect(sim.apply({ type: 'move', shardId: shard, fromWorkerId: 'small-1', toWorkerId: 'large-1', expectedEpoch: 0, reason: 'test' })).toEqual({ applied: true, detail: 'epoch 1' });
    const stale = sim.apply({ type: 'move', shardId: shard, fromWorkerId: 'small-1', toWorkerId: 'medium-1', expectedEpoch: 0, reason: 'test' });
    expect(stale.applied).toBe(false);
    expect(stale.detail).toMatch(/^stale-epoch/);
    const processedBefore = sim.shards.get(shard)!.processedSeq;
    sim.run();
    check();
    expect(sim.shards.get(shard)!.owner).toBe('large-1');
    expect(sim.shards.get(shard)!.processedSeq).toBeGreaterThan(processedBefore);
  });

  it('counts one second of handoff pause per move of a shard with queued records', () => {
    const { sim } = checkedSimulation(scenario({ durationMin: 3 }));
    const shard = shardIds(sim)[0]!;
    sim.advance(MIN);
    expect(sim.stats.movePauseMs).toBe(0);
    sim.apply({ type: 'move', shardId: shard, fromWorkerId: 'small-1', toWorkerId: 'large-1', expectedEpoch: 0, reason: 'test' });
    sim.advance(MIN);
    sim.apply({ type: 'move', shardId: shard, fromWorkerId: 'large-1', toWorkerId: 'medium-1', expectedEpoch: 1, reason: 'test' });
    sim.run();
    expect(sim.stats.movePauseMs).toBe(2 * sim.profile.handoffPauseMs);
    expect(summarize(sim, { name: 'x', label: 'x' })).toMatchObject({ handoffPauseSeconds: 2, parentWaitSeconds: 0 });
  });

  it('splits after the split duration, and the children wait until the parent has drained', () => {
    // The parent is overloaded (100 records/s x 12 ms on speed 0.5, one lane), so it has a backlog to drain.
    const { sim, check } = checkedSimulation(scenario({ durationMin: 20, config: ONE_LANE, shards: { count: 4, rate: flat(100), cost: flat(1), overrides: [{ shard: 0, cost: flat(12) }] } }));
    const parent = sim.shards.get(shardIds(sim)[0]!)!;
    sim.advance(2 * MIN);
    const mid = (parent.range.start + parent.range.end) / 2n;
    expect(sim.apply({ type: 'split', shardId: parent.id, expectedEpoch: 0, newStartingHashKey: mid, lowChildWorkerId: 'large-1', highChildWorkerId: 'medium-1', lowLoadShare: 0.5, reason: 'test' }).applied).toBe(true);
    expect(sim.streamStatus).toBe('UPDATING');
    sim.advance(29_000);
    expect(parent.state).toBe('OPEN');
    sim.advance(2000);
    expect(parent.state).toBe('CLOSED');
    const children = parent.childIds.map((id) => sim.shards.get(id)!);
    expect(children.map((c) => [c.range.start, c.range.end])).toEqual([[parent.range.start, mid - 1n], [mid, parent.range.end]]);
    sim.advance(MIN);
    expect(parent.drainedAtMs).toBeUndefined();
    expect(children.every((c) => c.nextSeq > 0 && c.processedSeq === 0)).toBe(true);
    sim.run();
    check();
    expect(parent.drainedAtMs).toBeDefined();
    expect(children.every((c) => c.processedSeq > 0)).toBe(true);
    // Each child has records queued from the step after it opened until the step in which the parent drained.
    expect(sim.stats.parentWaitMs).toBe(2 * (parent.drainedAtMs! - parent.closedAtMs! - sim.profile.stepMs));
    expect(sim.stats.movePauseMs).toBe(0);
    expect(summarize(sim, { name: 'x', label: 'x' }).handoffPauseSeconds).toBe(sim.stats.parentWaitMs / 1000);
  });

  it('rejects a split key outside the parent range and a second reshard while the stream is UPDATING', () => {
    const { sim } = checkedSimulation(scenario());
    const [a, b] = shardIds(sim).map((id) => sim.shards.get(id)!);
    expect(sim.apply({ type: 'split', shardId: a!.id, expectedEpoch: 0, newStartingHashKey: a!.range.start, lowChildWorkerId: 'large-1', highChildWorkerId: 'large-1', lowLoadShare: 0.5, reason: 'test' }).detail).toMatch(/^invalid-argument/);
    expect(sim.apply({ type: 'split', shardId: a!.id, expectedEpoch: 0, newStartingHashKey: a!.range.end, lowChildWorkerId: 'large-1', highChildWorkerId: 'large-1', lowLoadShare: 0.5, reason: 'test' }).applied).toBe(true);
    expect(sim.apply({ type: 'split', shardId: b!.id, expectedEpoch: 0, newStartingHashKey: b!.range.end, lowChildWorkerId: 'large-1', highChildWorkerId: 'large-1', lowLoadShare: 0.5, reason: 'test' }).detail).toMatch(/^resource-in-use/);
  });

  it('merges two adjacent shards into one child that waits for both parents, and refuses non-adjacent ones', () => {
    const { sim, check } = checkedSimulation(scenario());
    const [a, b, c] = shardIds(sim).map((id) => sim.shards.get(id)!);
    expect(sim.apply({ type: 'merge', shardId: a!.id, adjacentShardId: c!.id, workerId: 'large-1', reason: 'test' }).detail).toMatch(/^invalid-argument/);
    expect(sim.apply({ type: 'merge', shardId: b!.id, adjacentShardId: a!.id, workerId: 'large-1', reason: 'test' }).applied).toBe(true);
    sim.run();
    check();
    const child = sim.shards.get(a!.childIds[0]!)!;
    expect(child.parentIds).toEqual([a!.id, b!.id]);
    expect([child.range.start, child.range.end]).toEqual([a!.range.start, b!.range.end]);
    expect(child.owner).toBe('large-1');
    expect(child.processedSeq).toBeGreaterThan(0);
  });

  it('allows 10 update-shard-count calls per rolling 24 hours', () => {
    const { sim } = checkedSimulation(scenario({ durationMin: 60 }));
    for (let i = 0; i < 10; i++) {
      expect(sim.apply({ type: 'update-shard-count', targetShardCount: i % 2 === 0 ? 8 : 4, reason: 'test' }).applied).toBe(true);
      sim.advance(121_000);
    }
    expect(sim.apply({ type: 'update-shard-count', targetShardCount: 8, reason: 'test' }).detail).toMatch(/^limit-exceeded/);
    expect(sim.apply({ type: 'update-shard-count', targetShardCount: 9, reason: 'test' }).detail).toMatch(/^invalid-argument/);
  });

  it('doubles every shard with update-shard-count', () => {
    const { sim, check } = checkedSimulation(scenario());
    sim.advance(MIN);
    expect(sim.apply({ type: 'update-shard-count', targetShardCount: 8, reason: 'test' }).applied).toBe(true);
    sim.run();
    check();
    expect([...sim.shards.values()].filter((s) => s.state === 'OPEN')).toHaveLength(8);
  });

  it('feeds a shadow the fraction r of the records, counts its cost on its worker and keeps it out of the primary output', () => {
    const { sim, check } = checkedSimulation(scenario({ durationMin: 6 }));
    const shard = shardIds(sim)[1]!;
    const id = shadowIdFor(shard, 'large-1');
    sim.advance(MIN);
    const processedBefore = sim.shards.get(shard)!.processedSeq;
    sim.apply({ type: 'create-shadow', shadowId: id, shardId: shard, workerId: 'large-1', kind: 'forward', rate: 0.1, reason: 'test' });
    sim.run();
    check();
    const sh = sim.shadows.get(id)!;
    const processed = sim.shards.get(shard)!.processedSeq - processedBefore;
    expect(sh.records).toBeGreaterThan(0.1 * processed - 400);
    expect(sh.records).toBeLessThanOrEqual(Math.ceil(0.1 * processed));
    // 1 ms per record on speed 2: 0.5 ms each.
    expect(sh.busyMs / sh.records).toBeCloseTo(0.5, 1);
    expect(sim.stats.shadowBusyMs).toBeCloseTo(sh.busyMs, 6);
    expect(sh.histogram).toHaveLength(sim.config.spm.histogramBuckets);
    expect(sh.histogram.reduce((a, b) => a + b.records, 0)).toBeCloseTo(sh.records, 6);
  });

  it('refuses a second live shadow of the same shard and kind, as the metadata store does, but takes the other kind', () => {
    const { sim } = checkedSimulation(scenario());
    const shard = shardIds(sim)[0]!;
    const create = (shadowId: string, workerId: string, kind: 'forward' | 'reverse') => sim.apply({ type: 'create-shadow', shadowId, shardId: shard, workerId, kind, rate: 0.05, reason: 'test' });
    expect(create('f1', 'small-1', 'forward').applied).toBe(true);
    expect(create('f2', 'large-1', 'forward')).toMatchObject({ applied: false, detail: expect.stringContaining('already-exists') });
    expect(create('r1', 'small-1', 'reverse').applied).toBe(true);
    expect([...sim.shadows.keys()]).toEqual(['f1', 'r1']);
  });

  it('shows a hot key as one heavy bucket of the shadow histogram', () => {
    const { sim } = checkedSimulation(scenario({ events: [{ kind: 'hot-key', atMin: 0, shard: 2, recordsPerSec: 600 }] }));
    const shard = shardIds(sim)[2]!;
    sim.apply({ type: 'create-shadow', shadowId: 'x', shardId: shard, workerId: 'small-1', kind: 'forward', rate: 0.05, reason: 'test' });
    sim.run();
    const buckets = sim.shadows.get('x')!.histogram.map((b) => b.records);
    const total = buckets.reduce((a, b) => a + b, 0);
    // 600 of 700 records/s are one key (sampling noise aside); an even spread would put 1/32 in each bucket.
    expect(Math.max(...buckets) / total).toBeGreaterThan(0.8);
  });
});

describe('shadow slots', () => {
  // Shard 0 (100 records/s x 12 ms) needs 1.2 slots on medium-1 (speed 1, 1 slot): its primary slot is full.
  // Shard 1 sits on large-1; its shadow on medium-1 at r = 1 asks for another 0.5 slot of medium-1's speed.
  const busyWorld = (shadowSlots?: number) =>
    scenario({
      durationMin: 5,
      shards: { count: 2, rate: flat(100), cost: flat(5), overrides: [{ shard: 0, cost: flat(12) }] },
      workers: [
        { class: 'medium', count: 1, speed: 1, slots: 1, memoryMb: 1024, ...(shadowSlots !== undefined ? { shadowSlots } : {}) },
        { class: 'large', count: 1, speed: 2, slots: 2, memoryMb: 2048 },
      ],
    });
  const run = (withShadow: boolean) => {
    const { sim, check } = checkedSimulation(busyWorld());
    const [full, other] = shardIds(sim);
    if (withShadow) sim.apply({ type: 'create-shadow', shadowId: 'sh', shardId: other!, workerId: 'medium-1', kind: 'forward', rate: 1, reason: 'test' });
    sim.run();
    check();
    return { sim, full: sim.shards.get(full!)! };
  };

  it("leaves the primary throughput of a worker whose primary slots are full unchanged by a busy shadow on it", () => {
    const without = run(false);
    const withShadow = run(true);
    expect(withShadow.sim.shadows.get('sh')!.records).toBeGreaterThan(20_000);
    expect(withShadow.full.processedSeq).toBe(without.full.processedSeq);
    expect(withShadow.sim.stats.primaryBusyMs).toBe(without.sim.stats.primaryBusyMs);
    expect(withShadow.sim.stats.overloadSteps).toBe(without.sim.stats.overloadSteps);
    expect(withShadow.sim.stats.latency.quantile(0.99)).toBe(without.sim.stats.latency.quantile(0.99));
    // The shadow still costs: its busy time is in GB-s (1 GB worker), the overhead and the invocation count.
    const shadowBusy = withShadow.sim.stats.shadowBusyMs;
    expect(shadowBusy).toBeGreaterThan(100_000);
    expect(withShadow.sim.stats.workerGbMs - without.sim.stats.workerGbMs).toBeCloseTo(shadowBusy, 3);
    expect(withShadow.sim.stats.shadowInvocations).toBeGreaterThan(0);
    expect(summarize(withShadow.sim, { name: 'x', label: 'x' }).shadowOverheadPercent).toBeGreaterThan(0);
  });

  it("shows policies the worker's utilization as primary busy time over its primary slots, and keeps shadow busy time in its metric points", () => {
    const { sim } = run(true);
    const w = buildView(sim).workers.find((x) => x.workerId === 'medium-1')!;
    const last = sim.workerById.get('medium-1')!.points.filter((p) => p.visibleAtMs <= sim.nowMs).at(-1)!;
    expect(last.shadowBusyMs).toBeGreaterThan(20_000);
    expect(w.utilization).toBeCloseTo(last.primaryBusyMs / last.periodMs, 9);
    expect(w.utilization).toBeLessThanOrEqual(1);
  });

  it.each([1, 2])('rations shadows among %d shadow slot(s) only, and an over-subscribed shadow function is no overload', (shadowSlots) => {
    // Two shadows at r = 1 of shards that are light on large-1, each asking for 0.6 s per second on medium-1.
    const { sim, check } = checkedSimulation(
      scenario({
        durationMin: 4,
        shards: { count: 2, rate: flat(100), cost: flat(6), overrides: [] },
        workers: [
          { class: 'large', count: 1, speed: 4, slots: 2, memoryMb: 2048 },
          { class: 'medium', count: 1, speed: 1, slots: 1, memoryMb: 1024, shadowSlots },
        ],
      }),
    );
    const [a, b] = shardIds(sim);
    expect([a, b].map((id) => sim.shards.get(id!)!.owner)).toEqual(['large-1', 'medium-1']);
    sim.apply({ type: 'move', shardId: b!, fromWorkerId: 'medium-1', toWorkerId: 'large-1', expectedEpoch: 0, reason: 'test' });
    for (const id of [a!, b!]) sim.apply({ type: 'create-shadow', shadowId: `sh-${id}`, shardId: id, workerId: 'medium-1', kind: 'forward', rate: 1, reason: 'test' });
    sim.run();
    check();
    const shadowBusy = sim.stats.shadowBusyMs;
    expect(shadowBusy).toBeLessThanOrEqual(Math.min(shadowSlots, 1.2) * 4 * MIN + 1e-6);
    expect(shadowBusy).toBeGreaterThan(Math.min(shadowSlots, 1.2) * 4 * MIN * 0.95);
    expect(sim.stats.overloadSteps).toBe(0);
  });

  it.each([
    { factor: 1, perRecordMs: 1 },
    { factor: 3, perRecordMs: 3 },
  ])("runs shadows at the worker's effective speed: slowed x$factor, a 1 ms record takes $perRecordMs ms", ({ factor, perRecordMs }) => {
    const { sim } = checkedSimulation(scenario({ durationMin: 3, events: [{ kind: 'worker-slowdown', atMin: 0, workerClass: 'medium', factor }] }));
    sim.apply({ type: 'create-shadow', shadowId: 'sh', shardId: shardIds(sim)[0]!, workerId: 'medium-1', kind: 'forward', rate: 0.5, reason: 'test' });
    sim.run();
    const sh = sim.shadows.get('sh')!;
    expect(sh.busyMs / sh.records).toBeCloseTo(perRecordMs, 1);
  });
});

describe('the view a policy sees', () => {
  it("holds a shard's points until the load delay has passed (metadata table), worker points until CloudWatch's, and shadow stats not at all", () => {
    const { sim } = checkedSimulation(scenario());
    const shard = shardIds(sim)[0]!;
    sim.apply({ type: 'create-shadow', shadowId: 's', shardId: shard, workerId: 'large-1', kind: 'forward', rate: 0.2, reason: 'test' });
    sim.advance(5 * MIN);
    const view = buildView(sim);
    const points = view.shardMetrics[shard]!;
    // At 5 min with a 60 s period: shard load 15 s after its period (periods ending at 1-4 min; the one
    // ending now is not readable yet), worker points on CloudWatch 120 s after it (ending at 1, 2 and 3 min).
    expect(points.map((p) => p.atMs)).toEqual([0, MIN, 2 * MIN, 3 * MIN]);
    expect(view.workerMetrics['large-1']!.map((p) => p.atMs)).toEqual([0, MIN, 2 * MIN]);
    expect(view.shadowStats[0]!.toMs).toBe(5 * MIN);
    expect(view.shadowStats[0]!.records).toBeGreaterThan(0);
    expect(view.partitions.find((p) => p.shardId === shard)!.shadowReplicationRate).toBe(0.2);
  });
});

describe('the local profile', () => {
  it('runs in 100 ms steps with shard load visible after 250 ms and keeps every invariant', () => {
    const { sim, check } = checkedSimulation(scenario({ profile: 'local', durationMin: 1 }));
    sim.advance(10_000);
    const points = buildView(sim).shardMetrics[shardIds(sim)[0]!]!;
    expect(points.map((p) => p.atMs)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]);
    sim.run();
    check();
    expect(sim.stats.latency.quantile(0.5)).toBeLessThan(200);
  });
});

describe('ticks', () => {
  it.each([
    { tickIntervalMs: 60_000, ticks: 9 },
    { tickIntervalMs: 90_000, ticks: 6 },
    { tickIntervalMs: 150_500, ticks: 3 },
  ])('tick every $tickIntervalMs ms: $ticks ticks in 10 minutes', ({ tickIntervalMs, ticks }) => {
    const s = scenario({ config: { tickIntervalMs } });
    const times: number[] = [];
    const { sim } = checkedSimulation(s, 1, { name: 'static', label: 'probe', initialState: () => ({}), decide: (view, _c, state) => (times.push(view.nowMs), { actions: [], events: [], nextState: state }) });
    sim.run();
    expect(times).toHaveLength(ticks);
    times.forEach((t, i) => expect(t).toBe(Math.ceil(((i + 1) * tickIntervalMs) / 1000) * 1000));
  });
});
