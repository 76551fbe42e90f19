import { describe, expect, it } from 'vitest';
import { SPM_TICK_UNITS_PER_SHARD } from '../../core/policies/deployment.js';
import { policyByName } from '../../core/policies/index.js';
import { Simulation } from '../../sim/engine/engine.js';
import { summarize } from '../../sim/report/report.js';
import { PRICES } from '../../sim/report/prices.js';
import { scenario } from './factories.js';

function run(policy: string) {
  // Merges off: these calm shards would otherwise merge, and the test counts per-shard units of 4 shards.
  const sim = new Simulation({ scenario: scenario({ durationMin: 10, config: { spm: { mergeIngestFraction: 0 } } }), seed: 1, policy: policyByName(policy) });
  sim.run();
  return { sim, report: summarize(sim, policyByName(policy)) };
}

describe('the decision path\u2019s own DynamoDB tables are priced', () => {
  it('an SPM tick pays the measured metadata reads and writes per open shard', () => {
    const { sim, report } = run('spm');
    // 4 shards, no split or merge: every tick reads and writes for 4 shards.
    expect(sim.stats.decisionReadUnits).toBeCloseTo(sim.stats.ticks * 4 * SPM_TICK_UNITS_PER_SHARD.readUnits, 6);
    expect(sim.stats.decisionWriteUnits).toBeCloseTo(sim.stats.ticks * 4 * SPM_TICK_UNITS_PER_SHARD.writeUnits, 6);
    const tableUsd = (sim.stats.decisionReadUnits / 1e6) * PRICES.dynamoReadUnitsPerMillion + (sim.stats.decisionWriteUnits / 1e6) * PRICES.dynamoWriteUnitsPerMillion;
    expect(tableUsd).toBeGreaterThan(0);
    expect(report.cost.usd.dynamodb).toBeGreaterThanOrEqual(tableUsd);
  });

  it('KCL pays its lease table; a policy without a decision function or table pays none', () => {
    expect(run('kcl3-variance').sim.stats.decisionWriteUnits).toBeGreaterThan(0);
    expect(run('static').sim.stats.decisionReadUnits).toBe(0);
    expect(run('reactive-split').sim.stats.decisionReadUnits).toBe(0);
  });
});
