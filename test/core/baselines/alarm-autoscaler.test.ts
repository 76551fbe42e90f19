import { describe, expect, it } from 'vitest';
import { alarmAutoscalerPolicy, type AlarmAutoscalerState } from '../../../core/policies/baselines/alarm-autoscaler.policy.js';
import type { ClusterView, StreamStatus } from '../../../core/model/cluster-view.js';
import type { Decision } from '../../../core/model/decision.js';
import type { ForeshadowConfig } from '../../../core/config/index.js';
import { MIB, clusterView, configWith, partition, shardPoint, worker } from './factories.js';

const MINUTE = 60_000;

interface Minute {
  /** Stream utilization this minute would have on its own (bytes-based). */
  readonly utilization: number;
  readonly iteratorAgeMs?: number;
}

/**
 * A stream of `shards` shards with one 1-min point per shard per minute. The view at minute m carries the
 * last 10 minutes of points (overlapping from tick to tick, as a real metrics window does).
 */
function streamViews(minutes: readonly Minute[], shards = 2, status: (m: number) => StreamStatus = () => 'ACTIVE'): ClusterView[] {
  const ids = Array.from({ length: shards }, (_, i) => `s${i}`);
  const pointsAt = (m: number) =>
    shardPoint({
      atMs: m * MINUTE,
      periodMs: MINUTE,
      incomingBytes: minutes[m]!.utilization * MIB * 60,
      incomingRecords: 10,
      iteratorAgeMsMax: minutes[m]!.iteratorAgeMs ?? 0,
    });
  return minutes.map((_, m) =>
    clusterView({
      nowMs: (m + 1) * MINUTE,
      streamStatus: status(m),
      workers: [worker('w1')],
      partitions: ids.map((id) => partition(id, 'w1')),
      shardMetrics: Object.fromEntries(ids.map((id) => [id, Array.from({ length: Math.min(10, m + 1) }, (_, k) => pointsAt(m - Math.min(9, m) + k))])),
    }),
  );
}

function run(views: readonly ClusterView[], config: ForeshadowConfig = configWith()): Decision<AlarmAutoscalerState>[] {
  const out: Decision<AlarmAutoscalerState>[] = [];
  let state = alarmAutoscalerPolicy.initialState();
  for (const view of views) {
    const d = alarmAutoscalerPolicy.decide(view, config, state);
    out.push(d);
    state = JSON.parse(JSON.stringify(d.nextState)) as AlarmAutoscalerState;
  }
  return out;
}

/** `periods` 5-minute periods at the given utilizations, minute by minute. */
const periodsOf = (...utilizations: number[]): Minute[] => utilizations.flatMap((u) => Array.from({ length: 5 }, () => ({ utilization: u })));
const firstActionAt = (decisions: readonly Decision<unknown>[]) => decisions.findIndex((d) => d.actions.length > 0);

describe('alarm-autoscaler (re-implementation of aws-samples/kinesis-auto-scaling)', () => {
  it('scales up ×2 once 5 of 5 five-minute periods reach 0.75, and not a period earlier', () => {
    const decisions = run(streamViews(periodsOf(0.8, 0.8, 0.8, 0.8, 0.8)));
    // The 5th period [20, 25) min closes with the point starting at minute 24, i.e. on the 25th tick (index 24).
    expect(firstActionAt(decisions)).toBe(24);
    expect(decisions[24]!.actions).toEqual([expect.objectContaining({ type: 'update-shard-count', targetShardCount: 4 })]);
  });

  it('does not scale up when one of the last 5 periods is below 0.75', () => {
    const decisions = run(streamViews(periodsOf(0.8, 0.8, 0.7, 0.8, 0.8, 0.8)));
    expect(decisions.flatMap((d) => d.actions)).toEqual([]);
    expect(decisions.at(-1)!.events[0]!).toMatchObject({ type: 'hold', reason: expect.stringMatching(/4 of 5 ≥ 0\.75/) });
  });

  it('averages a period over its minutes: a 1-min spike does not make a breaching period', () => {
    const minutes = periodsOf(0.8, 0.8, 0.8, 0.8, 0.5).map((m, i) => (i === 22 ? { utilization: 2 } : m));
    // Period 5: (0.5·4 + 2)/5 = 0.8 ≥ 0.75 does breach; with 1.5 it would be 0.7 and not.
    expect(firstActionAt(run(streamViews(minutes)))).toBe(24);
    const milder = minutes.map((m, i) => (i === 22 ? { utilization: 1.5 } : m));
    expect(firstActionAt(run(streamViews(milder)))).toBe(-1);
  });

  it('scales down ÷2 only after 57 of the last 60 periods are below 0.25', () => {
    const scaleDownAfter = (utilizations: number[]) => firstActionAt(run(streamViews(periodsOf(...utilizations), 4)));
    const low = (n: number) => Array.from({ length: n }, () => 0.1);
    // 3 busy periods then 57 quiet ones: fires when the 60th period closes (tick index 299).
    expect(scaleDownAfter([0.5, 0.5, 0.5, ...low(57)])).toBe(299);
    // 4 busy periods among the last 60: only 56 quiet, never fires.
    expect(scaleDownAfter([0.5, 0.5, 0.5, 0.5, ...low(56)])).toBe(-1);
    const decisions = run(streamViews(periodsOf(0.5, 0.5, 0.5, ...low(57)), 4));
    expect(decisions[299]!.actions).toEqual([expect.objectContaining({ type: 'update-shard-count', targetShardCount: 2 })]);
  });

  it('does not scale down while the iterator age shows a 30-minute backlog', () => {
    const minutes = periodsOf(...Array.from({ length: 60 }, () => 0.1)).map((m) => ({ ...m, iteratorAgeMs: 30 * MINUTE }));
    expect(run(streamViews(minutes, 4)).flatMap((d) => d.actions)).toEqual([]);
  });

  it('never scales while the stream is not ACTIVE, and retries once it is', () => {
    const minutes = periodsOf(0.9, 0.9, 0.9, 0.9, 0.9, 0.9);
    const decisions = run(streamViews(minutes, 2, (m) => (m < 27 ? 'UPDATING' : 'ACTIVE')));
    expect(firstActionAt(decisions)).toBe(27);
    expect(decisions[24]!.events[0]!).toMatchObject({ reason: expect.stringMatching(/stream is UPDATING/) });
  });

  it('respects the UpdateShardCount quota: at most 10 calls in any rolling 24 h, the 11th after the first ages out', () => {
    // A stream stuck at 2 shards at utilization 0.9 (the caller never applies the scale): the alarm holds every tick.
    const day = 1440;
    const views = streamViews(Array.from({ length: day + 40 }, () => ({ utilization: 0.9 })));
    const decisions = run(views);
    const callTicks = decisions.flatMap((d, i) => (d.actions.length > 0 ? [i] : []));
    expect(callTicks.slice(0, 10)).toEqual([24, 25, 26, 27, 28, 29, 30, 31, 32, 33]);
    expect(callTicks[10]).toBe(24 + day); // the first call (at 25 min) leaves the window 24 h later
    for (const t of callTicks) expect(callTicks.filter((u) => u > t - day && u <= t).length).toBeLessThanOrEqual(10);
    expect(decisions[40]!.events[0]!).toMatchObject({ reason: expect.stringMatching(/10 UpdateShardCount calls .* reach the limit of 10/) });
  });

  it.each([
    ['up', 300, 0.9, { maxShardCount: 400 }, 400],
    ['up', 300, 0.9, { maxShardCount: 300 }, 'hold'],
    ['down', 3, 0.1, {}, 2], // ÷2 rounds up: UpdateShardCount refuses less than half
    ['down', 1, 0.1, {}, 'hold'],
  ] as const)('scales %s from %i shards (utilization %s, bounds %j): %s', (_dir, shards, utilization, bounds, target) => {
    const config = configWith({ baselines: { alarmAutoscaler: { scaleUpPoints: 1, scaleUpWindowPoints: 1, scaleDownPoints: 1, scaleDownWindowPoints: 1, ...bounds } } });
    const decisions = run(streamViews(periodsOf(utilization), shards), config);
    expect(decisions[4]!.actions).toEqual(target === 'hold' ? [] : [expect.objectContaining({ targetShardCount: target })]);
  });

  it('never moves a shard between workers', () => {
    const decisions = run(streamViews(periodsOf(0.9, 0.9, 0.9, 0.9, 0.9, 0.1, 0.9)));
    expect(decisions.flatMap((d) => d.actions).every((a) => a.type === 'update-shard-count')).toBe(true);
  });
});
