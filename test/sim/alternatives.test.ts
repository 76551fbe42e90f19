import { describe, expect, it } from 'vitest';
import { configWith } from '../core/baselines/factories.js';
import { parallelizationFactorPolicy } from '../../core/policies/baselines/parallelization-factor.policy.js';
import { policyByName } from '../../core/policies/index.js';
import { Simulation } from '../../sim/engine/engine.js';
import { laneParallelism } from '../../sim/engine/process.js';
import { summarize } from '../../sim/report/report.js';
import { checkedSimulation, scenario } from './factories.js';

/** One shard, 64 uniform keys, 400 records/s at 10 ms each on a speed-1 worker: 4 s of work per second. */
const slowShard = (extra: Parameters<typeof scenario>[0] = {}) =>
  scenario({
    durationMin: 10,
    shards: { count: 1, rate: { kind: 'constant', value: 400 }, cost: { kind: 'constant', value: 10 } },
    keys: { poolSize: 64, skew: { kind: 'uniform' } },
    ...extra,
  });

function run(s: ReturnType<typeof scenario>, factor: number, policyName = 'parallelization-factor') {
  const config = configWith({ tickIntervalMs: 60_000, baselines: { parallelizationFactor: { factor } } });
  const sim = new Simulation({ scenario: s, seed: 1, policy: policyByName(policyName), config });
  sim.run();
  return { sim, report: summarize(sim, { name: policyName, label: policyName }) };
}

describe('parallelization-factor on a plain mapping', () => {
  it('runs on one function of the fastest class (large, speed 2) with no slot limit and no dispatcher', () => {
    const { sim, report } = run(slowShard(), 10);
    expect(sim.workers.map((w) => [w.workerClass, w.speed])).toEqual([['large', 2]]);
    expect(sim.stats.dispatcherInvocations).toBe(0);
    expect(report.cost.metricsRequested).toBe(0);
    expect(report.cost.usd.dynamodb).toBe(0);
    expect(report.moves + report.splits).toBe(0);
  });

  it('falls behind at factor 1 (2 s of busy time needed per second on speed 2) and keeps up at factor 10', () => {
    const one = run(slowShard(), 1).report;
    const ten = run(slowShard(), 10).report;
    expect(one.overloadSeconds).toBeGreaterThan(500);
    expect(ten.overloadSeconds).toBe(0);
    expect(ten.latencyMs.p99).toBeLessThan(1000);
  });

  it('bounds a shard by its busiest lane: 64 uniform keys in 10 lanes give 1 / (busiest share), between 5 and 10', () => {
    const sim = new Simulation({ scenario: slowShard(), seed: 1 });
    sim.step();
    const shard = [...sim.shards.values()][0]!;
    const lanes = new Array<number>(10).fill(0);
    for (const k of shard.regionShares[0]!.keys) lanes[k.laneKey % 10]! += k.weight;
    const total = lanes.reduce((a, b) => a + b, 0);
    expect(laneParallelism(sim, shard, 0, 10)).toBeCloseTo(total / Math.max(...lanes), 9);
    expect(laneParallelism(sim, shard, 0, 10)).toBeGreaterThan(5);
    expect(laneParallelism(sim, shard, 0, 1)).toBe(1);
  });

  it('keeps a hot key in one lane: 1,600 records/s of one key on a 400-record/s shard gives less than 1 / 0.8 = 1.25', () => {
    const s = slowShard({ events: [{ kind: 'hot-key', atMin: 0, shard: 0, recordsPerSec: 1600, rampMin: 0, costFactor: 1 }] });
    const sim = new Simulation({ scenario: s, seed: 1 });
    sim.step();
    const p = laneParallelism(sim, [...sim.shards.values()][0]!, 0, 10);
    expect(p).toBeGreaterThan(1);
    expect(p).toBeLessThanOrEqual(1.25);
  });

  it('never acts, whatever the view', () => {
    const d = parallelizationFactorPolicy.decide({} as never, configWith(), {});
    expect(d.actions).toEqual([]);
  });

  it('keeps the ledger: no record lost, duplicated or reordered at factor 10 with a split by reactive-split', () => {
    const s = slowShard({ shards: { count: 2, rate: { kind: 'constant', value: 900 }, cost: { kind: 'constant', value: 0.5 } }, durationMin: 20 });
    const { sim, check } = checkedSimulation(s, 3, policyByName('reactive-split'));
    sim.run();
    expect(sim.stats.splits).toBeGreaterThan(0);
    check();
  });
});

describe('cost like for like', () => {
  it('spm pays its dispatcher, metadata calls, SPM function and GetMetricData (the stream-level throttle count; per shard only after throttles); parallelization-factor none of them', () => {
    const s = slowShard({ shards: { count: 4, rate: { kind: 'constant', value: 100 }, cost: { kind: 'constant', value: 1 } } });
    const spm = run(s, 1, 'spm').report;
    const pf = run(s, 1).report;
    expect(spm.cost.dispatchedBatches).toBeGreaterThan(0);
    expect(spm.cost.usd.dynamodb).toBeGreaterThan(0);
    // EMF: 0.1473 B per record, under $0.0001 in this 10-minute run; priced in report.test.ts.
    expect(spm.cost.usd.logs).toBeDefined();
    // The shard load comes from the metadata table: one stream-level throttle metric per decision, 9
    // decisions; no shard throttled at 100 records/s, so no per-shard read.
    expect(spm.cost.metricsRequested).toBe(9);
    expect(pf.cost).toMatchObject({ dispatchedBatches: 0, metricsRequested: 0, usd: { dynamodb: 0, logs: 0, cloudwatch: 0 } });
    // Same records: provisioned Kinesis costs the same for both.
    expect(pf.cost.usd.kinesis).toBeCloseTo(spm.cost.usd.kinesis, 2);
  });

  it('prices on-demand per stream-hour and per GB in and out (800-B records round up to 1 KB), not per shard-hour', () => {
    const s = slowShard({ durationMin: 60, shards: { count: 4, rate: { kind: 'constant', value: 100 }, cost: { kind: 'constant', value: 1 } } });
    const { sim, report } = run(s, 1, 'on-demand');
    const gb = 1024 / 1024 ** 3;
    const read = [...sim.output.values()].reduce((a, b) => a + b, 0);
    const expected = 1 * 0.04 + sim.stats.acceptedRecords * gb * 0.08 + read * gb * 0.04;
    expect(report.cost.usd.kinesis).toBeCloseTo(expected, 4);
    expect(report.cost.shardHours).toBeCloseTo(4, 2);
  });
});

describe("Foreshadow's deployment as now and as the previous release", () => {
  // Four shards for the whole run: merges (which these calm shards would qualify for) turned off.
  const fourShards = () => scenario({ durationMin: 10, config: { spm: { mergeIngestFraction: 0 } }, shards: { count: 4, rate: { kind: 'constant', value: 100 }, cost: { kind: 'constant', value: 1 }, overrides: [] } });
  const spmRun = (previousRelease: boolean) => {
    const sim = new Simulation({ scenario: fourShards(), seed: 1, policy: policyByName('spm'), ...(previousRelease ? { previousRelease } : {}) });
    sim.run();
    return { sim, report: summarize(sim, { name: 'spm', label: 'spm' }) };
  };

  it('prices the batches of the class with the least memory as processed by the dispatcher itself: no second invocation, no wait billed twice', () => {
    const now = spmRun(false);
    const before = spmRun(true);
    const inline = now.sim.inlineClass;
    expect(inline).toBe([...now.sim.workers].sort((a, b) => a.memoryMb - b.memoryMb)[0]!.workerClass);
    expect(before.sim.inlineClass).toBeUndefined();
    // Previous release: every batch is a dispatcher invocation and a second one of its owner. Now the inline
    // class's batches are the dispatcher's alone.
    expect(before.sim.stats.workerInvocations).toBe(before.sim.stats.dispatcherInvocations);
    expect(now.sim.stats.workerInvocations).toBeGreaterThan(0);
    expect(now.sim.stats.workerInvocations).toBeLessThan(now.sim.stats.dispatcherInvocations);
    expect(now.sim.stats.dispatcherGbMs).toBeLessThan(before.sim.stats.dispatcherGbMs);
    expect(now.report.cost.usd.total).toBeLessThan(before.report.cost.usd.total);
  });

  it('reads every shard metric from CloudWatch in the previous release (5 per open shard per tick), the stream-level throttle count now', () => {
    expect(spmRun(true).report.cost.metricsRequested).toBe(5 * 4 * 9);
    expect(spmRun(false).report.cost.metricsRequested).toBe(9);
  });
});
