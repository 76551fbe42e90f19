import { describe, expect, it } from 'vitest';
import type { Action, CreateShadowAction, MoveAction, SplitAction } from '../../../core/model/actions.js';
import type { ClusterView } from '../../../core/model/cluster-view.js';
import type { DecisionEvent } from '../../../core/model/decision.js';
import { spmPolicy } from '../../../core/policies/spm/spm.policy.js';
import type { SpmState } from '../../../core/policies/spm/spm.policy.js';
import { config, flat, metrics, NOW_MS, partition, PERIOD_MS, shadow, stats, uniformHistogram, view, worker } from './factories.js';

const cfg = config();
const decide = (v: ClusterView, state: SpmState = spmPolicy.initialState(), c = cfg) => spmPolicy.decide(v, c, state);
const ofType = <T extends Action['type']>(actions: readonly Action[], type: T) => actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);
const holds = (events: readonly DecisionEvent[]) => events.flatMap((e) => (e.type === 'hold' ? [e.reason] : []));

/** w1 (2 slots) owns hot s0; w2 (4 slots) is idle; w3 (4 slots) carries s1 at 0.5. */
function hotCluster(u0: number, extra: Partial<ClusterView> = {}, rps = 500): ClusterView {
  return view({
    workers: [worker('w1', { slots: 2 }), worker('w2'), worker('w3')],
    partitions: [partition('s0', 'w1'), partition('s1', 'w3')],
    shardMetrics: { s0: metrics(flat(u0), rps), s1: metrics(flat(0.5)) },
    ...extra,
  });
}

/** The shadow of s0 on w2 measured 0.8 ms/record: 0.4 of a slot at 500 records/s. */
const s0OnW2 = shadow('s0', 'w2');
const measuredOnW2 = stats(s0OnW2, 600, 0.8);

describe('spm: monitoring and shadow creation', () => {
  it('shadows a shard whose forecast crosses the hot threshold on the roomiest worker other than its owner', () => {
    const d = decide(
      view({
        workers: [worker('w1', { slots: 10 }), worker('w2', { speed: 2 }), worker('w3', { speed: 2 })],
        partitions: [partition('s0', 'w1'), partition('s1', 'w3')],
        shardMetrics: { s0: metrics([0.5, 0.52, 0.54, 0.56, 0.58]), s1: metrics(flat(0.5)) },
      }),
    );
    const [create] = ofType(d.actions, 'create-shadow');
    expect(create).toMatchObject({ shardId: 's0', workerId: 'w2', kind: 'forward', shadowId: 's0@w2' });
    expect(d.events.some((e) => e.type === 'hot-detected' && e.shardId === 's0')).toBe(true);
    expect(create?.reason).toMatch(/largest predicted capacity/);
  });

  it('sizes the initial rate from the sample-size formula: 1537 samples (CV 1, ±5 %) over 120 s at 500 records/s', () => {
    const [create] = ofType(decide(hotCluster(0.7)).actions, 'create-shadow');
    expect(create?.rate).toBeCloseTo(1537 / 60_000, 6);
  });

  it('leaves a cool shard alone', () => {
    expect(decide(hotCluster(0.3)).actions).toEqual([]);
  });

  it('needs hotTicks ticks above the threshold when the forecast does not cross it', () => {
    // Falling load: 0.70 now, but the trend takes the 3-minute forecast to 0.55, below the threshold.
    const v = hotCluster(0, { shardMetrics: { s0: metrics([0.85, 0.8, 0.75, 0.7], 500, { delayMs: 0 }), s1: metrics(flat(0.5)) } });
    const c = config({ spm: { hotTicks: 2, horizonMs: 180_000 } });
    const first = decide(v, undefined, c);
    expect(ofType(first.actions, 'create-shadow')).toEqual([]);
    const second = decide({ ...v, nowMs: v.nowMs + PERIOD_MS }, first.nextState, c);
    expect(ofType(second.actions, 'create-shadow').map((a) => a.shardId)).toEqual(['s0']);
  });

  it('caps a new shadow\u2019s rate at the shadow overhead budget, and holds when not even the lowest rate fits', () => {
    // Owners busy 0.7 + 0.5 = 1.2 of a slot; at 1 % that is 0.012, and s0's shadow costs 0.7 per unit of rate.
    const capped = ofType(decide(hotCluster(0.7), undefined, config({ spm: { replication: { maxOverheadFraction: 0.01 } } })).actions, 'create-shadow')[0];
    expect(capped?.rate).toBeCloseTo(0.012 / 0.7, 9);
    expect(capped?.reason).toMatch(/capped at r=1\.7 % by the shadow overhead budget \(1\.0 % of the owners' busy time\)/);
    // At 0.5 %: 0.006 / 0.7 = 0.86 %, below the lowest rate (1 %).
    const none = decide(hotCluster(0.7), undefined, config({ spm: { replication: { maxOverheadFraction: 0.005 } } }));
    expect(ofType(none.actions, 'create-shadow')).toEqual([]);
    expect(holds(none.events)).toContain("shard s0 is hot but the shadow overhead budget (0.5 % of the owners' busy time) leaves less than the lowest rate 1.0 % for it");
    // A shard at risk of overload (0.95 ≥ 0.85) is measured at the rate it needs, budget or not.
    const atRisk = ofType(decide(hotCluster(0.95), undefined, config({ spm: { replication: { maxOverheadFraction: 0.005 } } })).actions, 'create-shadow')[0];
    expect(atRisk?.rate).toBeCloseTo(1537 / 60_000, 6);
  });

  it('holds when the shadow budget is spent', () => {
    const other = shadow('s1', 'w2');
    const d = decide(hotCluster(0.7, { shadows: [other] }), undefined, config({ spm: { maxShadows: 1 } }));
    expect(ofType(d.actions, 'create-shadow')).toEqual([]);
    expect(holds(d.events).some((r) => r.includes('shadow budget'))).toBe(true);
  });
});

describe('spm: proactive promotion', () => {
  const promoted = () => decide(hotCluster(0.95, { shadows: [s0OnW2], shadowStats: [measuredOnW2] }));

  it('promotes the shadow when the origin crosses the overload threshold and the target can absorb the prediction', () => {
    const d = promoted();
    const [move] = ofType(d.actions, 'move');
    expect(move).toMatchObject({ shardId: 's0', fromWorkerId: 'w1', toWorkerId: 'w2', expectedEpoch: 3, promotesShadowId: 's0@w2' });
    expect(move?.prediction?.utilization).toBeCloseTo(0.4, 6);
    expect(move?.prediction?.low).toBeLessThan(0.4);
    expect(move?.prediction?.high).toBeGreaterThan(0.4);
    expect(move?.reason).toMatch(/promote shadow s0@w2/);
  });

  it('with burst lanes, promotes to a target where the shard needs more than the safe share of one slot but its busiest lane does not', () => {
    // 1.6 ms/record at 500 records/s: 0.8 of a slot on w2, above safeThreshold 0.75, below one slot.
    const heavier = (c = cfg, histogram = uniformHistogram()) => decide(hotCluster(0.95, { shadows: [s0OnW2], shadowStats: [stats(s0OnW2, 600, 1.6, { histogram })] }), spmPolicy.initialState(), c);
    expect(ofType(heavier().actions, 'move')).toHaveLength(1);
    // Without lanes the shard's one slot must stay safe.
    const oneLane = heavier(config({ lanes: { max: 1 } }));
    expect(ofType(oneLane.actions, 'move')).toEqual([]);
    expect(holds(oneLane.events).some((r) => r.includes('w2 cannot absorb shard s0: predicted 0.80 of a slot'))).toBe(true);
    // A key holding 95 % of the load is one lane: 0.76 of a slot, not safe.
    const hotKey = { buckets: Array.from({ length: 32 }, (_, i) => ({ records: 10, costMs: i === 7 ? 3100 : 5 })) };
    expect(ofType(heavier(cfg, hotKey).actions, 'move')).toEqual([]);
  });

  it('keeps the old owner as a reverse shadow for the cool-down', () => {
    const reverse = ofType(promoted().actions, 'create-shadow').find((a) => a.kind === 'reverse') as CreateShadowAction;
    expect(reverse).toMatchObject({ shardId: 's0', workerId: 'w1', rate: 0.01, expiresAtMs: NOW_MS + 900_000 });
  });

  it('does not promote while the shard is in its cooldown', () => {
    const d = decide(hotCluster(0.95, { shadows: [s0OnW2], shadowStats: [measuredOnW2], partitions: [partition('s0', 'w1', { lastMoveAtMs: NOW_MS - 60_000 }), partition('s1', 'w3')] }));
    expect(ofType(d.actions, 'move')).toEqual([]);
    expect(holds(d.events).some((r) => r.includes('cooldown'))).toBe(true);
  });

  it('waits for enough shadow samples before trusting a prediction', () => {
    const d = decide(hotCluster(0.95, { shadows: [s0OnW2], shadowStats: [stats(s0OnW2, 50, 0.8)] }));
    expect(ofType(d.actions, 'move')).toEqual([]);
    expect(holds(d.events).some((r) => r.includes('50 of the 200 records'))).toBe(true);
  });

  it('does not promote a hot shard whose forecast stays below the overload threshold', () => {
    const d = decide(hotCluster(0.7, { shadows: [s0OnW2], shadowStats: [measuredOnW2] }));
    expect(ofType(d.actions, 'move')).toEqual([]);
    expect(holds(d.events).some((r) => r.includes('not at risk'))).toBe(true);
  });

  it('moves at most maxMovesPerTick shards and says a follow-up is needed', () => {
    const s1OnW3 = shadow('s1', 'w2');
    const v = view({
      workers: [worker('w1', { slots: 4 }), worker('w2', { slots: 8 })],
      partitions: [partition('s0', 'w1'), partition('s1', 'w1')],
      shardMetrics: { s0: metrics(flat(0.95)), s1: metrics(flat(0.9)) },
      shadows: [s0OnW2, s1OnW3],
      shadowStats: [measuredOnW2, stats(s1OnW3, 600, 0.8)],
    });
    const d = decide(v, undefined, config({ spm: { maxMovesPerTick: 1 } }));
    expect(ofType(d.actions, 'move').map((m) => m.shardId)).toEqual(['s0']);
    expect(d.events.some((e) => e.type === 'follow-up-needed')).toBe(true);
  });
});

describe('spm: urgent move of a shard already behind', () => {
  /** s0 measured at `u` of its owner w1 (speed 1) with no shadow; w2 (speed 2) and w3 (speed 1) idle. */
  const behind = (u: number, extra: Partial<ClusterView> = {}) =>
    view({
      workers: [worker('w1', { slots: 2 }), worker('w2', { speed: 2 }), worker('w3')],
      partitions: [partition('s0', 'w1'), partition('s1', 'w3')],
      shardMetrics: { s0: metrics(flat(u)), s1: metrics(flat(0.2)) },
      ...extra,
    });

  it('moves at once, without a shadow, to the roomiest worker that absorbs it by speed hint, and keeps a reverse shadow', () => {
    const d = decide(behind(1.2));
    const [move] = ofType(d.actions, 'move');
    expect(move).toMatchObject({ shardId: 's0', fromWorkerId: 'w1', toWorkerId: 'w2' });
    expect(move?.prediction).toBeUndefined();
    expect(move?.reason).toMatch(/urgent move: shard s0 is behind now \(utilization 1\.20/);
    expect(ofType(d.actions, 'create-shadow')).toEqual([expect.objectContaining({ shardId: 's0', workerId: 'w1', kind: 'reverse' })]);
  });

  it('leaves a shard that is only forecast to overload to the shadow and its measurement', () => {
    const d = decide(behind(0.9));
    expect(ofType(d.actions, 'move')).toEqual([]);
    expect(ofType(d.actions, 'create-shadow').map((a) => a.shardId)).toEqual(['s0']);
  });

  it('holds, saying so, when no worker can absorb it by speed hint', () => {
    const d = decide(behind(3));
    expect(ofType(d.actions, 'move')).toEqual([]);
    expect(holds(d.events).some((r) => /behind now .* no worker can absorb its forecast/.test(r))).toBe(true);
  });

  it('respects the cooldown and can be turned off', () => {
    const recent = behind(1.2, { partitions: [partition('s0', 'w1', { lastMoveAtMs: NOW_MS - 60_000 }), partition('s1', 'w3')] });
    expect(ofType(decide(recent).actions, 'move')).toEqual([]);
    expect(ofType(decide(behind(1.2), undefined, config({ spm: { urgentUtilization: 0 } })).actions, 'move')).toEqual([]);
  });
});

describe('spm: load-balanced split', () => {
  const tooBig = (status: ClusterView['streamStatus'] = 'ACTIVE', histogram = stats(s0OnW2, 600, 2.4).histogram) =>
    view({
      streamStatus: status,
      workers: [worker('w1', { slots: 2 }), worker('w2', { slots: 2 })],
      partitions: [partition('s0', 'w1')],
      shardMetrics: { s0: metrics(flat(1.3)) },
      shadows: [s0OnW2],
      // 2.4 ms/record at 500 records/s: 1.2 of a slot on w2, more than any slot can take.
      shadowStats: [stats(s0OnW2, 600, 2.4, { histogram })],
    });

  it('splits a shard no worker can absorb at the key that halves the measured load, inside the parent range', () => {
    const d = decide(tooBig());
    const [split] = ofType(d.actions, 'split') as SplitAction[];
    const range = partition('s0', 'w1').hashKeyRange;
    expect(split).toBeDefined();
    expect(split!.expectedEpoch).toBe(3);
    expect(split!.newStartingHashKey > range.start && split!.newStartingHashKey <= range.end).toBe(true);
    expect(split!.lowLoadShare).toBeCloseTo(0.5, 3);
    expect(new Set([split!.lowChildWorkerId, split!.highChildWorkerId])).toEqual(new Set(['w1', 'w2']));
    expect(ofType(d.actions, 'move')).toEqual([]);
  });

  it('splits at the midpoint, saying why, when most sampled records hash outside the range (explicit hash keys)', () => {
    // The placed records sit in the low buckets; 60 of 100 sampled records are in none.
    const skewed = { buckets: Array.from({ length: 32 }, (_, i) => ({ records: i < 4 ? 10 : 0, costMs: i < 4 ? 24 : 0 })), unplaced: 60 };
    const range = partition('s0', 'w1').hashKeyRange;
    const [blind] = ofType(decide(tooBig('ACTIVE', skewed)).actions, 'split');
    expect(blind?.newStartingHashKey).toBe(range.start + (range.end - range.start + 1n) / 2n);
    expect(blind?.reason).toMatch(/60 % of the sampled records hash outside the shard's range .* at the midpoint/);
    // The same placed records without the unplaced ones: the measured median, in the low eighth of the range.
    const [measured] = ofType(decide(tooBig('ACTIVE', { buckets: skewed.buckets })).actions, 'split');
    expect(measured!.newStartingHashKey < range.start + (range.end - range.start) / 8n).toBe(true);
  });

  it('does not split while the stream is resharding', () => {
    const d = decide(tooBig('UPDATING'));
    expect(ofType(d.actions, 'split')).toEqual([]);
    expect(holds(d.events).some((r) => r.includes('stream is UPDATING'))).toBe(true);
  });

  it('does not split a single hot key that a split cannot halve', () => {
    const hot = { buckets: Array.from({ length: 32 }, (_, i) => ({ records: 10, costMs: i === 7 ? 1000 : 5 })) };
    const d = decide(tooBig('ACTIVE', hot));
    expect(ofType(d.actions, 'split')).toEqual([]);
    expect(holds(d.events).some((r) => r.includes('single hot key'))).toBe(true);
  });

  it('splits a shard whose ingest forecast nears the write limit even when no utilization is at risk', () => {
    const d = decide(hotCluster(0.3, { shadows: [s0OnW2], shadowStats: [stats(s0OnW2, 600, 0.2)] }, 950));
    expect(ofType(d.actions, 'split').map((s) => s.shardId)).toEqual(['s0']);
    expect(ofType(d.actions, 'split')[0]?.reason).toMatch(/ingest forecast is 95 %/);
  });

  it('splits a shard already at the write limit at the midpoint rather than wait for a shadow (the budget is spent), saying so', () => {
    const busy = [shadow('s1', 'w2'), shadow('s2', 'w2'), shadow('s3', 'w2'), shadow('s4', 'w2')];
    const atLimit = (rps: number) =>
      decide(hotCluster(0.3, { shadows: busy, partitions: [partition('s0', 'w1'), partition('s1', 'w3')], shardMetrics: { s0: metrics(flat(0.3), rps, { delayMs: 0 }), s1: metrics(flat(0.5)) } }, rps));
    const [split] = ofType(atLimit(950).actions, 'split');
    const range = partition('s0', 'w1').hashKeyRange;
    expect(split?.newStartingHashKey).toBe(range.start + (range.end - range.start + 1n) / 2n);
    expect(split?.reason).toMatch(/already 95 % of the write limit and no shadow has measured its hash-key histogram yet .* midpoint/);
    // Only forecast to reach the limit (700 → 850 records/s, 30 more a minute): it waits for a measured histogram.
    const ramp = metrics(flat(0.3), 700, { delayMs: 0 }).map((p, i) => ({ ...p, incomingRecords: (700 + i * 30) * 60, processedRecords: (700 + i * 30) * 60 }));
    const rising = decide(hotCluster(0.3, { shadows: busy, shardMetrics: { s0: ramp, s1: metrics(flat(0.5)) } }));
    expect(ofType(rising.actions, 'split')).toEqual([]);
    expect(holds(rising.events).some((r) => r.includes("waiting for a shadow's hash-key histogram"))).toBe(true);
  });

  it('moves an overloaded shard near the write limit first, then splits it in the cooldown', () => {
    const first = decide(hotCluster(0.95, { shadows: [s0OnW2], shadowStats: [stats(s0OnW2, 600, 0.4)] }, 950));
    expect(ofType(first.actions, 'move').map((m) => m.toWorkerId)).toEqual(['w2']);
    expect(ofType(first.actions, 'split')).toEqual([]);
    const later = NOW_MS + PERIOD_MS;
    const onW2 = shadow('s0', 'w3', { createdAtMs: later - 60_000 });
    const second = decide(
      view({
        nowMs: later,
        workers: [worker('w1', { slots: 2 }), worker('w2'), worker('w3')],
        partitions: [partition('s0', 'w2', { epoch: 4, lastMoveAtMs: NOW_MS }), partition('s1', 'w3')],
        shardMetrics: { s0: metrics(flat(0.95), 950, { nowMs: later }), s1: metrics(flat(0.5), 500, { nowMs: later }) },
        shadows: [onW2],
        shadowStats: [stats(onW2, 600, 0.4, { nowMs: later })],
      }),
      first.nextState,
    );
    expect(ofType(second.actions, 'split').map((s) => [s.shardId, s.expectedEpoch])).toEqual([['s0', 4]]);
  });
});

describe('spm: accountability, rollback and shadow drops', () => {
  const first = () => decide(hotCluster(0.95, { shadows: [s0OnW2], shadowStats: [measuredOnW2] }));
  const later = NOW_MS + 5 * PERIOD_MS;
  /** The cluster after the move applied: s0 on w2 at epoch 4, the reverse shadow on w1. */
  const afterMove = (observed: number, extra: Partial<ClusterView> = {}) =>
    view({
      nowMs: later,
      workers: [worker('w1', { slots: 2 }), worker('w2'), worker('w3')],
      partitions: [partition('s0', 'w2', { epoch: 4, lastMoveAtMs: NOW_MS }), partition('s1', 'w3')],
      shardMetrics: { s0: metrics(flat(observed, 3), 500, { nowMs: later }), s1: metrics(flat(0.5), 500, { nowMs: later }) },
      shadows: [shadow('s0', 'w1', { kind: 'reverse', rate: 0.01, expiresAtMs: NOW_MS + 900_000 })],
      ...extra,
    });

  it('scores the prediction against the new owner’s observed utilization once the move settled', () => {
    const d = decide(afterMove(0.44), first().nextState);
    const scored = d.events.find((e) => e.type === 'prediction-scored');
    expect(scored?.type === 'prediction-scored' && scored.score.absolutePercentageError).toBeCloseTo(0.04 / 0.44, 6);
    expect(d.nextState.pending).toEqual([]);
    expect(d.events.some((e) => e.type === 'rate-adapted')).toBe(false);
  });

  it('keeps the prediction pending until the new owner has reported settlePeriods periods', () => {
    const v = afterMove(0.44);
    const d = decide({ ...v, shardMetrics: { ...v.shardMetrics, s0: v.shardMetrics.s0!.slice(0, 1) } }, first().nextState);
    expect(d.events.some((e) => e.type === 'prediction-scored')).toBe(false);
    expect(d.nextState.pending).toHaveLength(1);
  });

  it('raises the replication rate after a miss of the accuracy target', () => {
    const d = decide(afterMove(0.6), first().nextState);
    const adapted = d.events.find((e) => e.type === 'rate-adapted');
    expect(adapted).toMatchObject({ shardId: 's0', from: 1, to: 2 });
    expect(d.nextState.shards.s0?.rateMultiplier).toBe(2);
  });

  /** The first tick's state with its pending prediction's costs replaced (0.44 observed at 500/s is 0.88 ms per record). */
  const withPredictedCosts = (costs: { meanCostMs: number; projectedCostMs?: number }): SpmState => {
    const state = first().nextState;
    const { projectedCostMs: _dropped, ...prediction } = state.pending[0]!.prediction;
    return { ...state, pending: [{ ...state.pending[0]!, prediction: { ...prediction, ...costs } }] };
  };

  it.each([
    ['scores the projected cost, not the sample mean it was projected from', { meanCostMs: 0.5, projectedCostMs: 0.88 }, false],
    ['falls back to the sample mean for a prediction saved without a projected cost', { meanCostMs: 0.88 }, false],
    ['raises the rate when the projected cost missed, whatever the sample mean', { meanCostMs: 0.88, projectedCostMs: 0.5 }, true],
  ])('step 5 %s', (_why, costs, raised) => {
    const d = decide(afterMove(0.44), withPredictedCosts(costs));
    expect(d.events.some((e) => e.type === 'prediction-scored')).toBe(true);
    expect(d.events.some((e) => e.type === 'rate-adapted')).toBe(raised);
  });

  it('starts the new owner’s per-record cost from the projected cost of the prediction until it reports its own', () => {
    const v = afterMove(0.44);
    const d = decide({ ...v, shardMetrics: { ...v.shardMetrics, s0: [] } }, withPredictedCosts({ meanCostMs: 0.5, projectedCostMs: 0.88 }));
    expect(d.nextState.shards.s0?.series.costMsPerRecord).toBe(0.88);
  });

  it('rolls a move back when the new owner overloads and the reverse shadow measures the old owner safe', () => {
    const reverse = shadow('s0', 'w1', { kind: 'reverse', rate: 0.01, expiresAtMs: NOW_MS + 900_000 });
    const d = decide(afterMove(0.95, { shadows: [reverse], shadowStats: [stats(reverse, 300, 0.6, { nowMs: later })] }), first().nextState);
    const [move] = ofType(d.actions, 'move') as MoveAction[];
    expect(move).toMatchObject({ shardId: 's0', fromWorkerId: 'w2', toWorkerId: 'w1', expectedEpoch: 4, promotesShadowId: 's0@w1' });
    expect(move?.reason).toMatch(/^roll back/);
  });

  it('drops an expired reverse shadow', () => {
    const v = afterMove(0.44);
    const d = decide({ ...v, nowMs: NOW_MS + 900_000 }, first().nextState);
    expect(ofType(d.actions, 'drop-shadow').map((a) => a.shadowId)).toEqual(['s0@w1']);
  });

  it('drops the shadow of a closed shard', () => {
    const d = decide(hotCluster(0.95, { partitions: [partition('s0', 'w1', { state: 'CLOSED' }), partition('s1', 'w3')], shadows: [s0OnW2] }));
    expect(ofType(d.actions, 'drop-shadow')).toMatchObject([{ shadowId: 's0@w2', reason: expect.stringContaining('CLOSED') }]);
  });

  it('drops a shadow once its shard stayed cool for coolTicks ticks', () => {
    const v = hotCluster(0.2, { shadows: [s0OnW2] });
    let state = spmPolicy.initialState();
    const drops: number[] = [];
    for (let tick = 0; tick < 3; tick += 1) {
      const d = decide({ ...v, nowMs: v.nowMs + tick * PERIOD_MS }, state);
      drops.push(ofType(d.actions, 'drop-shadow').length);
      state = d.nextState;
    }
    expect(drops).toEqual([0, 0, 1]);
  });

  it('explains every action with a reason', () => {
    for (const a of [...first().actions, ...decide(afterMove(0.6), first().nextState).actions]) expect(a.reason.length).toBeGreaterThan(20);
  });
});

describe('spm: shadow budget and the freshest record rate', () => {
  it('evicts the shadow of a shard that is not at risk to measure one that is', () => {
    const calm = shadow('s1', 'w2');
    const d = decide(
      view({
        workers: [worker('w1', { slots: 2 }), worker('w2'), worker('w3')],
        partitions: [partition('s0', 'w1'), partition('s1', 'w3')],
        shardMetrics: { s0: metrics(flat(0.95)), s1: metrics(flat(0.65)) },
        shadows: [calm],
      }),
      undefined,
      config({ spm: { maxShadows: 1 } }),
    );
    expect(ofType(d.actions, 'drop-shadow').map((a) => a.shadowId)).toEqual(['s1@w2']);
    expect(ofType(d.actions, 'create-shadow').map((a) => a.shardId)).toEqual(['s0']);
  });

  it('predicts from the record rate the shadow sampled, fresher than the delayed metrics', () => {
    // Metrics (minutes old) say 500 records/s; the shadow sampled 5 % of 600 records/s over the last minute.
    const s = stats(s0OnW2, 0.05 * 600 * 60, 0.5, { spanMs: 60_000 });
    const [move] = ofType(decide(hotCluster(0.95, { shadows: [s0OnW2], shadowStats: [s] })).actions, 'move');
    expect(move?.prediction?.utilization).toBeCloseTo(0.3, 6);
  });

  it('takes the metrics’ accepted rate as the floor when the owner is saturated and samples less than arrives', () => {
    const s = stats(s0OnW2, 0.05 * 300 * 60, 0.5, { spanMs: 60_000 });
    const [move] = ofType(decide(hotCluster(1, { shadows: [s0OnW2], shadowStats: [s] })).actions, 'move');
    expect(move?.prediction?.utilization).toBeCloseTo(0.25, 6);
  });
});

describe('spm: merging cold neighbours', () => {
  /** s0 on w1 and s1 on w2 (adjacent hash-key ranges), s2 on w3: each at `rps` records/s and 0.1 of a slot for 12 periods. */
  const calm = (rps: number, extra: Partial<ClusterView> = {}, s1: Partial<ReturnType<typeof partition>> = {}) =>
    view({
      workers: [worker('w1'), worker('w2'), worker('w3')],
      partitions: [partition('s0', 'w1'), partition('s1', 'w2', s1), partition('s2', 'w3')],
      shardMetrics: { s0: metrics(flat(0.1, 12), rps), s1: metrics(flat(0.1, 12), rps), s2: metrics(flat(0.1, 12), rps) },
      ...extra,
    });

  it('merges the coldest adjacent pair whose ingest together stays at most a quarter of one shard’s write limit', () => {
    const [merge, ...more] = ofType(decide(calm(100)).actions, 'merge');
    expect(more).toEqual([]);
    expect(merge).toMatchObject({ type: 'merge', shardId: 's0', adjacentShardId: 's1', workerId: 'w1' });
    expect(merge?.reason).toMatch(/merge cold neighbours s0 and s1: together 20 % of one shard's write limit/);
  });

  it('leaves a pair that would carry more than a quarter of the write limit, or whose ranges do not touch', () => {
    expect(ofType(decide(calm(150)).actions, 'merge')).toEqual([]);
    const apart = calm(100, { partitions: [partition('s0', 'w1'), partition('s2', 'w2'), partition('s4', 'w3')], shardMetrics: { s0: metrics(flat(0.1, 12), 100), s2: metrics(flat(0.1, 12), 100), s4: metrics(flat(0.1, 12), 100) } });
    expect(ofType(decide(apart).actions, 'merge')).toEqual([]);
  });

  it('waits for ten periods of history and leaves shards whose load is rising', () => {
    const young = calm(100, { shardMetrics: { s0: metrics(flat(0.1, 6), 100), s1: metrics(flat(0.1, 6), 100), s2: metrics(flat(0.1, 6), 100) } });
    expect(ofType(decide(young).actions, 'merge')).toEqual([]);
    const rising = Array.from({ length: 12 }, (_, i) => 0.02 + 0.01 * i);
    const growing = calm(100, { shardMetrics: { s0: metrics(rising, 100), s1: metrics(rising, 100), s2: metrics(rising, 100) } });
    expect(ofType(decide(growing).actions, 'merge')).toEqual([]);
  });

  it('does not merge while the stream reshards, within the cooldown of a move, or with merges turned off', () => {
    expect(ofType(decide(calm(100, { streamStatus: 'UPDATING' })).actions, 'merge')).toEqual([]);
    // s1 moved a minute ago; s0 and s2 are not neighbours.
    expect(ofType(decide(calm(100, {}, { lastMoveAtMs: NOW_MS - 60_000 })).actions, 'merge')).toEqual([]);
    expect(ofType(decide(calm(100), spmPolicy.initialState(), config({ spm: { mergeIngestFraction: 0 } })).actions, 'merge')).toEqual([]);
  });

  it('refuses a merge threshold above half the split threshold, naming both', () => {
    expect(() => config({ spm: { mergeIngestFraction: 0.5 } })).toThrow(/config\.spm\.mergeIngestFraction must be at most half of splitIngestFraction \(0\.45\)/);
  });
});
