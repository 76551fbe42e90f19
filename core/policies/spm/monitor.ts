import type { SpmConfig } from '../../config/spm.config.js';
import type { HoltParams } from '../../estimators/holt.js';
import { emptySeries, forecastSeries, updateSeries } from '../../forecast/shard-forecast.js';
import type { ClusterView } from '../../model/cluster-view.js';
import type { DecisionEvent } from '../../model/decision.js';
import type { PartitionMetadata } from '../../model/partition.js';
import { predictedCostMs } from '../../model/prediction.js';
import type { ShardTick, WorkerTick } from './spm.context.js';
import { fmt, ingestFraction } from './spm.context.js';
import type { SpmShardState, SpmState } from './spm.state.js';

/**
 * Step 1, monitor: per-shard smoothed utilization with trend, its forecast at the horizon, and hot-shard
 * detection with hysteresis. Utilization is relative to the owner, so a change of owner restarts the
 * series from the move (the old owner's points say nothing about the new one) and, until the new owner's
 * metrics arrive, the load assumed is the prediction the move relied on.
 */
export function monitorShards(
  view: ClusterView,
  config: SpmConfig,
  tickIntervalMs: number,
  previous: SpmState,
): { shards: Map<string, ShardTick>; workers: Map<string, WorkerTick>; events: DecisionEvent[] } {
  const events: DecisionEvent[] = [];
  const workers = new Map<string, WorkerTick>();
  for (const worker of [...view.workers].sort((a, b) => cmp(a.workerId, b.workerId))) {
    workers.set(worker.workerId, { worker, load: 0, loadAtHorizon: 0 });
  }
  const params: HoltParams = { levelSmoothing: config.levelSmoothing, trendSmoothing: config.trendSmoothing, referencePeriodMs: tickIntervalMs };
  const shards = new Map<string, ShardTick>();
  for (const partition of [...view.partitions].sort((a, b) => cmp(a.shardId, b.shardId))) {
    if (partition.state !== 'OPEN') continue;
    const state = advanceShardState(view, params, previous, partition, workers);
    const forecast = forecastSeries(state.series, view.nowMs, config.horizonMs, config.trendDampingPerPeriod);
    const ownData = forecast.points > 0;
    const utilization = ownData ? forecast.utilization : (state.assumedUtilization ?? partition.utilization);
    const utilizationAtHorizon = ownData ? forecast.utilizationAtHorizon : utilization;
    const ingestFractionAtHorizon = ingestFraction(view.shardLimits, forecast.recordsPerSecAtHorizon, forecast.bytesPerSecAtHorizon);
    const peak = Math.max(utilization, utilizationAtHorizon);
    const above = utilization >= config.hotThreshold;
    const hotTicks = above ? state.hotTicks + 1 : 0;
    const coolTicks = peak < config.coolThreshold ? state.coolTicks + 1 : 0;
    // Hot after `hotTicks` ticks above the threshold, at once when the forecast crosses it (that is the
    // point of forecasting), and at once when already at the overload threshold or the ingest limit.
    // A shard without metrics of its own yet (a new child, a shard just moved) is judged once they arrive.
    // The ingest does not depend on the owner, so it counts at once.
    const hot =
      (ownData && (hotTicks >= config.hotTicks || utilizationAtHorizon >= config.hotThreshold || utilization >= config.overloadThreshold)) ||
      ingestFractionAtHorizon >= config.splitIngestFraction;
    if (hot && !state.hot) {
      events.push({
        type: 'hot-detected',
        shardId: partition.shardId,
        utilization,
        forecast: utilizationAtHorizon,
        reason: `shard ${partition.shardId} is hot: utilization ${fmt(utilization)} (${hotTicks} ticks at or above ${fmt(config.hotThreshold)}), forecast ${fmt(utilizationAtHorizon)} in ${Math.round(config.horizonMs / 1000)} s, ingest at ${fmt(ingestFractionAtHorizon * 100, 0)} % of the shard limit`,
      });
    }
    const next: SpmShardState = { ...state, hotTicks, coolTicks, hot };
    shards.set(partition.shardId, { partition, state: next, forecast, utilization, utilizationAtHorizon, ingestFractionAtHorizon, hot });
    const owner = workers.get(partition.ownerWorkerId);
    if (owner) {
      owner.load += utilization;
      owner.loadAtHorizon += utilizationAtHorizon;
    }
  }
  // Workers whose total forecast crosses the overload threshold make their largest shard hot too: a
  // shard can be fine in its own slot while its worker has too few slots for all of its shards.
  for (const w of workers.values()) {
    if (w.loadAtHorizon / w.worker.slots < config.overloadThreshold) continue;
    const largest = [...shards.values()]
      .filter((s) => s.partition.ownerWorkerId === w.worker.workerId)
      .sort((a, b) => b.utilizationAtHorizon - a.utilizationAtHorizon || cmp(a.partition.shardId, b.partition.shardId))[0];
    if (largest && !largest.hot) {
      shards.set(largest.partition.shardId, { ...largest, hot: true, state: { ...largest.state, hot: true } });
      if (!largest.state.hot) {
        events.push({
          type: 'hot-detected',
          shardId: largest.partition.shardId,
          utilization: largest.utilization,
          forecast: largest.utilizationAtHorizon,
          reason: `worker ${w.worker.workerId} is forecast at ${fmt(w.loadAtHorizon / w.worker.slots)} per slot (overload at ${fmt(config.overloadThreshold)}); its largest shard ${largest.partition.shardId} is hot`,
        });
      }
    }
  }
  return { shards, workers, events };
}

function advanceShardState(
  view: ClusterView,
  params: HoltParams,
  previous: SpmState,
  partition: PartitionMetadata,
  workers: Map<string, WorkerTick>,
): SpmShardState {
  const points = view.shardMetrics[partition.shardId] ?? [];
  const prior = previous.shards[partition.shardId];
  let state: SpmShardState;
  if (!prior) {
    state = { ownerWorkerId: partition.ownerWorkerId, series: emptySeries(0), hotTicks: 0, coolTicks: 0, hot: false, rateMultiplier: 1, hits: 0 };
    if (partition.parentShardIds.length > 0) {
      // A child's first period is partial (it opened inside it): skip it, or the ramp from half a period
      // to a full one reads as a trend. Its per-record cost starts from the parent's, scaled by speed.
      const first = [...points].sort((a, b) => a.atMs - b.atMs)[0];
      const parent = partition.parentShardIds.map((id) => previous.shards[id]).find((p) => p?.series.costMsPerRecord !== undefined);
      const parentSpeed = parent ? (workers.get(parent.ownerWorkerId)?.worker.speed ?? 1) : 1;
      const ownSpeed = workers.get(partition.ownerWorkerId)?.worker.speed ?? 1;
      const cost = parent?.series.costMsPerRecord !== undefined ? (parent.series.costMsPerRecord * parentSpeed) / ownSpeed : undefined;
      state = {
        ...state,
        series: { ...emptySeries(first ? first.atMs + first.periodMs : view.nowMs), ...(cost === undefined ? {} : { costMsPerRecord: cost }) },
      };
    }
    const split = previous.splits.find((s) => partition.parentShardIds.includes(s.parentShardId));
    if (split) {
      // A child of our own split: its first metrics arrive minutes later; until then it carries the
      // share of the parent's load the split predicted.
      const isLow = partition.hashKeyRange.start < BigInt(split.splitKey);
      const onPlannedWorker = partition.ownerWorkerId === (isLow ? split.lowWorkerId : split.highWorkerId);
      const assumed = onPlannedWorker ? (isLow ? split.lowUtilization : split.highUtilization) : undefined;
      state = { ...state, ...(assumed === undefined ? {} : { assumedUtilization: assumed }) };
    }
  } else if (prior.ownerWorkerId !== partition.ownerWorkerId) {
    const pending = previous.pending.find((p) => p.shardId === partition.shardId && p.toWorkerId === partition.ownerWorkerId);
    const movedAtMs = pending?.movedAtMs ?? partition.lastMoveAtMs ?? view.nowMs;
    const oldSpeed = workers.get(prior.ownerWorkerId)?.worker.speed ?? 1;
    const newSpeed = workers.get(partition.ownerWorkerId)?.worker.speed ?? 1;
    // Without a prediction (someone else moved it), the speed ratio is the only hint there is.
    const assumed = pending?.prediction.utilization ?? (prior.series.lastUtilization * oldSpeed) / newSpeed;
    state = {
      ...prior,
      ownerWorkerId: partition.ownerWorkerId,
      // Record and byte rates do not depend on the owner and carry over; utilization and cost restart.
      series: {
        ...prior.series,
        utilization: undefined,
        coveredUntilMs: Math.max(prior.series.coveredUntilMs, movedAtMs),
        costMsPerRecord: (pending ? predictedCostMs(pending.prediction) : undefined) ?? ((prior.series.costMsPerRecord ?? 0) * oldSpeed) / newSpeed,
      },
      assumedUtilization: assumed,
      hotTicks: 0,
      lastMoveAtMs: movedAtMs,
    };
  } else {
    state = prior;
  }
  const series = updateSeries(state.series, points, params);
  return { ...state, series };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
