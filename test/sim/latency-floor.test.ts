import { describe, expect, it } from 'vitest';
import { policyByName } from '../../core/policies/index.js';
import { Simulation } from '../../sim/engine/engine.js';
import { profileByName } from '../../sim/profiles.js';
import { latencyFloorMs } from '../../sim/report/targets.js';
import { builtinScenarioNames, loadScenario } from '../../sim/scenario/load.js';

/**
 * The floor the target table uses to call a p99 ratio infeasible: no record finishes in less than half a
 * step (it arrives mid-step and waits for the next). Checked on short runs of every built-in scenario — the
 * first 35 minutes, so the sudden changes at minute 30 are in — with the policy doing the most (spm: shadows,
 * moves, splits) and the one doing nothing (static: the longest backlogs), and once on the `local` profile.
 */
const cases = builtinScenarioNames().flatMap((name) => [
  { name, policy: 'spm', profile: 'aws' as const, durationMin: 35 },
  { name, policy: 'static', profile: 'aws' as const, durationMin: 35 },
]);

describe('the latency floor', () => {
  it.each([...cases, { name: 'hot-shift', policy: 'spm', profile: 'local' as const, durationMin: 2 }])(
    '$name with $policy on $profile: no record finishes in less than half a step',
    ({ name, policy, profile, durationMin }) => {
      const scenario = { ...loadScenario(name), profile, durationMin };
      const sim = new Simulation({ scenario, seed: 1, policy: policyByName(policy) });
      sim.run();
      const floor = latencyFloorMs(profileByName(profile));
      expect(floor).toBe(profileByName(profile).stepMs / 2);
      expect(sim.stats.latency.records).toBeGreaterThan(0);
      expect(sim.stats.latency.min).toBeGreaterThanOrEqual(floor);
      // The p99 the report shows sits at or above the floor too (a bucket's upper edge, at most the max).
      expect(sim.stats.latency.quantile(0.99)).toBeGreaterThanOrEqual(floor);
    },
  );
});
