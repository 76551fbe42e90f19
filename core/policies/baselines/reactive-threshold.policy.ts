import type { Action, MoveAction } from '../../model/actions.js';
import type { ClusterView } from '../../model/cluster-view.js';
import type { DecisionEvent } from '../../model/decision.js';
import type { PartitionMetadata } from '../../model/partition.js';
import type { BaselinesConfig } from '../../config/baselines.config.js';
import type { Policy } from '../policy.js';
import {
  byValueThenId,
  fmt,
  newestPoint,
  ownedPartitions,
  processedBytesPerSec,
  processedRecordsPerSec,
  shardUtilization,
} from './baseline-metrics.js';
import { workerBusyUtilization } from '../../model/metrics.js';

export interface ReactiveThresholdState {
  /** Consecutive ticks each worker has been observed overloaded (workers absent from the view are dropped). */
  readonly overloadStreak: Readonly<Record<string, number>>;
  /** When this policy last moved a shard off or onto each worker: older metric points describe another layout. */
  readonly movedAtMs: Readonly<Record<string, number>>;
}

type ReactiveConfig = BaselinesConfig['reactiveThreshold'];
const RULE = 'reactive-threshold';

/**
 * `reactive-threshold` — re-implementation of US patent 10127086, claims 1–3: track each partition's
 * utilization; weigh a partition by the rate at which its data is read; a worker's total partition weight is
 * the sum of its partitions' weights; reassign a partition to a worker whose total weight is below the
 * fleet's average total weight.
 *
 * It is reactive: a worker qualifies as a source only after it has been *observed* overloaded (its busy
 * fraction, or one of its shards', at or above `overloadUtilization`) for `overloadTicks` consecutive ticks,
 * and only while its weight is above average × (1 + `aboveAverageFraction`). The target is the lightest
 * worker below the average. The patent does not say which partition moves. Ours: an overloaded partition
 * itself (the claims reassign "based on the utilization of the partitions"), else the partition that leaves
 * the pair most even without leaving the target heavier than the source was. Metric points that started
 * before this policy's last move on a worker are not counted as observations of that worker.
 *
 * Weights are source-side numbers: worker speed and per-record cost are invisible to it, so an overloaded
 * shard may land on a slow worker and be moved again once overload is observed there — the gap the SPM's
 * shadows measure. Time base: one observation per tick (`tickIntervalMs`); the patent states no cadence. At
 * most `maxMovesPerTick` moves per tick; weights are recomputed after each planned move.
 */
export const reactiveThresholdPolicy: Policy<ReactiveThresholdState> = {
  name: 'reactive-threshold',
  label: 'reactive-threshold (re-implementation of US patent 10127086 claims 1-3: read-rate weights, move to below-average workers)',
  initialState: () => ({ overloadStreak: {}, movedAtMs: {} }),
  decide(view, config, state) {
    const cfg = config.baselines.reactiveThreshold;
    const events: DecisionEvent[] = [];
    const partitions = ownedPartitions(view);
    const movedAtMs: Record<string, number> = {};
    for (const w of view.workers) if (state.movedAtMs[w.workerId] !== undefined) movedAtMs[w.workerId] = state.movedAtMs[w.workerId]!;
    const { weightOf, partitionWeight, observed, hotShards } = observe(view, partitions, cfg, movedAtMs);

    const overloadStreak: Record<string, number> = {};
    for (const w of view.workers) {
      const over = (observed.get(w.workerId) ?? 0) >= cfg.overloadUtilization;
      overloadStreak[w.workerId] = over ? (state.overloadStreak[w.workerId] ?? 0) + 1 : 0;
    }
    const done = (actions: Action[]) => ({ actions, events: unique(events), nextState: { overloadStreak, movedAtMs } });
    if (view.workers.length < 2) return done([]);

    const average = [...weightOf.values()].reduce((a, b) => a + b, 0) / view.workers.length;
    const aboveLimit = average * (1 + cfg.aboveAverageFraction);
    const overloaded = view.workers.filter((w) => (overloadStreak[w.workerId] ?? 0) >= cfg.overloadTicks).map((w) => w.workerId);
    for (const id of overloaded) {
      if ((weightOf.get(id) ?? 0) <= aboveLimit) {
        events.push(hold(`worker ${id} is overloaded (observed ${fmt(observed.get(id) ?? 0)}) but its weight ${fmt(weightOf.get(id) ?? 0)} is not above average × ${fmt(1 + cfg.aboveAverageFraction, 2)} (${fmt(aboveLimit)})`));
      }
    }

    const actions: Action[] = [];
    const plan: Plan = { partitions, owner: new Map(partitions.map((p) => [p.shardId, p.ownerWorkerId])), moved: new Set(), weightOf, partitionWeight, hotShards, average, aboveLimit };
    while (actions.length < cfg.maxMovesPerTick) {
      const move = planOneMove(plan, overloaded, overloadStreak, events);
      if (!move) break;
      actions.push(move);
      plan.moved.add(move.shardId);
      plan.owner.set(move.shardId, move.toWorkerId);
      const w = partitionWeight.get(move.shardId) ?? 0;
      weightOf.set(move.fromWorkerId, (weightOf.get(move.fromWorkerId) ?? 0) - w);
      weightOf.set(move.toWorkerId, (weightOf.get(move.toWorkerId) ?? 0) + w);
      movedAtMs[move.fromWorkerId] = view.nowMs;
      movedAtMs[move.toWorkerId] = view.nowMs;
    }
    if (actions.length > 0 && actions.length >= cfg.maxMovesPerTick) {
      const stillAbove = overloaded.filter((id) => (weightOf.get(id) ?? 0) > aboveLimit);
      if (stillAbove.length > 0) events.push({ type: 'follow-up-needed', reason: `move budget of ${cfg.maxMovesPerTick} per tick used; still above average: ${stillAbove.join(', ')}` });
    }
    return done(actions);
  },
};

/** Weights (read rates) and observed utilizations, counting only points taken since the worker's last move. */
function observe(view: ClusterView, partitions: readonly PartitionMetadata[], cfg: ReactiveConfig, movedAtMs: Readonly<Record<string, number>>) {
  const weightOf = new Map<string, number>();
  const observed = new Map<string, number>();
  const partitionWeight = new Map<string, number>();
  const hotShards = new Map<string, number>();
  for (const w of view.workers) {
    weightOf.set(w.workerId, 0);
    const point = newestPoint(view.workerMetrics[w.workerId]);
    const fresh = point && point.atMs >= (movedAtMs[w.workerId] ?? -Infinity);
    observed.set(w.workerId, fresh ? workerBusyUtilization(point, w.slots) : 0);
  }
  for (const p of partitions) {
    const points = view.shardMetrics[p.shardId];
    const newest = newestPoint(points);
    const weight = !newest ? 0 : cfg.weightBasis === 'bytes' ? processedBytesPerSec(points) : processedRecordsPerSec(newest);
    partitionWeight.set(p.shardId, weight);
    weightOf.set(p.ownerWorkerId, (weightOf.get(p.ownerWorkerId) ?? 0) + weight);
    // A point from before the shard (or its owner) last changed hands measured another worker.
    const since = Math.max(movedAtMs[p.ownerWorkerId] ?? -Infinity, p.lastMoveAtMs ?? -Infinity);
    if (!newest || newest.atMs < since) continue;
    const u = shardUtilization(newest);
    observed.set(p.ownerWorkerId, Math.max(observed.get(p.ownerWorkerId) ?? 0, u));
    if (u >= cfg.overloadUtilization) hotShards.set(p.shardId, u);
  }
  return { weightOf, partitionWeight, observed, hotShards };
}

interface Plan {
  readonly partitions: readonly PartitionMetadata[];
  readonly owner: Map<string, string>;
  readonly moved: Set<string>;
  readonly weightOf: Map<string, number>;
  readonly partitionWeight: ReadonlyMap<string, number>;
  /** Shards observed at or above the overload threshold, with their utilization. */
  readonly hotShards: ReadonlyMap<string, number>;
  readonly average: number;
  readonly aboveLimit: number;
}

/** One move off the heaviest qualifying source, or undefined (with hold events) if there is none. */
function planOneMove(plan: Plan, overloaded: readonly string[], streak: Readonly<Record<string, number>>, events: DecisionEvent[]): MoveAction | undefined {
  const weight = (id: string): number => plan.weightOf.get(id) ?? 0;
  const sources = overloaded.filter((id) => weight(id) > plan.aboveLimit).sort(byValueThenId(weight, (id) => id, 'desc'));
  // Sources are above average × (1 + fraction), targets below average: never the same worker.
  const target = [...plan.weightOf.keys()].filter((id) => weight(id) < plan.average).sort(byValueThenId(weight, (id) => id, 'asc'))[0];
  for (const source of sources) {
    if (!target) {
      events.push(hold(`worker ${source} is above average but no worker is below the average weight ${fmt(plan.average)}`));
      continue;
    }
    const sw = weight(source);
    const tw = weight(target);
    const movable = plan.partitions.filter((p) => plan.owner.get(p.shardId) === source && p.state === 'OPEN' && !plan.moved.has(p.shardId));
    const hot = movable
      .filter((p) => plan.hotShards.has(p.shardId))
      .sort(byValueThenId((p) => plan.hotShards.get(p.shardId) ?? 0, (p) => p.shardId, 'desc'))[0];
    let chosen = hot;
    if (!chosen) {
      let bestSpread = Infinity;
      for (const p of movable) {
        const w = plan.partitionWeight.get(p.shardId) ?? 0;
        if (w <= 0 || tw + w >= sw) continue;
        const spread = Math.max(sw - w, tw + w);
        if (spread < bestSpread || (spread === bestSpread && chosen !== undefined && p.shardId < chosen.shardId)) [chosen, bestSpread] = [p, spread];
      }
    }
    if (!chosen) {
      events.push(hold(`no partition of ${source} (weight ${fmt(sw)}) can move to ${target} (weight ${fmt(tw)}) without leaving ${target} at least as heavy`));
      continue;
    }
    const w = plan.partitionWeight.get(chosen.shardId) ?? 0;
    const why = hot ? `its partition ${chosen.shardId} is overloaded (utilization ${fmt(plan.hotShards.get(chosen.shardId) ?? 0)})` : `moving weight ${fmt(w)} evens the pair`;
    return {
      type: 'move',
      shardId: chosen.shardId,
      fromWorkerId: source,
      toWorkerId: target,
      expectedEpoch: chosen.epoch,
      reason: `${source} observed overloaded for ${streak[source] ?? 0} ticks with weight ${fmt(sw)} > average ${fmt(plan.average)}; ${target} is below average (${fmt(tw)}); ${why}`,
    };
  }
  return undefined;
}

/** A planning loop may meet the same hold twice; record it once. */
function unique(events: readonly DecisionEvent[]): DecisionEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    const key = JSON.stringify(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function hold(reason: string): DecisionEvent {
  return { type: 'hold', rule: RULE, reason };
}
