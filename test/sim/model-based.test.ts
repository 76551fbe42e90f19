import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyByName } from '../../core/policies/index.js';
import type { Simulation } from '../../sim/engine/engine.js';
import type { InvariantChecker } from '../../sim/invariants.js';
import { finalStates } from '../../sim/run.js';
import { checkedSimulation, scenario } from './factories.js';

interface Model {
  /** Records offered by the test so far. */
  offered: number;
  splitsApplied: number;
}
interface Real {
  sim: Simulation;
  checker: InvariantChecker;
}

/** Every record offered is accepted, waiting for a retry, or dropped by the producer: none vanish. */
function assertConsistent(model: Model, { sim, checker }: Real): void {
  expect(checker.violations).toEqual([]);
  const shards = [...sim.shards.values()];
  const retrying = shards.reduce((a, s) => a + s.retries.reduce((b, r) => b + r.count, 0) + s.manualOffered, 0);
  expect(sim.stats.acceptedRecords + retrying + sim.stats.droppedRecords).toBe(model.offered);
  for (const s of shards) expect(sim.workerById.has(s.owner)).toBe(true);
  expect(sim.stats.splits).toBe(model.splitsApplied);
}

const openShards = (sim: Simulation) => [...sim.shards.values()].filter((s) => s.state === 'OPEN');
const liveShards = (sim: Simulation) => [...sim.shards.values()].filter((s) => s.drainedAtMs === undefined);

class Ingest implements fc.Command<Model, Real> {
  constructor(readonly pick: number, readonly count: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const open = openShards(r.sim);
    r.sim.ingest(open[this.pick % open.length]!.id, this.count);
    m.offered += this.count;
    assertConsistent(m, r);
  }
  toString = () => `ingest(${this.pick}, ${this.count})`;
}

class Advance implements fc.Command<Model, Real> {
  constructor(readonly seconds: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    r.sim.advance(this.seconds * 1000);
    assertConsistent(m, r);
  }
  toString = () => `advance(${this.seconds} s)`;
}

class Tick implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    r.sim.tick();
    m.splitsApplied = r.sim.stats.splits;
    assertConsistent(m, r);
  }
  toString = () => 'tick';
}

class Move implements fc.Command<Model, Real> {
  constructor(readonly pick: number, readonly worker: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const live = liveShards(r.sim);
    const shard = live[this.pick % live.length]!;
    const to = r.sim.workers[this.worker % r.sim.workers.length]!.id;
    const before = { epoch: shard.epoch, owner: shard.owner };
    const result = r.sim.apply({ type: 'move', shardId: shard.id, fromWorkerId: shard.owner, toWorkerId: to, expectedEpoch: shard.epoch, reason: 'model' });
    expect(result.applied).toBe(to !== before.owner);
    expect(shard.epoch).toBe(result.applied ? before.epoch + 1 : before.epoch);
    expect(shard.owner).toBe(to);
    assertConsistent(m, r);
  }
  toString = () => `move(${this.pick} -> worker ${this.worker})`;
}

class Split implements fc.Command<Model, Real> {
  constructor(readonly pick: number, readonly at: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const open = openShards(r.sim);
    const shard = open[this.pick % open.length]!;
    const width = shard.range.end - shard.range.start;
    const key = shard.range.start + 1n + (width * BigInt(Math.floor(this.at * 1000))) / 1000n;
    // Kinesis takes a split key strictly inside the range: a one-key shard cannot be split.
    const active = r.sim.streamStatus === 'ACTIVE' && width > 0n;
    const result = r.sim.apply({ type: 'split', shardId: shard.id, expectedEpoch: shard.epoch, newStartingHashKey: key > shard.range.end ? shard.range.end : key, lowChildWorkerId: 'large-1', highChildWorkerId: 'small-1', lowLoadShare: 0.5, reason: 'model' });
    expect(result.applied).toBe(active);
    if (result.applied) m.splitsApplied++;
    assertConsistent(m, r);
  }
  toString = () => `split(${this.pick} at ${this.at.toFixed(3)})`;
}

class Slowdown implements fc.Command<Model, Real> {
  constructor(readonly worker: number, readonly factor: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    r.sim.slowWorker(r.sim.workers[this.worker % r.sim.workers.length]!.id, this.factor);
    assertConsistent(m, r);
  }
  toString = () => `slowdown(worker ${this.worker} x${this.factor})`;
}

const commands = [
  fc.tuple(fc.nat(20), fc.integer({ min: 1, max: 2500 })).map(([p, n]) => new Ingest(p, n)),
  fc.integer({ min: 1, max: 60 }).map((s) => new Advance(s)),
  fc.constant(new Tick()),
  fc.tuple(fc.nat(20), fc.nat(5)).map(([p, w]) => new Move(p, w)),
  fc.tuple(fc.nat(20), fc.double({ min: 0, max: 0.999, noNaN: true })).map(([p, a]) => new Split(p, a)),
  fc.tuple(fc.nat(5), fc.integer({ min: 1, max: 6 })).map(([w, f]) => new Slowdown(w, f)),
];

describe('engine against a model (ingest / tick / move / split / worker slowdown)', () => {
  // Seed 663444543 once found records offered by hand to a shard that a split closed before they arrived,
  // dropped uncounted (split, advance 30 s, ingest, advance 1 s): kept as a regression run.
  it.each([{ seed: undefined }, { seed: 663444543 }])('keeps every invariant and loses no record over random command sequences (seed $seed)', ({ seed: runSeed }) => {
    const world = scenario({ durationMin: 600, shards: { count: 4, rate: { kind: 'constant', value: 0 }, cost: { kind: 'constant', value: 40 }, overrides: [] } });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.commands(commands, { maxCommands: 40 }), (seed, cmds) => {
        const { sim, checker } = checkedSimulation(world, seed, policyByName('spm'));
        fc.modelRun(() => ({ model: { offered: 0, splitsApplied: 0 }, real: { sim, checker } }), cmds);
        sim.advance(120_000);
        checker.finish(finalStates(sim));
        if (checker.violations.length > 0) checker.assertHolds();
      }),
      { numRuns: 120, ...(runSeed === undefined ? {} : { seed: runSeed }) },
    );
  });
});
