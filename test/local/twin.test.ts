import { describe, expect, it } from 'vitest';
import { planRun } from '../../local/run-plan.js';
import { nominalCostMs, TelemetryTap } from '../../local/telemetry-tap.js';
import { measuredOverhead } from '../../local/report.js';
import { compareWithTwin, firstActionScenarioSec, runTwin, twinProfile, twinScenario, type TwinFigures } from '../../local/twin.js';
import { curveAt } from '../../sim/scenario/curves.js';

const plan = planRun({ policy: 'spm' });

describe('the twin of a local run (the simulator playing the same world in scenario time)', () => {
  it('carries as many records per scenario second as the local run, each at its local cost plus the measured overhead', () => {
    // quick-start: 30 scenario minutes in 120 wall s (×15), peak 840 records/s scaled to 100 (×0.119).
    expect(plan.timeScale).toBe(15);
    const s = twinScenario(plan, 1800, { msPerRecord: 0.5, meanSpeed: 2 });
    const f = plan.rateScale / plan.timeScale;
    expect(curveAt(s.shards.rate, 0)).toBeCloseTo(120 * f, 9);
    expect(curveAt(s.shards.overrides[0]!.rate!, 23 * 60_000)).toBeCloseTo(480 * f, 9);
    // 2.5 ms at speed 1 in the scenario → 2.5 / 0.119 wall ms locally → × 15 scenario ms, plus 0.5 wall ms at speed 2.
    expect(curveAt(s.shards.cost, 0)).toBeCloseTo((2.5 / plan.rateScale + 0.5 * 2) * 15, 6);
    expect(s.durationMin).toBe(30);
    expect(twinScenario(plan, 600).durationMin).toBe(10);
  });

  it('reads metrics at the local period (at least 5 wall s) and steps once per wall second', () => {
    const p = twinProfile(plan);
    expect(p).toMatchObject({ stepMs: 15_000, metricPeriodMs: 75_000, overloadIteratorAgeMs: 75_000, metricDelayMs: 120_000, tickIntervalMs: 60_000 });
  });

  it('relieves the quick-start hot shard with the spm policy and acts on no other shard', () => {
    const twin = runTwin(plan, 1800, { msPerRecord: 0.5, meanSpeed: 1.5 });
    expect(Object.keys(twin.firstActionScenarioSec)).toEqual(['shardId-000000000000']);
    expect(twin.overloadSeconds).toBe(0);
    expect(twin.tickSec).toBe(60);
  });
});

describe('local figures against the twin', () => {
  const twin: TwinFigures = { overloadSeconds: 200, throttledRecords: 0, moves: 1, splits: 0, shadows: 3, predictionMapePercent: 4, firstActionScenarioSec: { 'shardId-000000000000': 600 }, firstOverloadScenarioSec: {}, tickSec: 60 };
  const local = { overloadSeconds: 240, throttledRecords: 0, moves: 1, splits: 0, shadows: 4, predictionMapePercent: 5, firstActionScenarioSec: { 'shardId-000000000000': 700 } };
  const verdicts = (l: typeof local): Record<string, boolean | null> => Object.fromEntries(compareWithTwin(l, twin).map((c) => [c.what, c.agree]));

  it('agree within ±25 % or ±60 s of overload, on the same shards, first action within 2 ticks', () => {
    expect(verdicts(local)).toMatchObject({ 'overload s': true, 'shards moved or split': true, 'first action on 000000000000, s': true, 'throttled records': null });
  });

  it.each([
    ['overload s', { ...local, overloadSeconds: 300 }],
    ['shards moved or split', { ...local, firstActionScenarioSec: { 'shardId-000000000000': 600, 'shardId-000000000001': 900 } }],
    ['first action on 000000000000, s', { ...local, firstActionScenarioSec: { 'shardId-000000000000': 721 } }],
  ])('disagree on %s beyond the tolerance', (what, l) => {
    expect(verdicts(l)[what]).toBe(false);
  });

  it('takes a local run first actions from its timeline (applied moves and splits only)', () => {
    const timeline = [
      { kind: 'create-shadow', shardId: 'a', scenarioSec: 10, applied: true },
      { kind: 'move', shardId: 'a', scenarioSec: 20, applied: false },
      { kind: 'move', shardId: 'a', scenarioSec: 30, applied: true },
      { kind: 'split', shardId: 'a', scenarioSec: 40, applied: true },
    ];
    expect(firstActionScenarioSec(timeline)).toEqual({ a: 30 });
  });
});

describe('the overhead fed to the twin, measured', () => {
  it('reads the cost the load generator wrote into a record', () => {
    expect(nominalCostMs(Buffer.from('{"v":12,"costMs":21.005,"p":"....."}').toString('base64'))).toBe(21.005);
    expect(nominalCostMs(Buffer.from('not ours').toString('base64'))).toBe(0);
  });

  it('is the owners busy time beyond the records cost at their speed, per record', () => {
    const tap = new TelemetryTap();
    tap.workers.set('std-1', { primaryBusyMs: 1100, primaryApplied: 100, primaryNominalMs: 1000, shadowBusyMs: 0, shadowRecords: 0, invocations: 1, errors: 0, running: 0 });
    tap.workers.set('fast-1', { primaryBusyMs: 600, primaryApplied: 100, primaryNominalMs: 1000, shadowBusyMs: 0, shadowRecords: 0, invocations: 1, errors: 0, running: 0 });
    // std: 1100 − 1000 = 100 ms; fast (speed 2): 600 − 500 = 100 ms; 200 ms over 200 records.
    expect(measuredOverhead(plan, tap)).toEqual({ msPerRecord: 1, meanSpeed: 1.5 });
  });

  it('leaves out a worker the scenario slows down (its extra time is the slowdown, which the twin plays)', () => {
    // worker-degrades slows the medium class (speed 1) three times from minute 30.
    const degrades = planRun({ policy: 'spm', scenario: 'worker-degrades' });
    const tap = new TelemetryTap();
    const counters = (busy: number) => ({ primaryBusyMs: busy, primaryApplied: 100, primaryNominalMs: 1000, shadowBusyMs: 0, shadowRecords: 0, invocations: 1, errors: 0, running: 0 });
    tap.workers.set('medium-1', counters(3000));
    tap.workers.set('large-1', counters(1000 / 2 + 50));
    expect(measuredOverhead(degrades, tap).msPerRecord).toBeCloseTo(0.5, 9);
  });
});
