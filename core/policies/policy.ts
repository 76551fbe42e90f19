import type { ForeshadowConfig } from '../config/index.js';
import type { ClusterView } from '../model/cluster-view.js';
import type { Decision } from '../model/decision.js';
import type { MetricFields } from '../model/metrics.js';

export const POLICY_NAMES = ['spm', 'static', 'reactive-threshold', 'kcl3-variance', 'alarm-autoscaler'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/**
 * One rebalancing policy. The SPM and every baseline implement this, so the simulator, the local runtime
 * and the SPM Lambda compare them like for like. `decide` is pure: same view, config and state give the
 * same decision, byte for byte. State must survive `JSON.stringify`/`JSON.parse` (the SPM Lambda keeps it
 * in DynamoDB between ticks), so it holds no bigint, Map or class instance.
 */
export interface Policy<S = unknown> {
  readonly name: PolicyName;
  /** One line for reports; baselines say they are re-implementations and of what. */
  readonly label: string;
  /** The metric fields `decide` reads; the SPM tick reads only these. @default every field */
  readonly metricFields?: MetricFields;
  initialState(): S;
  decide(view: ClusterView, config: ForeshadowConfig, state: S): Decision<S>;
}
