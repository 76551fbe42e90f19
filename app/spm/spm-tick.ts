import type { ForeshadowConfig } from '../../core/config/index.js';
import type { ClusterView, DecisionEvent, WorkerNodeMetadata } from '../../core/model/index.js';
import { KINESIS_SHARD_WRITE_LIMITS, reconcileWorkerPool } from '../../core/model/index.js';
import type { Policy } from '../../core/policies/index.js';
import type { AuditEntry, Clock, CrashPoint, MetadataStore, MetricsSource, StreamControl } from '../../core/ports/index.js';
import { applyActions, type AppliedAction } from './action-applier.js';
import { discoverShards } from './shard-discovery.js';

export interface SpmTickDeps {
  readonly metadata: MetadataStore;
  readonly metrics: MetricsSource;
  readonly stream: StreamControl;
  readonly clock: Clock;
  readonly policy: Policy<unknown>;
  readonly config: ForeshadowConfig;
  /** Identifies the tick in the audit log (a Lambda request id, or a counter locally). */
  readonly tickId: string;
  /**
   * Workers the deployment defines. Each tick reconciles the registered pool with them (classes added,
   * resized, removed; shards of a removed class moved first). @default [] (no reconciliation)
   */
  readonly workers?: readonly WorkerNodeMetadata[];
  /** Period of the metric points the view holds, in ms. @default 60000 (CloudWatch's shard metrics) */
  readonly metricsPeriodMs?: number;
  /** Metric periods loaded into the view, newest last. @default 10 */
  readonly metricsLookbackPeriods?: number;
  /** Kinesis' per-shard write limits. @default 1000 records/s and 1 MiB/s */
  readonly shardLimits?: ClusterView['shardLimits'];
  /** Wait for ACTIVE after a reshard, in ms. @default 30000 */
  readonly reshardTimeoutMs?: number;
  /** Fault injection at named steps of apply (core/ports/crash-points.port.ts): tests only. @default none */
  readonly crashPoint?: CrashPoint;
}

export interface TickReport {
  readonly tickId: string;
  /** False when another SPM run claimed this tick first: nothing was applied. */
  readonly claimed: boolean;
  readonly discovered: readonly string[];
  /** Moves and shadow drops the worker pool's reconciliation applied before the decision. */
  readonly reconciled: readonly AppliedAction[];
  readonly results: readonly AppliedAction[];
  readonly events: readonly DecisionEvent[];
}

/**
 * One SPM tick: load → decide → apply.
 *
 * Load reads the policy state and its version first, then builds the ClusterView through the ports (after
 * registering workers and creating the partitions of new shards). Decide is the pure policy. Apply first
 * claims the tick: the policy's next state is saved conditionally on the version loaded before the view, so
 * of two runs that loaded the same state only one goes on, and a run whose view may predate another run's
 * claim (that run saved in between) loses too; the loser applies nothing and says so. The winner applies the actions in order with epoch-conditional
 * writes (which also fence against a run that loaded a different state), and records every action, applied
 * or not, and every event in the audit log.
 */
export async function runSpmTick(deps: SpmTickDeps): Promise<TickReport> {
  const { workers, results: reconciled } = await reconcileWorkers(deps);
  const discovered = await discoverShards(deps, workers);
  // The state (and its version) before the view: a run that saves a newer state after this read, and may
  // change the metadata after it, makes this run's conditional save below fail, so this run never acts on a
  // view older than the state it would overwrite.
  const stored = await deps.metadata.loadPolicyState(deps.policy.name);
  const view = await loadView(deps);
  const decision = deps.policy.decide(view, deps.config, stored?.state ?? deps.policy.initialState());
  const claim = await deps.metadata.savePolicyState(deps.policy.name, decision.nextState, stored?.version ?? 0);
  const audit = (entry: AuditEntry['entry']): AuditEntry => ({ atMs: view.nowMs, policy: deps.policy.name, tickId: deps.tickId, entry });
  const reconciledEntries = reconciled.map((r) => audit({ kind: 'action', action: r.action, applied: r.applied, detail: r.detail }));
  if (!claim.ok) {
    const event: DecisionEvent = { type: 'hold', rule: 'tick-claim', reason: `another SPM run claimed this tick first (${claim.reason}: ${claim.detail}); nothing applied` };
    await deps.metadata.appendAudit([...reconciledEntries, audit({ kind: 'event', event })]);
    return { tickId: deps.tickId, claimed: false, discovered, reconciled, results: [], events: [event] };
  }
  const results = await applyActions({ metadata: deps.metadata, stream: deps.stream, clock: deps.clock, reshardTimeoutMs: deps.reshardTimeoutMs, crashPoint: deps.crashPoint }, view, decision.actions);
  const entries = [
    ...reconciledEntries,
    ...results.map((r) => audit({ kind: 'action', action: r.action, applied: r.applied, detail: r.detail })),
    ...decision.events.map((event) => audit({ kind: 'event', event })),
  ];
  if (entries.length > 0) await deps.metadata.appendAudit(entries);
  return { tickId: deps.tickId, claimed: true, discovered, reconciled, results, events: decision.events };
}

/**
 * Brings the registered worker pool in line with the deployment (core reconcileWorkerPool): writes added
 * and resized classes, deletes removed ones, drops their shadows and moves their shards, and drops a
 * forward shadow left on its shard's owner by a run that died mid-promotion, all before the policy decides,
 * so the view it decides on holds only deployed workers and live shadows. The moves are epoch-conditional
 * like any other; one lost to a concurrent run is planned again next tick.
 */
async function reconcileWorkers(deps: SpmTickDeps): Promise<{ workers: WorkerNodeMetadata[]; results: AppliedAction[] }> {
  const deployed = deps.workers ?? [];
  const [registered, partitions, shadows] = await Promise.all([deps.metadata.listWorkers(), deps.metadata.listPartitions(), deps.metadata.listShadows()]);
  const plan = reconcileWorkerPool(registered, deployed, partitions, shadows);
  for (const worker of plan.put) await deps.metadata.putWorker(worker);
  for (const workerId of plan.removed) await deps.metadata.deleteWorker(workerId);
  const workers = deployed.length === 0 ? registered : [...deployed];
  const actions = [...plan.drops, ...plan.moves];
  const results = actions.length === 0 ? [] : await applyActions({ metadata: deps.metadata, stream: deps.stream, clock: deps.clock }, { partitions, workers, shadows }, actions);
  return { workers, results };
}

/** Reads everything `decide` needs, at one instant. */
export async function loadView(deps: SpmTickDeps): Promise<ClusterView> {
  const nowMs = deps.clock.nowMs();
  const periodMs = deps.metricsPeriodMs ?? 60_000;
  const fromMs = nowMs - periodMs * (deps.metricsLookbackPeriods ?? 10);
  const [streamStatus, partitions, workers, shadows, shadowStats] = await Promise.all([
    deps.stream.streamStatus(),
    deps.metadata.listPartitions(),
    deps.metadata.listWorkers(),
    deps.metadata.listShadows(),
    deps.metadata.listShadowStats(),
  ]);
  // Only the fields the policy decides on: GetMetricData bills every metric read, every tick.
  const fields = deps.policy.metricFields;
  const [shardMetrics, workerMetrics] = await Promise.all([
    deps.metrics.shardMetrics(
      partitions.map((p) => p.shardId),
      fromMs,
      nowMs,
      periodMs,
      fields?.shards,
    ),
    fields?.workers.length === 0
      ? Object.fromEntries(workers.map((w) => [w.workerId, []]))
      : deps.metrics.workerMetrics(
          workers.map((w) => w.workerId),
          fromMs,
          nowMs,
          periodMs,
          fields?.workers,
        ),
  ]);
  return {
    nowMs,
    streamStatus,
    partitions,
    workers,
    shadows,
    shadowStats,
    shardMetrics,
    workerMetrics,
    shardLimits: deps.shardLimits ?? KINESIS_SHARD_WRITE_LIMITS,
  };
}
