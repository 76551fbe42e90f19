import { detectHotKey, loadBalancedSplitKey, MAX_UNPLACED_SHARE, unplacedShare } from '../../estimators/hash-histogram.js';
import type { SplitAction } from '../../model/actions.js';
import type { RuleOutcome } from '../../model/decision.js';
import type { ShadowStats } from '../../model/metrics.js';
import type { Prediction } from '../../model/prediction.js';
import type { ShadowPrediction } from './prediction.js';
import { predictFromShadow, statsOf } from './prediction.js';
import type { ShardTick, TickContext, WorkerTick } from './spm.context.js';
import { canAbsorb, fmt, forwardShadowOf, ingestFraction, OWNER_ONLY, predictedCapacity } from './spm.context.js';

/**
 * The shard's predicted utilization on each worker: measured on the shadow's worker, and elsewhere
 * scaled from that measurement (or from the owner's) by the workers' speed, which is only a hint.
 */
export function utilizationOn(ctx: TickContext, shard: ShardTick, workerId: string, measured?: ShadowPrediction): number {
  const w = ctx.workers.get(workerId);
  if (!w) return Number.POSITIVE_INFINITY;
  if (workerId === shard.partition.ownerWorkerId) return shard.utilizationAtHorizon;
  if (measured && measured.prediction.workerId === workerId) return measured.utilizationAtHorizon;
  const ref = measured ? ctx.workers.get(measured.prediction.workerId) : ctx.workers.get(shard.partition.ownerWorkerId);
  const refUtil = measured ? measured.utilizationAtHorizon : shard.utilizationAtHorizon;
  return (refUtil * (ref?.worker.speed ?? 1)) / w.worker.speed;
}

/** Whether some worker other than the owner could take the whole shard (by measurement or hint). */
export function someWorkerCanAbsorb(ctx: TickContext, shard: ShardTick, measured?: ShadowPrediction): WorkerTick | undefined {
  return [...ctx.workers.values()]
    .filter((w) => w.worker.workerId !== shard.partition.ownerWorkerId)
    .filter((w) => canAbsorb(w, utilizationOn(ctx, shard, w.worker.workerId, measured), ctx.config.safeThreshold))
    .sort((a, b) => predictedCapacity(b, ctx.config.safeThreshold) - predictedCapacity(a, ctx.config.safeThreshold))[0];
}

/** Why the shard should be split rather than moved, or `undefined`. */
export function splitTrigger(ctx: TickContext, shard: ShardTick, measured?: ShadowPrediction): string | undefined {
  if (shard.ingestFractionAtHorizon >= ctx.config.splitIngestFraction) {
    return `its ingest forecast is ${fmt(shard.ingestFractionAtHorizon * 100, 0)} % of the shard write limit (split above ${fmt(ctx.config.splitIngestFraction * 100, 0)} %)`;
  }
  if (!someWorkerCanAbsorb(ctx, shard, measured)) return 'no worker can absorb it whole';
  return undefined;
}

/**
 * Step 4b, load-balanced split: when the ingest forecast would exceed the shard's write limit, or no
 * worker can absorb the shard, split it at the hash key that halves the load the shadow MEASURED, and
 * place each child where the predictions say it fits best. Not while the stream is resharding, and not
 * for a single hot key a split cannot halve.
 */
export function splitRule(ctx: TickContext, shard: ShardTick, trigger: string | undefined, given?: ShadowPrediction): RuleOutcome<SplitAction> {
  const { partition } = shard;
  const id = partition.shardId;
  const shadow = forwardShadowOf(ctx, id, partition.ownerWorkerId);
  let measured = given;
  if (!measured && shadow) {
    const m = predictFromShadow(ctx.view, ctx.config, ctx.previous, shard, shadow);
    if (m.kind === 'ok') measured = m.value;
  }
  const why = splitTrigger(ctx, shard, measured);
  const ingestBound = shard.ingestFractionAtHorizon >= ctx.config.splitIngestFraction;
  if (!why || (!trigger && !ingestBound)) return { kind: 'not-applicable' };
  const because = trigger ? `shard ${id} must be relieved because ${trigger}, and ${why}` : `shard ${id} must be split because ${why}`;
  if (ctx.touchedShards.has(id)) return { kind: 'hold', reason: `${because}; it already has an ownership change this tick` };
  const lastMove = shard.state.lastMoveAtMs ?? partition.lastMoveAtMs;
  if (!ingestBound && lastMove !== undefined && ctx.view.nowMs - lastMove < ctx.config.cooldownMs) {
    return { kind: 'hold', reason: `${because}; it moved ${Math.round((ctx.view.nowMs - lastMove) / 1000)} s ago, cooldown is ${Math.round(ctx.config.cooldownMs / 1000)} s` };
  }
  if (ctx.view.streamStatus !== 'ACTIVE') return { kind: 'hold', reason: `${because}; the stream is ${ctx.view.streamStatus}, a split needs ACTIVE` };
  if (ctx.splitsLeft <= 0) return { kind: 'hold', reason: `${because}; this tick's split budget (${ctx.config.maxSplitsPerTick}) is spent` };
  const found = shadow ? statsOf(ctx.view, shadow) : undefined;
  const measuredEnough = found !== undefined && found.records >= ctx.config.minShadowSamples && found.histogram.buckets.length >= 2;
  // At the write limit already (not only forecast to reach it) a split cannot wait for a histogram: every
  // minute throttles writes, and producers drop what their retries cannot place. The midpoint then.
  const ingestNow = ingestFraction(ctx.view.shardLimits, shard.forecast.recordsPerSec, shard.forecast.bytesPerSec);
  const cannotWait = ingestBound && ingestNow >= ctx.config.splitIngestFraction;
  if (!measuredEnough && !cannotWait) {
    if (!found && ctx.config.shadowing === 'owner-only') {
      return { kind: 'hold', reason: `${because}; but it is ${OWNER_ONLY}: there is no measured hash-key histogram to split it by` };
    }
    return { kind: 'hold', reason: `${because}; waiting for a shadow's hash-key histogram (${found?.records ?? 0} of ${ctx.config.minShadowSamples} records measured)` };
  }
  const stats: Pick<ShadowStats, 'histogram'> = measuredEnough ? found : { histogram: { buckets: [] } };
  const noHistogram = !measuredEnough;
  // Records routed by explicit hash keys are in no bucket: the histogram cannot say where the load lies.
  const unplaced = unplacedShare(stats.histogram);
  const blind = noHistogram || unplaced > MAX_UNPLACED_SHARE;
  const hotKey = blind ? { hot: false as const } : detectHotKey(stats.histogram, ctx.config.hotKeyMaxShare);
  if (hotKey.hot) {
    return {
      kind: 'hold',
      reason: `${because}; but ${fmt(hotKey.bucketShare * 100, 0)} % of its measured load sits in one hash-key bucket (#${hotKey.bucketIndex}), a single hot key: the best split leaves ${fmt(hotKey.bestHeavierShare * 100, 0)} % in one child (at most ${fmt(ctx.config.hotKeyMaxShare * 100, 0)} %), so a split cannot halve it`,
    };
  }
  const point = loadBalancedSplitKey(partition.hashKeyRange, blind ? { buckets: [] } : stats.histogram);
  if (!point) return { kind: 'hold', reason: `${because}; its hash-key range holds a single key and cannot be split` };
  const key = point.newStartingHashKey.toString();
  const whereSplit = noHistogram
    ? `its ingest is already ${fmt(ingestNow * 100, 0)} % of the write limit and no shadow has measured its hash-key histogram yet (${found?.records ?? 0} of ${ctx.config.minShadowSamples} records), so it splits at the midpoint, hash key ${key}, rather than throttle while it waits`
    : blind
      ? `${fmt(unplaced * 100, 0)} % of the sampled records hash outside the shard's range (their producer sets explicit hash keys, which the event does not carry), so the measured load cannot place the split: it is at the midpoint, hash key ${key}`
      : `the measured load halves at hash key ${key}`;
  const total = shard.utilizationAtHorizon;
  const children = [
    { side: 'low' as const, share: point.lowLoadShare },
    { side: 'high' as const, share: 1 - point.lowLoadShare },
  ].sort((a, b) => b.share - a.share);
  const placed: Record<'low' | 'high', { workerId: string; utilization: number }> = { low: { workerId: '', utilization: 0 }, high: { workerId: '', utilization: 0 } };
  // The parent's load leaves its owner; each child then goes where it leaves the most safe capacity.
  const extra = new Map<string, number>([[partition.ownerWorkerId, -total]]);
  for (const child of children) {
    const options = [...ctx.workers.values()]
      .map((w) => {
        const u = child.share * (measured ? utilizationOn(ctx, shard, w.worker.workerId, measured) : utilizationOn(ctx, shard, w.worker.workerId));
        const loadPerSlot = (w.loadAtHorizon + (extra.get(w.worker.workerId) ?? 0) + u) / w.worker.slots;
        return { w, u, loadPerSlot, fits: u <= ctx.config.safeThreshold && loadPerSlot <= ctx.config.safeThreshold };
      })
      .sort((a, b) => Number(b.fits) - Number(a.fits) || a.loadPerSlot - b.loadPerSlot || (a.w.worker.workerId < b.w.worker.workerId ? -1 : 1));
    const best = options[0];
    if (!best) return { kind: 'hold', reason: `${because}; there is no worker to place its children on` };
    placed[child.side] = { workerId: best.w.worker.workerId, utilization: best.u };
    extra.set(best.w.worker.workerId, (extra.get(best.w.worker.workerId) ?? 0) + best.u);
  }
  const predictions: Prediction[] | undefined = measured
    ? (['low', 'high'] as const).map((side) => {
        const share = side === 'low' ? point.lowLoadShare : 1 - point.lowLoadShare;
        const p = measured.prediction;
        return { ...p, workerId: placed[side].workerId, utilization: placed[side].utilization, low: p.low * share, high: p.high * share };
      })
    : undefined;
  return {
    kind: 'act',
    action: {
      type: 'split',
      shardId: id,
      expectedEpoch: partition.epoch,
      newStartingHashKey: point.newStartingHashKey,
      lowChildWorkerId: placed.low.workerId,
      highChildWorkerId: placed.high.workerId,
      lowLoadShare: point.lowLoadShare,
      ...(predictions ? { predictions } : {}),
      reason: `split: ${because}; ${whereSplit} (low child ${fmt(point.lowLoadShare * 100, 0)} % of the load → ${placed.low.workerId}, predicted ${fmt(placed.low.utilization)}; high child → ${placed.high.workerId}, predicted ${fmt(placed.high.utilization)})`,
    },
  };
}
