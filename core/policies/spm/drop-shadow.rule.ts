import type { DropShadowAction } from '../../model/actions.js';
import type { RuleOutcome } from '../../model/decision.js';
import type { ShadowPartition } from '../../model/shadow.js';
import type { TickContext } from './spm.context.js';
import { fmt } from './spm.context.js';

/**
 * Drops shadows that no longer earn their overhead: the shard closed (split or merged) or vanished, the
 * worker left, the shadow sits on the shard's owner, the shard cooled down for `coolTicks` ticks, or a
 * reverse shadow's cool-down expired.
 */
export function dropShadowRule(ctx: TickContext, shadow: ShadowPartition): RuleOutcome<DropShadowAction> {
  const drop = (reason: string): RuleOutcome<DropShadowAction> => ({
    kind: 'act',
    action: { type: 'drop-shadow', shadowId: shadow.shadowId, shardId: shadow.shardId, reason },
  });
  const partition = ctx.view.partitions.find((p) => p.shardId === shadow.shardId);
  if (!partition) return drop(`drop shadow ${shadow.shadowId}: shard ${shadow.shardId} no longer exists`);
  if (partition.state !== 'OPEN') return drop(`drop shadow ${shadow.shadowId}: shard ${shadow.shardId} is ${partition.state} (split or merged)`);
  if (!ctx.workers.has(shadow.workerId)) return drop(`drop shadow ${shadow.shadowId}: worker ${shadow.workerId} is gone`);
  if (shadow.kind === 'reverse') {
    if (shadow.expiresAtMs !== undefined && ctx.view.nowMs >= shadow.expiresAtMs) {
      return drop(`drop reverse shadow ${shadow.shadowId}: its cool-down ended at ${shadow.expiresAtMs} ms without evidence for a rollback`);
    }
    if (partition.ownerWorkerId === shadow.workerId) return drop(`drop reverse shadow ${shadow.shadowId}: ${shadow.workerId} owns shard ${shadow.shardId} again`);
    const record = ctx.previous.reverse.find((r) => r.shadowId === shadow.shadowId);
    if (record && record.newOwnerWorkerId !== partition.ownerWorkerId) {
      return drop(`drop reverse shadow ${shadow.shadowId}: shard ${shadow.shardId} moved on from ${record.newOwnerWorkerId} to ${partition.ownerWorkerId}`);
    }
    return { kind: 'not-applicable' };
  }
  if (partition.ownerWorkerId === shadow.workerId) return drop(`drop shadow ${shadow.shadowId}: ${shadow.workerId} now owns shard ${shadow.shardId}`);
  const shard = ctx.shards.get(shadow.shardId);
  if (shard && !shard.hot && shard.state.coolTicks >= ctx.config.coolTicks) {
    return drop(
      `drop shadow ${shadow.shadowId}: shard ${shadow.shardId} cooled down (utilization ${fmt(shard.utilization)}, forecast ${fmt(shard.utilizationAtHorizon)}, below ${fmt(ctx.config.coolThreshold)} for ${shard.state.coolTicks} ticks)`,
    );
  }
  return { kind: 'not-applicable' };
}
