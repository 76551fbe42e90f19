import type { BaselinesConfig } from '../../config/baselines.config.js';
import type { Action } from '../../model/actions.js';
import type { ClusterView } from '../../model/cluster-view.js';
import type { DecisionEvent } from '../../model/decision.js';
import type { PartitionMetadata } from '../../model/partition.js';
import { seededRandom, type Random } from '../../random.js';
import { byValueThenId, fmt, ownedPartitions } from './baseline-metrics.js';
import type { Kcl3VarianceState } from './kcl3-variance.policy.js';

type Kcl3Config = BaselinesConfig['kcl3Variance'];
const RULE = 'kcl3-variance';

/**
 * One run of KCL's `balanceWorkerVariance` over the smoothed inputs in `state`. Returns moves with
 * reasons, and holds that explain every move not made.
 */
export function balanceWorkerVariance(
  view: ClusterView,
  cfg: Kcl3Config,
  state: Kcl3VarianceState,
): { actions: Action[]; events: DecisionEvent[] } {
  const events: DecisionEvent[] = [];
  const hold = (reason: string): { actions: Action[]; events: DecisionEvent[] } => ({ actions: [], events: [{ type: 'hold', rule: RULE, reason }] });

  // KCL balances only workers that report metrics.
  const workers = view.workers.map((w) => w.workerId).filter((id) => state.workerUtilization[id] !== undefined);
  if (workers.length < 2) return hold(`fewer than 2 workers report utilization (${workers.length})`);
  const assignable = new Set(workers);
  const utilization = new Map(workers.map((id) => [id, state.workerUtilization[id]?.value ?? 0]));
  const average = [...utilization.values()].reduce((a, b) => a + b, 0) / workers.length;
  const upper = average * (1 + cfg.varianceThresholdPercent / 100);
  const lower = average * (1 - cfg.varianceThresholdPercent / 100);
  const util = (id: string): number => utilization.get(id) ?? 0;

  if (!workers.some((id) => util(id) > upper || util(id) < lower)) {
    return hold(`every worker's utilization is within average ${fmt(average)} × (1 ± ${cfg.varianceThresholdPercent} %) = [${fmt(lower)}, ${fmt(upper)}]`);
  }
  let sources = workers.filter((id) => util(id) >= upper);
  if (sources.length === 0) sources = [[...workers].sort(byValueThenId(util, (id) => id, 'desc'))[0]!];

  const partitions = ownedPartitions(view).filter((p) => assignable.has(p.ownerWorkerId));
  const owner = new Map(partitions.map((p) => [p.shardId, p.ownerWorkerId]));
  const throughput = (shardId: string): number => state.leaseThroughput[shardId]?.value ?? 0;
  const assignedThroughput = (workerId: string): number =>
    partitions.filter((p) => owner.get(p.shardId) === workerId).reduce((sum, p) => sum + throughput(p.shardId), 0);
  const averageThroughput = partitions.reduce((sum, p) => sum + throughput(p.shardId), 0) / workers.length;
  const targetLeasesPerWorker = Math.max(Math.floor(partitions.length / workers.length), 1);

  const damping = cfg.dampeningPercent / 100;
  const toTake = new Map(sources.map((id) => [id, (assignedThroughput(id) * (util(id) - average) / util(id)) * damping]));
  sources.sort(byValueThenId((id) => toTake.get(id) ?? 0, (id) => id, 'desc'));

  // Projected utilization of each worker as leases are assigned, and the queue of workers by room to the average.
  const projected = new Map(utilization);
  const queue = new Set(workers);
  const room = (id: string): number => {
    const u = projected.get(id) ?? 0;
    return u === 0 ? 1 : (average - u) / u;
  };
  const poll = (): string | undefined => {
    const best = [...queue].sort(byValueThenId(room, (id) => id, 'desc'))[0];
    if (best !== undefined) queue.delete(best);
    return best;
  };
  const increase = (leaseThroughput: number): number =>
    averageThroughput > 0 ? (leaseThroughput * average) / averageThroughput : average / targetLeasesPerWorker;

  const actions: Action[] = [];
  const random = seededRandom(state.round);
  for (const source of sources) {
    const take = toTake.get(source) ?? 0;
    const own = partitions.filter((p) => owner.get(p.shardId) === source && p.state === 'OPEN');
    const leases = assignedThroughput(source) === 0 ? own.slice(0, 1) : leasesCombiningTo(own, take, throughput, cfg.allowThroughputOvershoot, random);
    if (leases.length === 0) {
      events.push({ type: 'hold', rule: RULE, reason: `${source} is above the band but has no lease to shed under ${fmt(take)} B/s` });
      continue;
    }
    for (const lease of leases) {
      if (actions.length >= cfg.maxMovesPerTick) {
        events.push({ type: 'follow-up-needed', reason: `move budget of ${cfg.maxMovesPerTick} per round used` });
        return { actions, events };
      }
      const target = poll();
      if (target === undefined) break;
      const before = projected.get(target) ?? 0;
      const after = before + increase(throughput(lease.shardId));
      if (after > average) {
        events.push({
          type: 'hold',
          rule: RULE,
          shardId: lease.shardId,
          reason: `refused ${target} for ${lease.shardId}: projected utilization ${fmt(before)} → ${fmt(after)} would exceed the average ${fmt(average)}; ${source} stops for this round`,
        });
        break;
      }
      queue.add(target);
      if (target === source) continue;
      actions.push({
        type: 'move',
        shardId: lease.shardId,
        fromWorkerId: source,
        toWorkerId: target,
        expectedEpoch: lease.epoch,
        reason:
          `${source} utilization ${fmt(util(source))} is outside average ${fmt(average)} × (1 ± ${cfg.varianceThresholdPercent} %); ` +
          `shedding (util − avg)/util × ${cfg.dampeningPercent} % of ${fmt(assignedThroughput(source), 0)} B/s = ${fmt(take, 0)} B/s; ` +
          `lease ${fmt(throughput(lease.shardId), 0)} B/s to ${target} (projected ${fmt(before)} → ${fmt(after)})`,
      });
      projected.set(target, after);
      owner.set(lease.shardId, target);
    }
  }
  return { actions, events };
}

/**
 * KCL's `getLeasesCombiningToThroughput`: shuffle the leases, keep each whose throughput still leaves some
 * of the amount to take, and fall back to the smallest lease when none fits and overshoot is allowed.
 */
function leasesCombiningTo(
  leases: readonly PartitionMetadata[],
  amount: number,
  throughput: (shardId: string) => number,
  allowOvershoot: boolean,
  random: Random,
): PartitionMetadata[] {
  const shuffled = [...leases].sort((a, b) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0));
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const picked: PartitionMetadata[] = [];
  let remaining = amount;
  for (const lease of shuffled) {
    const t = throughput(lease.shardId);
    if (remaining - t <= 0) continue;
    remaining -= t;
    picked.push(lease);
  }
  if (picked.length === 0 && allowOvershoot && shuffled.length > 0) {
    picked.push([...shuffled].sort(byValueThenId((p) => throughput(p.shardId), (p) => p.shardId, 'asc'))[0]!);
  }
  return picked;
}
