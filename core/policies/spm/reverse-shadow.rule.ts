import type { CreateShadowAction, MoveAction } from '../../model/actions.js';
import type { RuleOutcome } from '../../model/decision.js';
import type { ShadowPartition } from '../../model/shadow.js';
import { shadowIdFor } from '../../model/shadow.js';
import { predictFromShadow } from './prediction.js';
import type { TickContext } from './spm.context.js';
import { canAbsorb, fmt, perSlotLoad } from './spm.context.js';

/**
 * After a promotion the old owner is repurposed as a low-rate reverse shadow for a cool-down period, so
 * that a wrong move can be rolled back on evidence (measured, not guessed) instead of by another guess.
 */
export function reverseShadowAfterMove(ctx: TickContext, move: MoveAction): RuleOutcome<CreateShadowAction> {
  const { reverseShadow } = ctx.config;
  if (!reverseShadow.enabled || reverseShadow.durationMs <= 0) return { kind: 'not-applicable' };
  if (!ctx.workers.has(move.fromWorkerId)) return { kind: 'not-applicable' };
  if (ctx.liveShadows.size >= ctx.config.maxShadows) {
    return { kind: 'hold', reason: `no reverse shadow of ${move.shardId} on ${move.fromWorkerId}: the shadow budget (${ctx.config.maxShadows} live) is spent` };
  }
  const expiresAtMs = ctx.view.nowMs + reverseShadow.durationMs;
  return {
    kind: 'act',
    action: {
      type: 'create-shadow',
      shadowId: shadowIdFor(move.shardId, move.fromWorkerId, 'reverse'),
      shardId: move.shardId,
      workerId: move.fromWorkerId,
      kind: 'reverse',
      rate: reverseShadow.rate,
      expiresAtMs,
      reason: `keep ${move.fromWorkerId} as a reverse shadow of ${move.shardId} at r=${fmt(reverseShadow.rate * 100, 1)} % for ${fmt(reverseShadow.durationMs / 60_000, 1)} min, to roll the move back if the new owner disappoints`,
    },
  };
}

/**
 * Rolls a move back when the evidence says it went wrong: the new owner's own metrics (after the move
 * settled) put the shard at or above the overload threshold, while the reverse shadow measures that the
 * old owner can take it back safely and would do clearly better.
 */
export function rollbackRule(ctx: TickContext, shadow: ShadowPartition): RuleOutcome<MoveAction> {
  if (shadow.kind !== 'reverse') return { kind: 'not-applicable' };
  const shard = ctx.shards.get(shadow.shardId);
  if (!shard || shard.partition.ownerWorkerId === shadow.workerId) return { kind: 'not-applicable' };
  if (shadow.expiresAtMs !== undefined && ctx.view.nowMs >= shadow.expiresAtMs) return { kind: 'not-applicable' };
  const id = shard.partition.shardId;
  if (shard.forecast.points < ctx.config.settlePeriods) return { kind: 'not-applicable' };
  if (shard.utilization < ctx.config.overloadThreshold) return { kind: 'not-applicable' };
  const because = `shard ${id} runs at ${fmt(shard.utilization)} on its new owner ${shard.partition.ownerWorkerId} (overload at ${fmt(ctx.config.overloadThreshold)})`;
  if (ctx.touchedShards.has(id)) return { kind: 'hold', reason: `${because}; it already has an ownership change this tick` };
  const measured = predictFromShadow(ctx.view, ctx.config, ctx.previous, shard, shadow);
  if (measured.kind === 'wait') return { kind: 'hold', reason: `${because}; no rollback yet: ${measured.reason}` };
  const p = measured.value;
  const origin = ctx.workers.get(shadow.workerId);
  if (!origin || !canAbsorb(origin, p.utilizationAtHorizon, ctx.config.safeThreshold)) {
    return { kind: 'hold', reason: `${because}; the reverse shadow predicts ${fmt(p.utilizationAtHorizon)} on ${shadow.workerId}, which cannot absorb it` };
  }
  if (shard.utilization - p.utilizationAtHorizon < ctx.config.minImpact) {
    return { kind: 'hold', reason: `${because}; the reverse shadow predicts ${fmt(p.utilizationAtHorizon)} on ${shadow.workerId}, not clearly better` };
  }
  if (ctx.movesLeft <= 0) return { kind: 'hold', reason: `${because}; a rollback is due but this tick's move budget is spent` };
  return {
    kind: 'act',
    action: {
      type: 'move',
      shardId: id,
      fromWorkerId: shard.partition.ownerWorkerId,
      toWorkerId: shadow.workerId,
      expectedEpoch: shard.partition.epoch,
      prediction: p.prediction,
      promotesShadowId: shadow.shadowId,
      reason: `roll back: ${because}; the reverse shadow on ${shadow.workerId} measured ${fmt(p.prediction.meanCostMs, 3)} ms/record and predicts ${fmt(p.utilizationAtHorizon)} there, leaving it at ${fmt(perSlotLoad(origin, p.utilizationAtHorizon))} per slot`,
    },
  };
}
