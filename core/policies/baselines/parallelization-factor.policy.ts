import type { Deployment } from '../deployment.js';
import type { Policy } from '../policy.js';

/**
 * `parallelization-factor` — re-implementation of what a Lambda user does first about a slow shard: raise the
 * event source mapping's `ParallelizationFactor` (ANCHORS.md, "What a Kinesis + Lambda user does without
 * Foreshadow"; Lambda developer guide, Kinesis event source mapping). Up to N (1-10, default here 10)
 * batches of one shard run at once, order kept per partition key: records go to lanes by partition key, so a
 * hot key stays in one lane and its shard speeds up by at most 1 / (the busiest lane's share of the work).
 *
 * Deployment: a plain mapping on one function, no dispatcher, no placement, no metadata, no metric reads,
 * nothing scheduled. The function is the scenario's fastest worker class: the careful choice, since CPU-bound
 * GB-seconds per record are about flat across memory sizes (faster costs the same per record) and
 * concurrency is elastic, so no slot limit applies. The setting is static: `decide` never acts.
 */
export const parallelizationFactorPolicy: Policy<Record<string, never>> = {
  name: 'parallelization-factor',
  label: 'parallelization-factor (re-implementation: plain Lambda ESM with ParallelizationFactor N, per-key lanes, fastest class)',
  deployment: {
    dataPath: 'cloudwatch',
    dataPlane: 'plain-esm',
    capacityMode: 'provisioned',
    decisionFunction: false,
    metricsPerDecision: () => 0,
    lanesPerShard: (config) => config.baselines.parallelizationFactor.factor,
  } satisfies Deployment,
  initialState: () => ({}),
  decide: (_view, _config, state) => ({ actions: [], events: [], nextState: state }),
};
