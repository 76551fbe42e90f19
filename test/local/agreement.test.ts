import { describe, expect, it } from 'vitest';
import { awsSide, relievedInTime, type AgreementRow } from '../../local/agreement.js';
import { twinSectionLines } from '../../sim/twin-section.js';

describe('npm run twin: the verdict "relieved before overload"', () => {
  it.each([
    [{}, {}, true],
    [{ a: 100 }, {}, true],
    [{ a: 100 }, { a: 200 }, true],
    [{ a: 200 }, { a: 200 }, false],
    [{ a: 100 }, { a: 200, b: 300 }, false],
  ])('actions %j, overloads %j: %s', (actions, overloads, inTime) => {
    expect(relievedInTime(actions, overloads)).toBe(inTime);
  });

  it('is "in time" for spm on hot-shift on the aws profile, the documented result', () => {
    const aws = awsSide('hot-shift', 'spm', 1);
    expect(aws).toMatchObject({ overloadSeconds: 0, relievedInTime: true });
    expect(Object.keys(aws.firstActionScenarioSec)).toContain('shardId-000000000002');
  });

  it('renders one row per scenario with the three sides and the disagreements named', () => {
    const side = (overloadSeconds: number, first: Record<string, number>, over: Record<string, number>, inTime: boolean) => ({ overloadSeconds, firstActionScenarioSec: first, firstOverloadScenarioSec: over, relievedInTime: inTime });
    const row: AgreementRow = {
      scenario: 'hot-shift',
      category: 'gradual',
      wallSec: 130.2,
      timeScale: 60,
      rateScale: 0.05,
      overheadMsPerRecord: 0.6,
      ledgerOk: true,
      local: side(3345, { 'shardId-000000000002': 4014 }, { 'shardId-000000000002': 2274 }, false),
      twin: side(0, { 'shardId-000000000002': 1800 }, {}, true),
      aws: side(0, { 'shardId-000000000002': 1500 }, {}, true),
      checks: [{ what: 'overload s', local: '3345', twin: '0', agree: false }],
      agreesWithTwin: false,
      sameVerdictAsAws: false,
    };
    const text = twinSectionLines({ options: { scenarios: ['hot-shift'], policy: 'spm', seed: 1 }, rows: [row] }, 'docs/twin-summary.json').join('\n');
    expect(text).toContain('npm run twin -- --scenarios hot-shift --policy spm --seed 1 --out docs/twin-summary.json');
    expect(text).toContain('Local runs agree with their twin on 0 of 1 scenarios within the tolerance, and on the verdict on 0 of 1; with the `aws` simulator\'s verdict on 0 of 1.');
    expect(text).toContain('| hot-shift | 130.2 | 60 | 0.05 | 0.6 | 3345 / 0 / 0 | 2@4014 | 2@1800 | 2@1500 | 2@2274 | none | none | **late** / in time / in time | **no**: overload s 3345 vs 0 | OK |');
  });
});
