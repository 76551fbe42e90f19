import type { Action, MoveAction } from '../../model/actions.js';
import type { DecisionEvent } from '../../model/decision.js';
import type { PartitionMetadata } from '../../model/partition.js';
import type { Policy } from '../policy.js';
import {
  byValueThenId,
  fmt,
  newestPoint,
  ownedPartitions,
  processedBytesPerSec,
  processedRecordsPerSec,
  shardUtilization,
  workerBusyUtilization,
} from './baseline-metrics.js';

/** Consecutive ticks each worker has been observed overloaded (workers absent from the view are dropped). */
export interface ReactiveThresholdState {
  readonly overloadStreak: Readonly<Record<string, number>>;
}

const RULE = 'reactive-threshold';

/**
 * `reactive-threshold` — re-implementation of US patent 10127086, claims 1–3: track each partition's
 * utilization; weigh a partition by the rate at which its data is read; a worker's total partition weight is
 * the sum of its partitions' weights; reassign a partition to a worker whose total weight is below the
 * fleet's average total weight.
 *
 * It is reactive: a worker qualifies as a source only after it has been *observed* overloaded (its busy
 * fraction, or one of its shards' busy fraction, at or above `overloadUtilization`) for `overloadTicks`
 * consecutive ticks, and only while its weight is above average × (1 + `aboveAverageFraction`). The target is
 * the lightest worker below the average. The patent does not say which partition moves; we take the one that
 * leaves the pair most even, and never one that would leave the target heavier than the source was (that
 * would only swap the imbalance). Weights are source-side numbers: worker speed and per-record cost are
 * invisible to it, which is the gap the SPM's shadows measure.
 *
 * Time base: one observation per tick (`tickIntervalMs`); the patent states no cadence. At most
 * `maxMovesPerTick` moves per tick; weights are recomputed after each planned move.
 */
export const reactiveThresholdPolicy: Policy<ReactiveThresholdState> = {
  name: 'reactive-threshold',
  label: 'reactive-threshold (re-implementation of US patent 10127086 claims 1-3: read-rate weights, move to below-average workers)',
  initialState: () => ({ overloadStreak: {} }),
  decide(view, config, state) {
    const cfg = config.baselines.reactiveThreshold;
    const events: DecisionEvent[] = [];
    const partitions = ownedPartitions(view);

    const weightOf = new Map<string, number>();
    const observed = new Map<string, number>();
    for (const w of view.workers) {
      weightOf.set(w.workerId, 0);
      const point = newestPoint(view.workerMetrics[w.workerId]);
      observed.set(w.workerId, point ? workerBusyUtilization(point, w.slots) : 0);
    }
    const partitionWeight = new Map<string, number>();
    for (const p of partitions) {
      const points = view.shardMetrics[p.shardId];
      const newest = newestPoint(points);
      const weight = !newest ? 0 : cfg.weightBasis === 'bytes' ? processedBytesPerSec(points) : processedRecordsPerSec(newest);
      partitionWeight.set(p.shardId, weight);
      weightOf.set(p.ownerWorkerId, (weightOf.get(p.ownerWorkerId) ?? 0) + weight);
      if (newest) observed.set(p.ownerWorkerId, Math.max(observed.get(p.ownerWorkerId) ?? 0, shardUtilization(newest)));
    }

    const overloadStreak: Record<string, number> = {};
    for (const w of view.workers) {
      const over = (observed.get(w.workerId) ?? 0) >= cfg.overloadUtilization;
      overloadStreak[w.workerId] = over ? (state.overloadStreak[w.workerId] ?? 0) + 1 : 0;
    }
    const nextState: ReactiveThresholdState = { overloadStreak };
    if (view.workers.length < 2) return { actions: [], events, nextState };

    const total = [...weightOf.values()].reduce((a, b) => a + b, 0);
    const average = total / view.workers.length;
    const aboveLimit = average * (1 + cfg.aboveAverageFraction);
    const overloaded = view.workers.filter((w) => (overloadStreak[w.workerId] ?? 0) >= cfg.overloadTicks).map((w) => w.workerId);

    for (const id of overloaded) {
      if ((weightOf.get(id) ?? 0) <= aboveLimit) {
        events.push(hold(`worker ${id} is overloaded (observed ${fmt(observed.get(id) ?? 0)}) but its weight ${fmt(weightOf.get(id) ?? 0)} is not above average × ${fmt(1 + cfg.aboveAverageFraction, 2)} (${fmt(aboveLimit)})`));
      }
    }

    const actions: Action[] = [];
    const moved = new Set<string>();
    const owner = new Map(partitions.map((p) => [p.shardId, p.ownerWorkerId]));
    while (actions.length < cfg.maxMovesPerTick) {
      const move = planOneMove(overloaded, partitions, owner, moved, weightOf, partitionWeight, average, aboveLimit, overloadStreak, events);
      if (!move) break;
      actions.push(move);
      moved.add(move.shardId);
      owner.set(move.shardId, move.toWorkerId);
      const w = partitionWeight.get(move.shardId) ?? 0;
      weightOf.set(move.fromWorkerId, (weightOf.get(move.fromWorkerId) ?? 0) - w);
      weightOf.set(move.toWorkerId, (weightOf.get(move.toWorkerId) ?? 0) + w);
    }
    if (actions.length >= cfg.maxMovesPerTick && actions.length > 0) {
      const stillAbove = overloaded.filter((id) => (weightOf.get(id) ?? 0) > aboveLimit);
      if (stillAbove.length > 0) events.push({ type: 'follow-up-needed', reason: `move budget of ${cfg.maxMovesPerTick} per tick used; still above average: ${stillAbove.join(', ')}` });
    }
    return { actions, events: unique(events), nextState };
  },
};

/** The best single move off the heaviest qualifying source, or undefined (with a hold event) if there is none. */
function planOneMove(
  overloaded: readonly string[],
  partitions: readonly PartitionMetadata[],
  owner: ReadonlyMap<string, string>,
  moved: ReadonlySet<string>,
  weightOf: ReadonlyMap<string, number>,
  partitionWeight: ReadonlyMap<string, number>,
  average: number,
  aboveLimit: number,
  overloadStreak: Readonly<Record<string, number>>,
  events: DecisionEvent[],
): MoveAction | undefined {
  const weight = (id: string): number => weightOf.get(id) ?? 0;
  const sources = overloaded.filter((id) => weight(id) > aboveLimit).sort(byValueThenId(weight, (id) => id, 'desc'));
  const targets = [...weightOf.keys()].filter((id) => weight(id) < average).sort(byValueThenId(weight, (id) => id, 'asc'));
  for (const source of sources) {
    // Sources are above average × (1 + fraction), targets below average: never the same worker.
    const target = targets[0];
    if (!target) {
      events.push(hold(`worker ${source} is above average but no worker is below the average weight ${fmt(average)}`));
      continue;
    }
    const sw = weight(source);
    const tw = weight(target);
    let best: { p: PartitionMetadata; w: number; spread: number } | undefined;
    for (const p of partitions) {
      if (owner.get(p.shardId) !== source || p.state !== 'OPEN' || moved.has(p.shardId)) continue;
      const w = partitionWeight.get(p.shardId) ?? 0;
      if (w <= 0 || tw + w >= sw) continue;
      const spread = Math.max(sw - w, tw + w);
      if (!best || spread < best.spread || (spread === best.spread && p.shardId < best.p.shardId)) best = { p, w, spread };
    }
    if (!best) {
      events.push(hold(`no partition of ${source} (weight ${fmt(sw)}) can move to ${target} (weight ${fmt(tw)}) without leaving ${target} at least as heavy`));
      continue;
    }
    return {
      type: 'move',
      shardId: best.p.shardId,
      fromWorkerId: source,
      toWorkerId: target,
      expectedEpoch: best.p.epoch,
      reason: `${source} observed overloaded for ${overloadStreak[source] ?? 0} ticks with weight ${fmt(sw)} > average ${fmt(average)}; ${target} is below average (${fmt(tw)}); moving weight ${fmt(best.w)}`,
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
