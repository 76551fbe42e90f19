import { describe, expect, it } from 'vitest';
import { summarize } from '../../sim/report/report.js';
import { checkedSimulation, ONE_LANE, scenario, shardIds } from './factories.js';

const flat = (value: number) => ({ kind: 'constant' as const, value });
const maxAge = (points: readonly { iteratorAgeMsMax: number }[]) => Math.max(0, ...points.map((p) => p.iteratorAgeMsMax));

describe('burst lanes in the simulator', () => {
  it("keep a shard of 2.4 slots on a 2-slot worker caught up on the other workers' free slots; one lane falls behind", () => {
    // Shard 0 sits on the small worker (speed 0.5): 100 records/s x 12 ms / 0.5 = 2.4 slots of work.
    const heavy = (config: Record<string, unknown>) => {
      const run = checkedSimulation(scenario({ durationMin: 5, config, shards: { count: 4, rate: flat(100), cost: flat(1), overrides: [{ shard: 0, cost: flat(12) }] } }));
      run.sim.run();
      run.check();
      return run;
    };
    const lanes = heavy({});
    const one = heavy(ONE_LANE);
    expect(lanes.sim.stats.maxIteratorAgeMs).toBeLessThan(30_000);
    expect(one.sim.stats.maxIteratorAgeMs).toBeGreaterThan(100_000);
    // The lanes ran elsewhere: the large worker (which owns no shard 0 work) was busy with shard 0's records.
    const large = lanes.sim.workers.find((w) => w.workerClass === 'large')!;
    const largeOne = one.sim.workers.find((w) => w.workerClass === 'large')!;
    expect(large.points.reduce((a, p) => a + p.primaryBusyMs, 0)).toBeGreaterThan(2 * largeOne.points.reduce((a, p) => a + p.primaryBusyMs, 0) + 60_000);
    expect(summarize(lanes.sim, { name: 'x', label: 'x' }).shardsBehindAtEnd).toBe(0);
  });

  it("never take a slot a worker's own shard needs: the other shards keep their one-lane latency", () => {
    // One worker of 2 slots: shard 0 needs 2.4 slots, shard 1 a tenth of one; the lanes get what is left.
    const run = checkedSimulation(
      scenario({
        durationMin: 5,
        workers: [{ class: 'solo', count: 1, speed: 1, slots: 2, memoryMb: 1024 }],
        shards: { count: 2, rate: flat(100), cost: flat(1), overrides: [{ shard: 0, cost: flat(24) }] },
      }),
    );
    run.sim.run();
    run.check();
    const [hot, light] = shardIds(run.sim).map((id) => run.sim.shards.get(id)!);
    expect(maxAge(light!.points)).toBeLessThan(1500);
    // The hot shard got more than its one slot (it could not keep up anyway: 2.4 > 2).
    expect(Math.max(...hot!.points.map((p) => p.busyMs / p.periodMs))).toBeGreaterThan(1.5);
  });

  it("send a hot key's lane to the fastest worker: a key no split can divide keeps up on a faster class", () => {
    // At minute 1 one key of shard 0 (on the small worker, speed 0.5) sends 500 records/s of 2 ms: 2 slots
    // there, 0.5 on the large worker (speed 2). One lane cannot spread a single key; the lane on large does.
    const hotKey = (config: Record<string, unknown>) => {
      const run = checkedSimulation(scenario({ durationMin: 6, config, events: [{ kind: 'hot-key', atMin: 1, shard: 0, recordsPerSec: 500, costFactor: 2 }] }));
      run.sim.run();
      run.check();
      return run.sim.stats.maxIteratorAgeMs;
    };
    expect(hotKey({})).toBeLessThan(30_000);
    expect(hotKey(ONE_LANE)).toBeGreaterThan(100_000);
  });
});
