import { overloadTrigger } from './promotion.rule.js';
import type { TickContext } from './spm.context.js';

/**
 * The busy time a shadow of `shardId` on `workerId` at `rate` costs, as a fraction of one slot: r × the shard's
 * utilization on its owner, scaled from the owner's speed to the shadow worker's (its sample is the shard's
 * records at rate r, processed at the target's speed).
 */
export function shadowLoad(ctx: TickContext, shardId: string, workerId: string, rate: number): number {
  const shard = ctx.shards.get(shardId);
  if (!shard) return 0;
  const ownerSpeed = ctx.workers.get(shard.partition.ownerWorkerId)?.worker.speed ?? 1;
  const targetSpeed = ctx.workers.get(workerId)?.worker.speed ?? ownerSpeed;
  return (rate * Math.max(0, shard.utilization) * ownerSpeed) / (targetSpeed > 0 ? targetSpeed : ownerSpeed);
}

/**
 * The highest rate a forward shadow of `shardId` on `workerId` may have within the overhead budget
 * (`replication.maxOverheadFraction` of the owners' busy time), given every other live shadow at its rate
 * (`exceptShadowId`: the shadow being re-rated). Infinity when the shard costs nothing to sample, and for a
 * shard at risk of overload: that one is measured at the rate it needs (a late move costs more than the samples;
 * capped, the quick-start's twin moved its hot shard late).
 */
export function affordableRate(ctx: TickContext, shardId: string, workerId: string, exceptShadowId?: string): number {
  const shard = ctx.shards.get(shardId);
  if (shard && overloadTrigger(ctx, shard) !== undefined) return Number.POSITIVE_INFINITY;
  let busy = 0;
  for (const shard of ctx.shards.values()) busy += Math.max(0, shard.utilization);
  let used = 0;
  for (const s of ctx.liveShadows.values()) if (s.shadowId !== exceptShadowId) used += shadowLoad(ctx, s.shardId, s.workerId, s.rate);
  const perRate = shadowLoad(ctx, shardId, workerId, 1);
  if (!(perRate > 0)) return Number.POSITIVE_INFINITY;
  return Math.max(0, ctx.config.replication.maxOverheadFraction * busy - used) / perRate;
}
