import type { Policy, PolicyName } from './policy.js';
import { ALL_POLICY_NAMES } from './policy.js';
import { ValidationError } from '../errors.js';
import { alarmAutoscalerPolicy } from './baselines/alarm-autoscaler.policy.js';
import { kcl3VariancePolicy } from './baselines/kcl3-variance.policy.js';
import { onDemandPolicy } from './baselines/on-demand.policy.js';
import { parallelizationFactorPolicy } from './baselines/parallelization-factor.policy.js';
import { reactiveSplitPolicy } from './baselines/reactive-split.policy.js';
import { reactiveThresholdPolicy } from './baselines/reactive-threshold.policy.js';
import { staticPolicy } from './baselines/static.policy.js';
import { FORESHADOW_DEPLOYMENT, type Deployment } from './deployment.js';
import { spmPolicy } from './spm/spm.policy.js';

export * from './policy.js';
export * from './deployment.js';

const registry: Partial<Record<PolicyName, Policy<unknown>>> = {
  spm: spmPolicy as Policy<unknown>,
  static: staticPolicy as Policy<unknown>,
  'reactive-threshold': reactiveThresholdPolicy as Policy<unknown>,
  'kcl3-variance': kcl3VariancePolicy as Policy<unknown>,
  'alarm-autoscaler': alarmAutoscalerPolicy as Policy<unknown>,
  'parallelization-factor': parallelizationFactorPolicy as Policy<unknown>,
  'on-demand': onDemandPolicy as Policy<unknown>,
  'reactive-split': reactiveSplitPolicy as Policy<unknown>,
};

/** Looks a policy up by name; an unknown name is a ValidationError listing the allowed ones. */
export function policyByName(name: string, field = 'policy'): Policy<unknown> {
  const policy = (registry as Record<string, Policy<unknown> | undefined>)[name];
  if (!policy) throw new ValidationError(field, `one of ${availablePolicies().join(', ')}`, name);
  return policy;
}

/** Every registered policy, in report order (Foreshadow's own and its baselines, then a user's alternatives). */
export function availablePolicies(): PolicyName[] {
  return ALL_POLICY_NAMES.filter((n) => registry[n] !== undefined);
}

/** What a policy runs on; Foreshadow as deployed (FORESHADOW_DEPLOYMENT) when it does not say. */
export function deploymentOf(policy: Pick<Policy<unknown>, 'deployment'>): Deployment {
  return policy.deployment ?? FORESHADOW_DEPLOYMENT;
}
