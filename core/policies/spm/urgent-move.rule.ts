import type { MoveAction } from '../../model/actions.js';
import type { RuleOutcome } from '../../model/decision.js';
import type { ShardTick, TickContext } from './spm.context.js';
import { fmt, forwardShadowOf, perSlotLoad, predictedCapacity } from './spm.context.js';
import { someWorkerCanAbsorb, utilizationOn } from './split.rule.js';

/**
 * Step 4, before promotion: a shard whose owner is already behind (measured utilization at or above
 * `urgentUtilization`, not only a forecast) and that has no measured shadow yet moves now to the worker with
 * the largest predicted capacity among those that can absorb its forecast by speed hint. Waiting a tick for
 * the shadow's sample costs a minute of backlog at the overload's full rate, and the backlog then drains at
 * only the target's spare rate. The move carries no prediction (nothing was measured); the reverse shadow
 * on the old owner checks it as any move. Cooldown and the move budget apply as to promotion.
 */
export function urgentMoveRule(ctx: TickContext, shard: ShardTick): RuleOutcome<MoveAction> {
  const { partition } = shard;
  const id = partition.shardId;
  const urgent = ctx.config.urgentUtilization;
  // The newest period as measured, not the smoothed level: a step shows in full one period earlier.
  const now = Math.max(shard.utilization, shard.state.series.lastUtilization);
  if (urgent <= 0 || partition.state !== 'OPEN' || !shard.hot || now < urgent) return { kind: 'not-applicable' };
  if (ctx.config.shadowing === 'owner-only' || ctx.touchedShards.has(id)) return { kind: 'not-applicable' };
  if (forwardShadowOf(ctx, id, partition.ownerWorkerId)) return { kind: 'not-applicable' };
  const lastMove = shard.state.lastMoveAtMs ?? partition.lastMoveAtMs;
  if (lastMove !== undefined && ctx.view.nowMs - lastMove < ctx.config.cooldownMs) return { kind: 'not-applicable' };
  const safe = ctx.config.safeThreshold;
  const roomiest = someWorkerCanAbsorb(ctx, shard);
  const target = roomiest && { w: roomiest, u: utilizationOn(ctx, shard, roomiest.worker.workerId) };
  if (!target) return { kind: 'hold', reason: `shard ${id} is behind now (utilization ${fmt(now)}), but no worker can absorb its forecast ${fmt(shard.utilizationAtHorizon)} by speed hint; a shadow measures first` };
  if (ctx.movesLeft <= 0) return { kind: 'hold', reason: `shard ${id} is behind now (utilization ${fmt(now)}) and should move to ${target.w.worker.workerId}, but this tick's move budget (${ctx.config.maxMovesPerTick}) is spent` };
  return {
    kind: 'act',
    action: {
      type: 'move',
      shardId: id,
      fromWorkerId: partition.ownerWorkerId,
      toWorkerId: target.w.worker.workerId,
      expectedEpoch: partition.epoch,
      reason: `urgent move: shard ${id} is behind now (utilization ${fmt(now)} ≥ ${fmt(urgent)}, forecast ${fmt(shard.utilizationAtHorizon)}), so it moves before a shadow could measure; ${target.w.worker.workerId} has the largest predicted capacity (${fmt(predictedCapacity(target.w, safe))} slots) among workers that absorb it by speed hint (about ${fmt(target.u)}, its load would be ${fmt(perSlotLoad(target.w, target.u))} per slot, safe ≤ ${fmt(safe)})`,
    },
  };
}
