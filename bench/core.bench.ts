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

/** One decision on the next recorded view, carrying the policy's state. */
function decideNext(c: TickContext): { actions: number } {
  const view = c.views[c.next++ % c.views.length]!;
  const decision = c.policy.decide(view, c.config, c.state);
  c.state = decision.nextState;
  return { actions: decision.actions.length };
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
  run: decideNext,
}));

/**
 * A view ten times as large: the recorded 1,000-shard view's shards copied 10 times (ids suffixed `~k`) onto
 * its 50 workers copied 4 times (`~j`, copy k on worker copy k mod 4), with their metrics, shadows and stats.
 * Scenarios stop at 4,096 shards, so the simulator cannot record a 10,000-shard run itself.
 */
function tenfold(view: ClusterView): ClusterView {
  const copies = Array.from({ length: 10 }, (_, k) => k);
  const w = (id: string, k: number): string => `${id}~${k % 4}`;
  const s = (id: string, k: number): string => `${id}~${k}`;
  return {
    ...view,
    partitions: copies.flatMap((k) => view.partitions.map((p) => ({ ...p, shardId: s(p.shardId, k), ownerWorkerId: w(p.ownerWorkerId, k), parentShardIds: p.parentShardIds.map((x) => s(x, k)) }))),
    workers: [0, 1, 2, 3].flatMap((j) => view.workers.map((x) => ({ ...x, workerId: w(x.workerId, j) }))),
    shadows: copies.flatMap((k) => view.shadows.map((x) => ({ ...x, shadowId: s(x.shadowId, k), shardId: s(x.shardId, k), workerId: w(x.workerId, k) }))),
    shadowStats: copies.flatMap((k) => view.shadowStats.map((x) => ({ ...x, shadowId: s(x.shadowId, k), shardId: s(x.shardId, k), workerId: w(x.workerId, k) }))),
    shardMetrics: Object.fromEntries(copies.flatMap((k) => Object.entries(view.shardMetrics).map(([id, points]) => [s(id, k), points]))),
    workerMetrics: Object.fromEntries([0, 1, 2, 3].flatMap((j) => Object.entries(view.workerMetrics).map(([id, points]) => [w(id, j), points]))),
  };
}

/** Issue #11's scale target: one spm tick at 10,000 shards on 200 workers within 200 ms. */
const largeTickBenchmark: Benchmark<TickContext> = {
  name: 'decision tick, spm, 10,000 shards x 200 workers',
  target: { text: '< 200 ms', ms: 200 },
  iterations: 5,
  setup: () => {
    const small = recordViews();
    const views = small.views.map(tenfold);
    const config = small.config;
    const policy = policyByName('spm');
    return { policy, views, config, state: policy.initialState(), next: 0 };
  },
  run: decideNext,
};

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

export default defineBenchmarks([...tickBenchmarks, largeTickBenchmark, ...hourBenchmarks]);
