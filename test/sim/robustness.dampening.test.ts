import { describe, expect, it } from 'vitest';
import { dampeningRow } from '../../sim/robustness.dampening.js';
import { runPolicy } from '../../sim/run.js';
import { scenarioConfig } from '../../sim/scenario/load.js';
import { scenario } from './factories.js';

describe('the robustness sweep\u2019s KCL dampening variant', () => {
  const skewed = scenario({
    durationMin: 12,
    shards: { count: 6, rate: { kind: 'constant', value: 300 }, cost: { kind: 'constant', value: 1 }, overrides: [{ shard: 0, rate: { kind: 'constant', value: 600 } }] },
  });

  it('runs kcl3-variance at the dampening it names (the reason of each move quotes it)', () => {
    const at80 = runPolicy(skewed, 'kcl3-variance', 1, scenarioConfig(skewed, { baselines: { kcl3Variance: { dampeningPercent: 80 } } }));
    const reasons = at80.log.flatMap((e) => (e.kind === 'event' && e.event.type === 'hold' ? [e.event.reason] : e.kind === 'action' ? [e.action.reason] : []));
    expect(reasons.some((r) => r.includes('× 80 %'))).toBe(true);
    expect(reasons.some((r) => r.includes('× 60 %'))).toBe(false);
  });

  it('prints one row of medians at 60 and 80', () => {
    expect(dampeningRow('skewed', skewed, [1, 2])).toMatch(/^\| skewed \| \d+ \/ \d+ \| \d+ \/ \d+ \| \d+\.\d{3} \/ \d+\.\d{3} \|$/);
  });
});
