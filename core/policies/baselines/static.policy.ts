import { DISPATCHER_ON_CLOUDWATCH, type Deployment } from '../deployment.js';
import type { Policy } from '../policy.js';

/**
 * `static` — re-implementation of plain Lambda event source mapping behaviour: shards stay where they
 * were placed and the stream is never resharded. The floor every other policy is measured against.
 */
export const staticPolicy: Policy<Record<string, never>> = {
  name: 'static',
  label: 'static (re-implementation: no rebalancing, the worker pool as first placed, behind the dispatcher)',
  deployment: { ...DISPATCHER_ON_CLOUDWATCH, decisionFunction: false, metricsPerDecision: () => 0 } satisfies Deployment,
  initialState: () => ({}),
  decide: (_view, _config, state) => ({ actions: [], events: [], nextState: state }),
};
