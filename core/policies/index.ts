import type { Policy, PolicyName } from './policy.js';
import { POLICY_NAMES } from './policy.js';
import { ValidationError } from '../errors.js';
import { alarmAutoscalerPolicy } from './baselines/alarm-autoscaler.policy.js';
import { kcl3VariancePolicy } from './baselines/kcl3-variance.policy.js';
import { reactiveThresholdPolicy } from './baselines/reactive-threshold.policy.js';
import { staticPolicy } from './baselines/static.policy.js';
import { spmPolicy } from './spm/spm.policy.js';

export * from './policy.js';

const registry: Partial<Record<PolicyName, Policy<unknown>>> = {
  spm: spmPolicy as Policy<unknown>,
  static: staticPolicy as Policy<unknown>,
  'reactive-threshold': reactiveThresholdPolicy as Policy<unknown>,
  'kcl3-variance': kcl3VariancePolicy as Policy<unknown>,
  'alarm-autoscaler': alarmAutoscalerPolicy as Policy<unknown>,
};

/** Looks a policy up by name; an unknown name is a ValidationError listing the allowed ones. */
export function policyByName(name: string, field = 'policy'): Policy<unknown> {
  const policy = (registry as Record<string, Policy<unknown> | undefined>)[name];
  if (!policy) throw new ValidationError(field, `one of ${availablePolicies().join(', ')}`, name);
  return policy;
}

export function availablePolicies(): PolicyName[] {
  return POLICY_NAMES.filter((n) => registry[n] !== undefined);
}
