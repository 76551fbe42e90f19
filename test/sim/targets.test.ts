import { describe, expect, it } from 'vitest';
import type { PolicyReport } from '../../sim/report/report.js';
import { checkTargets } from '../../sim/report/targets.js';

function report(policy: string, overloadSeconds: number, p99: number, moves = 0, more: Partial<PolicyReport> = {}): PolicyReport {
  return {
    policy,
    label: policy,
    overloadSeconds,
    throttledRecords: 0,
    droppedRecords: 0,
    acceptedRecords: 1,
    latencyMs: { p50: 1, p99, max: p99 },
    maxIteratorAgeMs: 0,
    moves,
    splits: 0,
    merges: 0,
    shardCountUpdates: 0,
    shadows: 0,
    rejectedActions: 0,
    shadowOverheadPercent: 1,
    predictionMapePercent: 5,
    predictionsScored: 3,
    meanReplicationRate: 0.05,
    cost: { shardHours: 0, lambdaGbSeconds: 0, invocations: 0, shadowInvocations: 0, metricsRequested: 0, usd: { kinesis: 0, lambda: 0, cloudwatch: 0, total: 0 } },
    ...more,
  };
}

const met = (checks: ReturnType<typeof checkTargets>) => Object.fromEntries(checks.map((c) => [c.target, c.met]));

describe('issue #2 targets', () => {
  it.each([
    ['gradual', report('spm', 20, 400), true, true],
    ['gradual', report('spm', 21, 400), false, true],
    ['gradual', report('spm', 20, 401), true, false],
  ] as const)('on a %s scenario compare spm %j with the best baseline (100 s, p99 800 ms)', (category, spm, overloadMet, p99Met) => {
    const checks = met(checkTargets(category, [spm, report('kcl3-variance', 100, 800), report('static', 500, 100)]));
    expect(checks['overload-seconds <= 0.2 x best baseline']).toBe(overloadMet);
    expect(checks['p99 latency <= 0.5 x best baseline']).toBe(p99Met);
  });

  it('on a sudden scenario also counts moves against the best baseline', () => {
    const checks = met(checkTargets('sudden', [report('spm', 100, 800, 3), report('kcl3-variance', 100, 800, 2)]));
    expect(checks).toMatchObject({ 'overload-seconds <= best baseline': true, 'p99 latency <= best baseline': true, 'moves <= best baseline': false });
  });

  it('counts a run without scored predictions as missing the MAPE target', () => {
    const checks = met(checkTargets('sudden', [report('spm', 0, 1, 0, { predictionMapePercent: null, predictionsScored: 0 }), report('static', 5, 5)]));
    expect(checks['prediction MAPE <= 10 %']).toBe(false);
  });

  it('has nothing to check without an spm row', () => {
    expect(checkTargets('gradual', [report('static', 1, 1)])).toEqual([]);
  });
});
