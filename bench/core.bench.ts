import { policyByName, availablePolicies } from '../core/policies/index.js';
import type { Policy } from '../core/policies/policy.js';
import type { ClusterView } from '../core/model/cluster-view.js';
import type { ForeshadowConfig } from '../core/config/index.js';
import { Simulation } from '../sim/engine/engine.js';
import { parseScenario, scenarioConfig } from '../sim/scenario/load.js';
import type { ScenarioInput } from '../sim/scenario/schema.js';
import { defineBenchmarks, type Benchmark } from './bench.js';

/** A cluster of `shards` shards on `workers` workers of three classes, every 20th shard ramping to 5x. */
function clusterScenario(shards: number, workers: number, durationMin: number): ScenarioInput {
  const perClass = Math.ceil(workers / 3);
  const slots = Math.max(2, Math.ceil((shards / workers) * 1.5));
  return {
    name: `bench-${shards}x${workers}`,
    profile: 'aws',
    durationMin,
    shards: {
      count: shards,
      rate: { kind: 'constant', value: 150 },
      cost: { kind: 'constant', value: 1.5 },
      overrides: Array.from({ length: Math.floor(shards / 20) }, (_, i) => ({ shard: i * 20 + 3, rate: { kind: 'ramp' as const, from: 150, to: 750, startMin: 2, endMin: Math.max(4, durationMin / 2) } })),
    },
    keys: { poolSize: 8, skew: { kind: 'zipf', exponent: 0.8 } },
    workers: [
      { class: 'small', count: perClass, speed: 0.5, slots, memoryMb: 512 },
      { class: 'medium', count: perClass, speed: 1, slots, memoryMb: 1024 },
      { class: 'large', count: workers - 2 * perClass, speed: 2, slots, memoryMb: 2048 },
    ],
  };
}

interface TickContext {
  readonly policy: Policy<unknown>;
  readonly views: readonly ClusterView[];
  readonly config: ForeshadowConfig;
  state: unknown;
  next: number;
}

/**
 * Views of a 1,000-shard, 50-worker cluster at successive ticks, recorded once from a run driven by `spm`
 * (so they hold live shadows, their stats and moved shards), from the fourth tick on (metrics visible).
 */
let recorded: { views: ClusterView[]; config: ForeshadowConfig } | undefined;
function recordViews(): { views: ClusterView[]; config: ForeshadowConfig } {
  if (recorded) return recorded;
  const scenario = parseScenario(clusterScenario(1000, 50, 10));
  const config = scenarioConfig(scenario);
  const views: ClusterView[] = [];
  const spm = policyByName('spm');
  const recorder: Policy<unknown> = { ...spm, decide: (view, c, state) => (views.push(view), spm.decide(view, c, state)) };
  new Simulation({ scenario, seed: 1, policy: recorder, config }).run();
  recorded = { views: views.slice(3), config };
  return recorded;
}

const tickBenchmarks: Benchmark<TickContext>[] = availablePolicies().map((name) => ({
  name: `decision tick, ${name}, 1,000 shards x 50 workers`,
  target: { text: '< 100 ms', ms: 100 },
  iterations: 9,
  setup: () => {
    const { views, config } = recordViews();
    const policy = policyByName(name);
    return { policy, views, config, state: policy.initialState(), next: 0 };
  },
  run: (c) => {
    const view = c.views[c.next++ % c.views.length]!;
    const decision = c.policy.decide(view, c.config, c.state);
    c.state = decision.nextState;
    return { actions: decision.actions.length };
  },
}));

const hourBenchmarks: Benchmark<undefined>[] = availablePolicies().map((name) => ({
  name: `one simulated hour, 64 shards x 12 workers, aws, ${name}`,
  target: { text: '< 2 s', ms: 2_000 },
  iterations: 1,
  warmup: false,
  run: () => {
    const scenario = parseScenario(clusterScenario(64, 12, 60));
    const sim = new Simulation({ scenario, seed: 1, policy: policyByName(name) });
    sim.run();
    return { ticks: sim.stats.ticks, records: sim.stats.acceptedRecords };
  },
}));

export default defineBenchmarks([...tickBenchmarks, ...hourBenchmarks]);
