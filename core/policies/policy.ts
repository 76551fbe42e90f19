import type { ForeshadowConfig } from '../config/index.js';
import type { ClusterView } from '../model/cluster-view.js';
import type { Decision } from '../model/decision.js';
import type { MetricFields } from '../model/metrics.js';
import type { Deployment } from './deployment.js';

/** Policies a Foreshadow deployment can run in its SPM function (the infra configuration offers these). */
export const POLICY_NAMES = ['spm', 'static', 'reactive-threshold', 'kcl3-variance', 'alarm-autoscaler'] as const;

/**
 * What a Kinesis + Lambda user runs instead of Foreshadow (ANCHORS.md): a mapping setting, a stream mode and
 * a splitter. The simulator compares them; Foreshadow's SPM function does not run them.
 */
export const ALTERNATIVE_NAMES = ['parallelization-factor', 'on-demand', 'reactive-split'] as const;

/** Every policy the simulator compares, in report order. */
export const ALL_POLICY_NAMES = [...POLICY_NAMES, ...ALTERNATIVE_NAMES] as const;
export type PolicyName = (typeof ALL_POLICY_NAMES)[number];

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
  /** What it runs on (data path, data plane, capacity mode, lanes); absent = Foreshadow's own (`FORESHADOW_DEPLOYMENT`). */
  readonly deployment?: Deployment;
  initialState(): S;
  decide(view: ClusterView, config: ForeshadowConfig, state: S): Decision<S>;
}
