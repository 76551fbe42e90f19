import type { ClusterView } from '../../model/cluster-view.js';
import type { DecisionEvent } from '../../model/decision.js';
import type { Deployment, TableUnits } from '../deployment.js';
import type { Policy } from '../policy.js';
import { workerBusyUtilization } from '../../model/metrics.js';
import { newestPoint, ownedPartitions, processedBytesPerSec } from './baseline-metrics.js';
import { balanceWorkerVariance } from './kcl3-variance-balance.js';

/** An exponential moving average and the start of the newest metric point folded into it. */
export interface Ema {
  readonly value: number;
  readonly atMs: number;
}

export interface Kcl3VarianceState {
  /** Assignment rounds run so far (one per decision, 20 s apart on aws). */
  readonly round: number;
  /** Per-lease (shard) throughput EMA, in bytes read per second. */
  readonly leaseThroughput: Readonly<Record<string, Ema>>;
  /** Per-worker utilization EMA (busy fraction of its slots), KCL's CPU metric. */
  readonly workerUtilization: Readonly<Record<string, Ema>>;
}

/**
 * `kcl3-variance` — re-implementation of KCL 3.x's leader-based lease balancing
 * (awslabs/amazon-kinesis-client `VarianceBasedLeaseAssignmentDecider`, `docs/kcl_3x_deep-dive.md`).
 *
 * Inputs, as in KCL: a per-lease throughput EMA (α 0.5; bytes read per second, estimated from the shard
 * metrics) and a per-worker utilization EMA (α 0.5). KCL's worker metric is CPU; here it is the worker's
 * busy time / (slots × period) from the worker metrics, the closest thing a Lambda worker has. Each EMA
 * folds in a metric point once, when a newer one appears.
 *
 * Every `balanceEveryNthTick`-th round, if any worker is outside average × (1 ± 10 %), each worker at or
 * above the upper limit (or, when only a worker below the lower limit triggered it, the most loaded one)
 * sheds (util − avg)/util × dampening of its assigned throughput: leases picked in random (seeded) order
 * whose throughput fits under that amount, or the smallest one if none fits. Each goes to the worker with
 * the most room to the average; a target the lease would push above the average (projected as lease
 * throughput × average utilization / average throughput per worker, KCL's extrapolation) is refused, and that
 * source stops for the round. The projection is source-side: the target's speed is never measured. There is
 * no minimum-impact guard (PR #1814 proposes one), so it churns at low utilization as users report.
 *
 * Time base and data path (deployment below). One decision is one assignment round: KCL 3.x runs one every
 * 2 × `failoverTimeMillis` = 20 s (`LeaseManagementConfig`, `LeaseAssignmentManager`), so here every
 * `tickIntervalMs` / 3 (20 s on the aws profile), and balancing runs every `balanceEveryNthTick` = 3rd round:
 * every 60 s, the first round included, as KCL counts it (rounds 1, 4, 7, ...). Its inputs come from its lease
 * table, not CloudWatch (`lease-table` path: the simulator's 30-s points with no publishing delay, as KCL's
 * worker values are 30-s averages, and its EMA runs over those). A
 * move is a graceful handoff: the new owner discovers the lease at its next discovery pass, ~10 s
 * (`DynamoDBLeaseCoordinator`), so the shard is processed by nobody for `tickIntervalMs` / 6 (10 s on aws);
 * a shutdown that uses its full 30-s checkpoint timeout would be longer. Not modelled: assignment of expired
 * or unassigned leases (every shard here has an owner), operating-range limits, max leases or throughput per
 * worker (KCL's defaults leave them unlimited). Its lease and worker-metrics tables are priced per round
 * (`kclLeaseTableUnits`: renewals, metric writes, the leader's scans; not the application's checkpoints). On
 * Lambda, placing a lease on a worker needs Foreshadow's dispatcher, so it runs on that data plane.
 */
export const kcl3VariancePolicy: Policy<Kcl3VarianceState> = {
  name: 'kcl3-variance',
  label: 'kcl3-variance (re-implementation of KCL 3.x VarianceBasedLeaseAssignmentDecider: utilization-variance lease balancing)',
  deployment: {
    dataPath: 'lease-table',
    dataPlane: 'dispatcher',
    capacityMode: 'provisioned',
    decisionFunction: true,
    metricsPerDecision: () => 0,
    lanesPerShard: () => 1,
    decisionIntervalMs: (config) => Math.round(config.tickIntervalMs / 3),
    handoffPauseMs: (config) => Math.round(config.tickIntervalMs / 6),
    tableUnitsPerDecision: kclLeaseTableUnits,
  } satisfies Deployment,
  initialState: () => ({ round: 0, leaseThroughput: {}, workerUtilization: {} }),
  decide(view, config, state) {
    const cfg = config.baselines.kcl3Variance;
    const nextState: Kcl3VarianceState = {
      round: state.round + 1,
      leaseThroughput: updateLeaseThroughput(view, state.leaseThroughput, cfg.leaseThroughputEmaAlpha),
      workerUtilization: updateWorkerUtilization(view, state.workerUtilization, cfg.workerUtilizationEmaAlpha),
    };
    // KCL counts the first round in: balancing runs at rounds 1, 1 + N, 1 + 2N, ...
    if ((nextState.round - 1) % cfg.balanceEveryNthTick !== 0) {
      const reason = `variance balancing runs every ${cfg.balanceEveryNthTick} rounds, the first included; this is round ${nextState.round}`;
      const events: DecisionEvent[] = [{ type: 'hold', rule: 'kcl3-variance.cadence', reason }];
      return { actions: [], events, nextState };
    }
    const { actions, events } = balanceWorkerVariance(view, cfg, nextState);
    return { actions, events, nextState };
  },
};

/** KCL renews each lease every failoverTimeMillis / 3 (10 s / 3): one conditional UpdateItem of a small item. */
export const KCL_LEASE_RENEWAL_MS = 10_000 / 3;
/** Each KCL worker writes its metric stats (CPU) to the worker metrics table every 30 s. */
export const KCL_WORKER_METRICS_MS = 30_000;
/** Size of a lease item and of a worker metrics item, in KB, for the leader's scans (4 KB per half RRU, eventually consistent). */
const KCL_LEASE_ITEM_KB = 0.5;
const KCL_WORKER_ITEM_KB = 1;

/**
 * KCL's own DynamoDB traffic per assignment round of `intervalMs`: lease renewals (1 WRU each), worker metric
 * writes (1 WRU each), and the leader's scans of both tables each round (eventually consistent reads). The
 * application's checkpoints are not counted: how often it checkpoints is the application's choice.
 */
export function kclLeaseTableUnits(openShards: number, workers: number, intervalMs: number): TableUnits {
  const scan = (items: number, itemKb: number): number => Math.ceil((items * itemKb) / 4) * 0.5;
  return {
    readUnits: scan(openShards, KCL_LEASE_ITEM_KB) + scan(workers, KCL_WORKER_ITEM_KB),
    writeUnits: (openShards * intervalMs) / KCL_LEASE_RENEWAL_MS + (workers * intervalMs) / KCL_WORKER_METRICS_MS,
  };
}

function fold(previous: Ema | undefined, value: number, atMs: number, alpha: number): Ema {
  if (!previous) return { value, atMs };
  if (atMs <= previous.atMs) return previous;
  return { value: alpha * value + (1 - alpha) * previous.value, atMs };
}

function updateLeaseThroughput(view: ClusterView, previous: Readonly<Record<string, Ema>>, alpha: number): Record<string, Ema> {
  const next: Record<string, Ema> = {};
  for (const p of ownedPartitions(view)) {
    const points = view.shardMetrics[p.shardId];
    const newest = newestPoint(points);
    const before = previous[p.shardId];
    if (newest) next[p.shardId] = fold(before, processedBytesPerSec(points), newest.atMs, alpha);
    else if (before) next[p.shardId] = before;
  }
  return next;
}

function updateWorkerUtilization(view: ClusterView, previous: Readonly<Record<string, Ema>>, alpha: number): Record<string, Ema> {
  const next: Record<string, Ema> = {};
  for (const w of view.workers) {
    const newest = newestPoint(view.workerMetrics[w.workerId]);
    const before = previous[w.workerId];
    if (newest) next[w.workerId] = fold(before, workerBusyUtilization(newest, w.slots), newest.atMs, alpha);
    else if (before) next[w.workerId] = before;
  }
  return next;
}
