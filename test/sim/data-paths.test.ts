import { describe, expect, it } from 'vitest';
import { FORESHADOW_DEPLOYMENT } from '../../core/policies/deployment.js';
import { staticPolicy } from '../../core/policies/baselines/static.policy.js';
import { policyByName } from '../../core/policies/index.js';
import { Simulation } from '../../sim/engine/engine.js';
import { buildView } from '../../sim/engine/view.js';
import { ONE_LANE, scenario } from './factories.js';

/** Simulated seconds after which the policy first sees the point of the period 0-60 s. */
function firstSeenAtS(policy: string, sameInformation = false): number {
  const sim = new Simulation({ scenario: scenario({ durationMin: 5 }), seed: 1, policy: policyByName(policy), ...(sameInformation ? { sameInformation } : {}) });
  while (sim.nowMs < 300_000) {
    sim.step();
    if ((Object.values(buildView(sim).shardMetrics)[0] ?? []).length > 0) return sim.nowMs / 1000;
  }
  return Infinity;
}

describe('data paths', () => {
  it.each([
    ['spm', 75],
    ['reactive-split', 180],
    ['kcl3-variance', 30],
    ['on-demand', 60],
  ])('%s sees its first point at %i s (metadata-table: 15 s after the minute; cloudwatch: 120 s after it; kinesis-internal: at its end; lease-table: 30-s points, at their end)', (policy, seconds) => {
    expect(firstSeenAtS(policy)).toBe(seconds);
  });

  it('--same-information gives spm the point at the end of its period too, and KCL the same 60-s points as everyone', () => {
    expect(firstSeenAtS('spm', true)).toBe(60);
    expect(firstSeenAtS('kcl3-variance', true)).toBe(60);
  });

  it('metadata-table: a shard whose owner reads a third of what arrives shows what arrived (the ages), not what was read', () => {
    // Shard 0 steps to 900 records/s of 3 ms at minute 2: 2.7 slots of work on a speed-1 worker, more on any
    // (one lane: burst lanes would catch up on the free slots).
    const s = scenario({ durationMin: 8, config: ONE_LANE, shards: { count: 4, rate: { kind: 'constant', value: 100 }, cost: { kind: 'constant', value: 3 }, overrides: [{ shard: 0, rate: { kind: 'step', from: 100, to: 900, atMin: 2 } }] } });
    const sim = new Simulation({ scenario: s, seed: 1, policy: { ...staticPolicy, deployment: FORESHADOW_DEPLOYMENT } });
    sim.advance(7 * 60_000);
    const shard = [...sim.shards.values()][0]!;
    const seen = buildView(sim).shardMetrics[shard.id]!.at(-1)!;
    const truth = shard.points.find((p) => p.atMs === seen.atMs)!;
    expect(truth.incomingRecords).toBeGreaterThan(2.5 * truth.processedRecords); // the owner lags far behind
    expect(seen.incomingRecords / truth.incomingRecords).toBeGreaterThan(0.9);
    expect(seen.incomingRecords / truth.incomingRecords).toBeLessThan(1.1);
  });
});

describe("KCL 3.x's cadence and handoff", () => {
  it('runs an assignment round every 20 s on aws (30 in 10 min, where a 60-s policy runs 9 after the first minute)', () => {
    const run = (policy: string) => {
      const sim = new Simulation({ scenario: scenario({ durationMin: 10 }), seed: 1, policy: policyByName(policy) });
      sim.run();
      return sim.stats.ticks;
    };
    expect(run('kcl3-variance')).toBe(29);
    expect(run('reactive-threshold')).toBe(9);
  });

  it('leaves a moved shard unprocessed for 10 s (lease discovery), where the dispatcher switch of other policies takes 1 s', () => {
    const pause = (policy: string) => {
      const sim = new Simulation({ scenario: scenario({ durationMin: 2 }), seed: 1, policy: policyByName(policy) });
      sim.advance(5000);
      const shard = [...sim.shards.values()][0]!;
      const to = sim.workers.find((w) => w.id !== shard.owner)!.id;
      sim.apply({ type: 'move', shardId: shard.id, fromWorkerId: shard.owner, toWorkerId: to, expectedEpoch: shard.epoch, reason: 'test' });
      return (shard.pausedUntilMs - sim.nowMs) / 1000;
    };
    expect(pause('kcl3-variance')).toBe(10);
    expect(pause('reactive-threshold')).toBe(1);
  });
});
