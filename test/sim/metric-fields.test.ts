import { describe, expect, it } from 'vitest';
import type { ClusterView } from '../../core/model/cluster-view.js';
import type { MetricFields, ShardMetricPoint, WorkerMetricPoint } from '../../core/model/metrics.js';
import type { Policy } from '../../core/policies/index.js';
import { spmPolicy } from '../../core/policies/spm/spm.policy.js';
import { Simulation } from '../../sim/engine/engine.js';
import { summarize } from '../../sim/report/report.js';
import { loadScenario } from '../../sim/scenario/load.js';

/** Zeroes every metric field `fields` does not name, as the SPM tick's view has them when it reads only those. */
function zeroUndeclared<P extends ShardMetricPoint | WorkerMetricPoint>(point: P, keep: readonly string[]): P {
  const out: Record<string, number> = { ...(point as unknown as Record<string, number>) };
  for (const key of Object.keys(out)) if (key !== 'atMs' && key !== 'periodMs' && !keep.includes(key)) out[key] = 0;
  return out as unknown as P;
}

/** The policy deciding on a view with only its declared metric fields, as it runs on AWS. */
function declaredOnly<S>(policy: Policy<S>, fields: MetricFields): Policy<S> {
  const restrict = (view: ClusterView): ClusterView => ({
    ...view,
    shardMetrics: Object.fromEntries(Object.entries(view.shardMetrics).map(([id, points]) => [id, points.map((p) => zeroUndeclared(p, fields.shards))])),
    workerMetrics: Object.fromEntries(Object.entries(view.workerMetrics).map(([id, points]) => [id, fields.workers.length === 0 ? [] : points.map((p) => zeroUndeclared(p, fields.workers))])),
  });
  return { ...policy, decide: (view, config, state) => policy.decide(restrict(view), config, state) };
}

function run(policy: Policy<unknown>, scenarioName: string, seed: number) {
  const sim = new Simulation({ scenario: { ...loadScenario(scenarioName), durationMin: 35 }, seed, policy });
  sim.run();
  return { log: sim.stats.log, report: summarize(sim, policy) };
}

/** JSON of a run's log, whose split actions carry bigint hash keys. */
const json = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

describe('the SPM reads only the metrics it decides on', () => {
  it.each([
    ['hot-shift', 1],
    ['hot-shift', 2],
    ['flash-crowd', 1],
    ['cost-shift', 1],
  ])('%s (seed %d): the same decisions with the undeclared fields zeroed and no worker metrics', (scenario, seed) => {
    const fields = spmPolicy.metricFields!;
    expect(fields.shards).not.toContain('iteratorAgeMsMax');
    const full = run(spmPolicy as Policy<unknown>, scenario, seed);
    const restricted = run(declaredOnly(spmPolicy, fields) as Policy<unknown>, scenario, seed);
    expect(full.log.length).toBeGreaterThan(0);
    expect(json(restricted.log)).toBe(json(full.log));
    expect(json(restricted.report)).toBe(json(full.report));
  });
});
