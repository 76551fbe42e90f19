import type { Policy, PolicyName } from './policy.js';
import { POLICY_NAMES } from './policy.js';
import { ValidationError } from '../errors.js';
import { staticPolicy } from './baselines/static.policy.js';
import { spmPolicy } from './spm/spm.policy.js';

export * from './policy.js';

const registry: Partial<Record<PolicyName, Policy<unknown>>> = {
  spm: spmPolicy as Policy<unknown>,
  static: staticPolicy as Policy<unknown>,
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
