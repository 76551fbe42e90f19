import { describe, expect, it } from 'vitest';
import { availablePolicies } from '../../core/policies/index.js';
import { runPolicy } from '../../sim/run.js';
import { builtinScenarioNames, loadScenario } from '../../sim/scenario/load.js';

/**
 * Every policy on every built-in scenario, cut to its first 35 minutes (the sudden changes happen at 30),
 * with a seed per scenario, checked by the invariant checker. A failure prints `reproduce: seed=N`.
 * SIM_SEED overrides the seed to replay a failure.
 */
const base = Number(process.env['SIM_SEED'] ?? 1);
const cases = builtinScenarioNames().flatMap((name, i) => availablePolicies().map((policy) => [name, policy, base + i] as const));

describe('seeded simulator runs', () => {
  it.each(cases)('%s with %s (seed %d) keeps every invariant', (name, policy, seed) => {
    const scenario = { ...loadScenario(name), durationMin: 35 };
    const run = runPolicy(scenario, policy, seed);
    if (run.violations.length > 0) console.error(`${run.violations.join('\n')}\nreproduce: seed=${seed} (SIM_SEED=${base}, scenario ${name}, policy ${policy})`);
    expect(run.violations).toEqual([]);
    expect(run.report.acceptedRecords).toBeGreaterThan(0);
  });
});
