import { describe, expect, it } from 'vitest';
import { BUILTINS, parseSoakOptions, SOAK_SCENARIO } from '../../local/soak-options.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { runPolicy } from '../../sim/run.js';

describe('npm run soak options', () => {
  it('plays the rotating hot spot by default, 30 minutes at a 2 % fault rate', () => {
    expect(parseSoakOptions([])).toEqual({ minutes: 30, seed: 1, rate: 0.02, policy: 'spm', scenario: SOAK_SCENARIO, out: 'out/soak-report.json', runsDir: 'out/soak-runs' });
  });

  it('keeps the built-in scenarios in turn behind --scenario builtins', () => {
    expect(parseSoakOptions(['--scenario', 'builtins']).scenario).toBe('builtins');
    expect(BUILTINS).toContain('hot-shift');
  });

  it('names the bad value and the range in one line', () => {
    expect(() => parseSoakOptions(['--minutes', '0'])).toThrow('--minutes must be a number between 1 and 1440 (given "0")');
  });

  it("the default scenario asks for several actions a run, not one (issue #9's 50 in 30 minutes)", () => {
    const { report, violations } = runPolicy(loadScenario(SOAK_SCENARIO), 'spm', 1);
    expect(violations).toEqual([]);
    expect(report.moves + report.splits).toBeGreaterThanOrEqual(4);
  });
});
