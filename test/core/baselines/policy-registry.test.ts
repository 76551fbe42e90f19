import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../core/errors.js';
import { ALL_POLICY_NAMES, POLICY_NAMES, availablePolicies, policyByName } from '../../../core/policies/index.js';

describe('the policy registry', () => {
  it.each(['reactive-threshold', 'kcl3-variance', 'alarm-autoscaler', 'static', 'parallelization-factor', 'on-demand', 'reactive-split'])('registers the %s baseline, labelled as a re-implementation', (name) => {
    const policy = policyByName(name);
    expect(policy.name).toBe(name);
    expect(policy.label).toMatch(/re-implementation/);
  });

  it('offers every policy name it knows: the SPM function policies, then the alternatives a user runs instead', () => {
    expect(availablePolicies()).toEqual([...POLICY_NAMES, 'parallelization-factor', 'on-demand', 'reactive-split']);
  });

  it('rejects an unknown name with a message listing the allowed ones', () => {
    expect(() => policyByName('kcl4', 'config.policy')).toThrow(ValidationError);
    expect(() => policyByName('kcl4', 'config.policy')).toThrow(
      'config.policy must be one of spm, static, reactive-threshold, kcl3-variance, alarm-autoscaler, parallelization-factor, on-demand, reactive-split (given "kcl4")',
    );
  });

  it('hands out initial states that survive JSON', () => {
    for (const name of ALL_POLICY_NAMES) {
      const state = policyByName(name).initialState();
      expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    }
  });
});
