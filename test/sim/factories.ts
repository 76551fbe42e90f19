import type { Policy } from '../../core/policies/policy.js';
import { Simulation } from '../../sim/engine/engine.js';
import { InvariantChecker } from '../../sim/invariants.js';
import { finalStates } from '../../sim/run.js';
import { parseScenario } from '../../sim/scenario/load.js';
import type { Scenario, ScenarioInput } from '../../sim/scenario/schema.js';

/** A small, valid scenario: 4 shards, 3 worker classes, flat traffic; override any field. */
export function scenarioInput(overrides: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    name: 'test',
    profile: 'aws',
    durationMin: 10,
    shards: { count: 4, rate: { kind: 'constant', value: 100 }, cost: { kind: 'constant', value: 1 } },
    keys: { poolSize: 16, skew: { kind: 'uniform' } },
    workers: [
      { class: 'small', count: 1, speed: 0.5, slots: 2, memoryMb: 512 },
      { class: 'medium', count: 1, speed: 1, slots: 2, memoryMb: 1024 },
      { class: 'large', count: 1, speed: 2, slots: 2, memoryMb: 2048 },
    ],
    ...overrides,
  };
}

/** Scenario config that turns burst lanes off: one invocation per batch, as the one-lane physics tests need. */
export const ONE_LANE = { lanes: { max: 1 } };

export function scenario(overrides: Partial<ScenarioInput> = {}): Scenario {
  return parseScenario(scenarioInput(overrides));
}

/** A simulation with an invariant checker attached; `check()` runs the end-of-run checks and throws on any violation. */
export function checkedSimulation(s: Scenario, seed = 1, policy?: Policy<unknown>): { sim: Simulation; checker: InvariantChecker; check: () => void } {
  const checker = new InvariantChecker(seed);
  const sim = new Simulation({ scenario: s, seed, observer: checker, ...(policy ? { policy } : {}) });
  return {
    sim,
    checker,
    check: () => {
      checker.finish(finalStates(sim));
      checker.assertHolds();
    },
  };
}

/** Shard ids in creation order. */
export function shardIds(sim: Simulation): string[] {
  return [...sim.shards.keys()];
}
