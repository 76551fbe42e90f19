import type { ForeshadowConfig } from '../../config/index.js';
import { estimateCost } from '../../estimators/cost-estimator.js';
import type { MergeAction, MoveAction, SplitAction } from '../../model/actions.js';
import type { ClusterView } from '../../model/cluster-view.js';
import type { Decision } from '../../model/decision.js';
import type { Policy } from '../policy.js';
import { scorePrediction } from './accountability.rule.js';
import { dropShadowRule } from './drop-shadow.rule.js';
import { mergeRule } from './merge.rule.js';
import { monitorShards } from './monitor.js';
import type { ShadowPrediction } from './prediction.js';
import { overloadTrigger, promotionRule, type PromotionOutcome } from './promotion.rule.js';
import { reverseShadowAfterMove, rollbackRule } from './reverse-shadow.rule.js';
import { shadowCreationRule, shadowEvictionRule } from './shadow-creation.rule.js';
import { shadowRateRule } from './shadow-rate.rule.js';
import type { ShardTick, TickContext } from './spm.context.js';
import { canAbsorb, shiftLoad } from './spm.context.js';
import type { PendingPrediction, ReverseShadowRecord, ShadowSnapshot, SpmShardState, SpmState, SplitRecord } from './spm.state.js';
import { initialSpmState } from './spm.state.js';
import { someWorkerCanAbsorb, splitRule } from './split.rule.js';
import { urgentMoveRule } from './urgent-move.rule.js';

export type { SpmState } from './spm.state.js';

/**
 * The Foreshadow SPM: monitor → shadow → predict → promote or split → adapt (DESIGN section 1). One
 * tick is pure: the rules read the view and the previous state, and every action and hold carries a
 * reason a human can read.
 */
export const spmPolicy: Policy<SpmState> = {
  name: 'spm',
  label: 'spm (Foreshadow shadow partition manager)',
  // The shard load forecast and the accountability check read these; no worker metric and no iterator age
  // (test/sim/metric-fields.test.ts: the decisions are the same with the others zeroed).
  metricFields: { shards: ['incomingRecords', 'incomingBytes', 'throttledRecords', 'processedRecords', 'busyMs'], workers: [] },
  initialState: initialSpmState,
  decide: decideSpm,
};

export function decideSpm(view: ClusterView, full: ForeshadowConfig, stateIn: SpmState): Decision<SpmState> {
  const config = full.spm;
  const previous = isSpmState(stateIn) ? stateIn : initialSpmState();
  const monitored = monitorShards(view, config, full.tickIntervalMs, previous);
  const ctx: TickContext = {
    view,
    config,
    tickIntervalMs: full.tickIntervalMs,
    maxLanes: full.lanes.max,
    previous,
    shards: monitored.shards,
    workers: monitored.workers,
    actions: [],
    events: [...monitored.events],
    touchedShards: new Set(),
    liveShadows: new Map([...view.shadows].sort((a, b) => cmp(a.shadowId, b.shadowId)).map((s) => [s.shadowId, s])),
    movesLeft: config.maxMovesPerTick,
    splitsLeft: config.maxSplitsPerTick,
  };
  const patches = new Map<string, Partial<SpmShardState>>();
  const patch = (shardId: string, p: Partial<SpmShardState>): void => void patches.set(shardId, { ...patches.get(shardId), ...p });
  const pending: PendingPrediction[] = [];
  const reverse: ReverseShadowRecord[] = [...previous.reverse];
  const splits: SplitRecord[] = previous.splits.filter((s) => view.nowMs - s.atMs < config.horizonMs + config.cooldownMs);

  // Remember the per-record cost CV each forward shadow measured: it sizes the next shadow's sample.
  for (const stats of [...view.shadowStats].sort((a, b) => cmp(a.shadowId, b.shadowId))) {
    const est = estimateCost(stats.records, stats.busyMs, stats.busyMsSquared);
    if (est && stats.records >= config.minShadowSamples && ctx.shards.has(stats.shardId)) patch(stats.shardId, { lastCostCv: est.cv });
  }

  // Step 5: score the predictions behind earlier moves, adapt r.
  const rateSetThisTick = new Set<string>();
  for (const p of previous.pending) {
    const outcome = scorePrediction(ctx, p, { ...ctx.shards.get(p.shardId)?.state, ...patches.get(p.shardId) } as SpmShardState);
    if (outcome.kind === 'wait') {
      if (view.nowMs - p.movedAtMs <= config.horizonMs + config.cooldownMs) pending.push(p);
      else ctx.events.push({ type: 'hold', shardId: p.shardId, rule: 'accountability', reason: `prediction for ${p.shardId} expired unscored: no settled metrics from ${p.toWorkerId}` });
    } else if (outcome.kind === 'discard') {
      ctx.events.push({ type: 'hold', shardId: p.shardId, rule: 'accountability', reason: outcome.reason });
    } else {
      ctx.events.push(...outcome.events);
      ctx.actions.push(...outcome.actions);
      for (const a of outcome.actions) {
        const live = ctx.liveShadows.get(a.shadowId);
        if (live) ctx.liveShadows.set(a.shadowId, { ...live, rate: a.rate });
        rateSetThisTick.add(a.shadowId);
      }
      patch(p.shardId, outcome.shardState);
    }
  }

  // Drop what no longer earns its overhead.
  for (const shadow of [...ctx.liveShadows.values()]) {
    const outcome = dropShadowRule(ctx, shadow);
    if (outcome.kind === 'act') {
      ctx.actions.push(outcome.action);
      ctx.liveShadows.delete(shadow.shadowId);
    }
  }

  // Roll back moves the evidence says were wrong.
  for (const shadow of [...ctx.liveShadows.values()]) {
    const outcome = rollbackRule(ctx, shadow);
    const shard = ctx.shards.get(shadow.shardId);
    if (outcome.kind === 'act' && shard) applyMove(ctx, shard, outcome.action, undefined, pending, patch);
    else if (outcome.kind === 'hold') ctx.events.push({ type: 'hold', shardId: shadow.shardId, rule: 'rollback', reason: outcome.reason });
  }

  // Shadows that measured too little for a usable interval get a higher rate.
  for (const shadow of [...ctx.liveShadows.values()]) {
    if (rateSetThisTick.has(shadow.shadowId)) continue;
    const outcome = shadowRateRule(ctx, shadow);
    if (outcome.kind === 'act') {
      ctx.actions.push(outcome.action);
      ctx.events.push({ type: 'rate-adapted', shardId: shadow.shardId, from: shadow.rate, to: outcome.action.rate, reason: outcome.action.reason });
      ctx.liveShadows.set(shadow.shadowId, { ...shadow, rate: outcome.action.rate });
    }
  }

  // Step 4: promote or split, the hottest shards first.
  const hot = [...ctx.shards.values()]
    .filter((s) => s.hot)
    .sort((a, b) => Math.max(b.utilization, b.utilizationAtHorizon) - Math.max(a.utilization, a.utilizationAtHorizon) || cmp(a.partition.shardId, b.partition.shardId));
  for (const shard of hot) {
    const id = shard.partition.shardId;
    // Promotion first even when the ingest nears the write limit: it relieves the processing at once (and
    // a closed parent drains on its owner, so a split on a slow owner would leave the backlog there); the
    // split follows at the next tick, which the cooldown allows for ingest-bound splits.
    const urgent = urgentMoveRule(ctx, shard);
    if (urgent.kind === 'hold') ctx.events.push({ type: 'hold', shardId: id, rule: 'urgent-move', reason: urgent.reason });
    const promo: PromotionOutcome = urgent.kind === 'act' ? { kind: 'act', action: urgent.action } : promotionRule(ctx, shard);
    if (promo.kind === 'act') {
      applyMove(ctx, shard, promo.action, promo.prediction, pending, patch);
      const rev = reverseShadowAfterMove(ctx, promo.action);
      if (rev.kind === 'act') {
        ctx.actions.push(rev.action);
        ctx.liveShadows.set(rev.action.shadowId, { shadowId: rev.action.shadowId, shardId: id, workerId: rev.action.workerId, kind: 'reverse', rate: rev.action.rate, createdAtMs: view.nowMs, expiresAtMs: rev.action.expiresAtMs ?? view.nowMs });
        reverse.push({ shadowId: rev.action.shadowId, shardId: id, workerId: rev.action.workerId, newOwnerWorkerId: promo.action.toWorkerId, movedAtMs: view.nowMs, expiresAtMs: rev.action.expiresAtMs ?? view.nowMs });
      } else if (rev.kind === 'hold') ctx.events.push({ type: 'hold', shardId: id, rule: 'reverse-shadow', reason: rev.reason });
      continue;
    }
    // The audit log says why there was no move, whether or not a split follows.
    if (promo.kind === 'hold') ctx.events.push({ type: 'hold', shardId: id, rule: 'promotion', reason: promo.reason });
    const split = splitRule(ctx, shard, overloadTrigger(ctx, shard), promo.prediction);
    if (split.kind === 'act') {
      applySplit(ctx, shard, split.action, splits);
      continue;
    }
    if (split.kind === 'hold') ctx.events.push({ type: 'hold', shardId: id, rule: 'split', reason: split.reason });
    if (promo.kind === 'hold') reShadowIfStuck(ctx, shard, promo.prediction);
  }
  if (ctx.movesLeft <= 0 && hot.some((s) => !ctx.touchedShards.has(s.partition.shardId) && overloadTrigger(ctx, s))) {
    ctx.events.push({ type: 'follow-up-needed', reason: `the move budget (${config.maxMovesPerTick} per tick) is spent with hot shards still at risk` });
  }

  // Capacity back when the load is gone: one merge of cold neighbours, if no reshard is planned this tick.
  const merge = mergeRule(ctx, splits);
  if (merge.kind === 'act') applyMerge(ctx, merge.action);

  // Step 2: shadows for hot shards that have none, hottest first.
  for (const shard of hot) {
    const eviction = shadowEvictionRule(ctx, shard);
    if (eviction.kind === 'act') {
      ctx.actions.push(eviction.action);
      ctx.liveShadows.delete(eviction.action.shadowId);
    }
    const outcome = shadowCreationRule(ctx, shard);
    if (outcome.kind === 'act') {
      ctx.actions.push(outcome.action);
      ctx.liveShadows.set(outcome.action.shadowId, { shadowId: outcome.action.shadowId, shardId: shard.partition.shardId, workerId: outcome.action.workerId, kind: 'forward', rate: outcome.action.rate, createdAtMs: view.nowMs });
    } else if (outcome.kind === 'hold') ctx.events.push({ type: 'hold', shardId: shard.partition.shardId, rule: 'shadow-creation', reason: outcome.reason });
  }

  return { actions: ctx.actions, events: ctx.events, nextState: nextState(ctx, patches, pending, reverse, splits) };
}

type Patch = (shardId: string, p: Partial<SpmShardState>) => void;

function applyMove(ctx: TickContext, shard: ShardTick, action: MoveAction, measured: ShadowPrediction | undefined, pending: PendingPrediction[], patch: Patch): void {
  ctx.actions.push(action);
  ctx.touchedShards.add(action.shardId);
  ctx.movesLeft -= 1;
  if (action.promotesShadowId) ctx.liveShadows.delete(action.promotesShadowId);
  const predicted = measured?.utilizationAtHorizon ?? action.prediction?.utilization ?? shard.utilizationAtHorizon;
  shiftLoad(ctx, action.fromWorkerId, shard.utilizationAtHorizon, action.toWorkerId, predicted);
  if (action.prediction) {
    pending.push({ shardId: action.shardId, prediction: action.prediction, fromWorkerId: action.fromWorkerId, toWorkerId: action.toWorkerId, movedAtMs: ctx.view.nowMs });
  }
  patch(action.shardId, { lastMoveAtMs: ctx.view.nowMs });
}

function applyMerge(ctx: TickContext, action: MergeAction): void {
  ctx.actions.push(action);
  ctx.touchedShards.add(action.shardId);
  ctx.touchedShards.add(action.adjacentShardId);
  ctx.splitsLeft -= 1;
  for (const id of [action.shardId, action.adjacentShardId]) {
    const shard = ctx.shards.get(id);
    if (shard && shard.partition.ownerWorkerId !== action.workerId) shiftLoad(ctx, shard.partition.ownerWorkerId, shard.utilizationAtHorizon, action.workerId, shard.utilizationAtHorizon);
  }
}

function applySplit(ctx: TickContext, shard: ShardTick, action: SplitAction, splits: SplitRecord[]): void {
  ctx.actions.push(action);
  ctx.touchedShards.add(action.shardId);
  ctx.splitsLeft -= 1;
  const lowUtilization = action.predictions?.[0]?.utilization ?? action.lowLoadShare * shard.utilizationAtHorizon;
  const highUtilization = action.predictions?.[1]?.utilization ?? (1 - action.lowLoadShare) * shard.utilizationAtHorizon;
  shiftLoad(ctx, shard.partition.ownerWorkerId, shard.utilizationAtHorizon, action.lowChildWorkerId, lowUtilization);
  shiftLoad(ctx, undefined, 0, action.highChildWorkerId, highUtilization);
  splits.push({
    parentShardId: action.shardId,
    atMs: ctx.view.nowMs,
    splitKey: action.newStartingHashKey.toString(),
    lowWorkerId: action.lowChildWorkerId,
    highWorkerId: action.highChildWorkerId,
    lowUtilization,
    highUtilization,
  });
}

/**
 * A shadow whose worker cannot absorb the shard while another worker now could is in the wrong place:
 * drop it, so that shadow creation measures on the better worker.
 */
function reShadowIfStuck(ctx: TickContext, shard: ShardTick, measured: ShadowPrediction | undefined): void {
  if (!measured) return;
  const target = ctx.workers.get(measured.prediction.workerId);
  if (!target || canAbsorb(target, measured.utilizationAtHorizon, ctx.config.safeThreshold)) return;
  const better = someWorkerCanAbsorb(ctx, shard, measured);
  const shadowId = [...ctx.liveShadows.values()].find((s) => s.shardId === shard.partition.shardId && s.workerId === measured.prediction.workerId && s.kind === 'forward')?.shadowId;
  if (!better || !shadowId) return;
  ctx.actions.push({
    type: 'drop-shadow',
    shadowId,
    shardId: shard.partition.shardId,
    reason: `drop shadow ${shadowId}: ${measured.prediction.workerId} cannot absorb shard ${shard.partition.shardId}, ${better.worker.workerId} could; measuring there instead`,
  });
  ctx.liveShadows.delete(shadowId);
}

function nextState(ctx: TickContext, patches: Map<string, Partial<SpmShardState>>, pending: PendingPrediction[], reverse: ReverseShadowRecord[], splits: SplitRecord[]): SpmState {
  const shards: Record<string, SpmShardState> = {};
  for (const [id, shard] of ctx.shards) shards[id] = { ...shard.state, ...patches.get(id) };
  const snapshots: Record<string, ShadowSnapshot[]> = {};
  const keepMs = 2 * ctx.config.replication.measurementWindowMs + ctx.tickIntervalMs;
  for (const shadow of ctx.liveShadows.values()) {
    const stats = ctx.view.shadowStats.find((s) => s.shadowId === shadow.shadowId);
    const history = (ctx.previous.snapshots[shadow.shadowId] ?? []).filter((s) => ctx.view.nowMs - s.atMs <= keepMs && (!stats || s.fromMs === stats.fromMs));
    if (stats && [stats.records, stats.busyMs, stats.busyMsSquared, stats.fromMs].every(Number.isFinite)) history.push({ atMs: ctx.view.nowMs, fromMs: stats.fromMs, records: stats.records, busyMs: stats.busyMs, busyMsSquared: stats.busyMsSquared });
    if (history.length > 0) snapshots[shadow.shadowId] = history;
  }
  return {
    version: 1,
    shards,
    pending,
    reverse: reverse.filter((r) => ctx.liveShadows.has(r.shadowId)),
    splits,
    snapshots,
  };
}

function isSpmState(s: unknown): s is SpmState {
  return typeof s === 'object' && s !== null && (s as { version?: unknown }).version === 1 && typeof (s as SpmState).shards === 'object';
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
