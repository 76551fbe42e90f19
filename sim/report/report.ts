import type { Simulation } from '../engine/engine.js';
import { dispatcherSideUsd, kinesisUsd } from './data-plane-cost.js';
import { PRICES, SPM_FUNCTION } from './prices.js';

/** The cost estimate of one run, USD, with the quantities it comes from. */
export interface CostEstimate {
  readonly shardHours: number;
  readonly lambdaGbSeconds: number;
  /** Dispatcher + worker (primary) + shadow invocations + SPM ticks. */
  readonly invocations: number;
  readonly shadowInvocations: number;
  readonly metricsRequested: number;
  /** Batches through Foreshadow's dispatcher (each with its metadata calls and EMF line); 0 on a plain mapping. */
  readonly dispatchedBatches?: number;
  /** `dynamodb`: metadata reads and writes per dispatched batch; `logs`: EMF ingestion (sim/report/data-plane-cost.ts). */
  readonly usd: { readonly kinesis: number; readonly lambda: number; readonly cloudwatch: number; readonly dynamodb?: number; readonly logs?: number; readonly total: number };
}

/**
 * One policy's figures for one run.
 *
 * `overloadSeconds`: simulated seconds (steps, scaled to seconds) in which at least one of these held:
 * (a) a shard's owner processed it for all the time it could get and still had records queued from before
 * the second (owner-side utilization ≥ 1: processing falls behind); (b) a worker's demand exceeded its
 * slots, so its shards were rationed; (c) a shard's iterator age exceeded the profile's
 * `overloadIteratorAgeMs` (30 s on `aws`) — this also catches children waiting on a slow parent and
 * backlogs still draining. Throttling at the shard's write limit is counted separately: `throttledRecords` are
 * records rejected at least once (each counted once, however often the producer retried it).
 */
export interface PolicyReport {
  readonly policy: string;
  readonly label: string;
  readonly overloadSeconds: number;
  readonly throttledRecords: number;
  /** Records the producer gave up on after the record TTL (never accepted by the stream). */
  readonly droppedRecords: number;
  readonly acceptedRecords: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly maxIteratorAgeMs: number;
  readonly moves: number;
  /** Moves back to the worker a shard left less than the SPM's cooldown before (ping-pong); a rollback counts. */
  readonly movesBack: number;
  readonly splits: number;
  readonly merges: number;
  readonly shardCountUpdates: number;
  readonly shadows: number;
  readonly rejectedActions: number;
  /**
   * Handoff pause (DESIGN §5), shard-seconds: time in which a shard with queued records could not be
   * processed because a move's handoff pause was running or because it was a child whose parents had not
   * drained yet. Absent where it is not measured (the local runtime's report).
   */
  readonly handoffPauseSeconds?: number;
  /** The part of `handoffPauseSeconds` that children spent waiting for their parents to drain. */
  readonly parentWaitSeconds?: number;
  /**
   * Shards still behind on their owner at the end of the run: behind (owner-side utilization ≥ 1) in every
   * step of the last metric period. Each needs a move or a split to catch up. Absent where not measured.
   */
  readonly shardsBehindAtEnd?: number;
  /** Shadow busy time as a percentage of all busy time (primary + shadow function). */
  readonly shadowOverheadPercent: number;
  /** Mean absolute percentage error of scored predictions, percent; null when nothing was scored. */
  readonly predictionMapePercent: number | null;
  readonly predictionsScored: number;
  /** Time-weighted mean replication rate over live shadows (fraction); null without shadows. */
  readonly meanReplicationRate: number | null;
  readonly cost: CostEstimate;
}

export function summarize(sim: Simulation, policy: { name: string; label: string }): PolicyReport {
  const s = sim.stats;
  const shardHours = s.openShardMs / 3_600_000;
  // Only a policy with a scheduled decision function pays one (not `static`, a mapping setting or Kinesis' own scaling).
  const spmTicks = sim.deployment.decisionFunction ? s.ticks : 0;
  const spmGbMs = spmTicks * SPM_FUNCTION.msPerTick * (SPM_FUNCTION.memoryMb / 1024);
  const lambdaGbSeconds = (s.workerGbMs + s.dispatcherGbMs + spmGbMs) / 1000;
  const invocations = s.dispatcherInvocations + s.workerInvocations + s.shadowInvocations + spmTicks;
  return {
    policy: policy.name,
    label: policy.label,
    overloadSeconds: (s.overloadSteps * sim.profile.stepMs) / 1000,
    throttledRecords: s.throttledRecords,
    droppedRecords: s.droppedRecords,
    acceptedRecords: s.acceptedRecords,
    latencyMs: { p50: round(s.latency.quantile(0.5)), p99: round(s.latency.quantile(0.99)), max: round(s.latency.max) },
    maxIteratorAgeMs: round(s.maxIteratorAgeMs),
    moves: s.moves,
    movesBack: s.movesBack.count,
    splits: s.splits,
    merges: s.merges,
    shardCountUpdates: s.shardCountUpdates,
    shadows: s.shadowsCreated,
    rejectedActions: s.rejectedActions,
    handoffPauseSeconds: round((s.movePauseMs + s.parentWaitMs) / 1000, 1),
    parentWaitSeconds: round(s.parentWaitMs / 1000, 1),
    shardsBehindAtEnd: [...sim.shards.values()].filter((x) => x.drainedAtMs === undefined && x.behindSteps * sim.profile.stepMs >= sim.metricPeriodMs).length,
    ...shadowFigures(s),
    cost: costEstimate({
      shardHours,
      lambdaGbSeconds,
      invocations,
      shadowInvocations: s.shadowInvocations,
      metricsRequested: s.metricQueries,
      acceptedRecords: s.acceptedRecords,
      dispatchedBatches: s.dispatcherInvocations,
      ...(s.decisionReadUnits + s.decisionWriteUnits > 0 ? { decisionTableUnits: { readUnits: s.decisionReadUnits, writeUnits: s.decisionWriteUnits } } : {}),
      dispatchedRecords: sim.deployment.dataPlane === 'dispatcher' ? [...sim.output.values()].reduce((a, b) => a + b, 0) : 0,
      kinesisUsd: kinesisUsd({
        capacityMode: sim.deployment.capacityMode,
        shardHours,
        streamHours: sim.durationMs / 3_600_000,
        acceptedRecords: s.acceptedRecords,
        readRecords: [...sim.output.values()].reduce((a, b) => a + b, 0),
        recordSizeBytes: sim.options.scenario.recordSizeBytes,
      }),
    }),
  };
}

/** The shadow columns of a report, defined once for the simulator and the local runtime. */
export function shadowFigures(s: {
  readonly primaryBusyMs: number;
  readonly shadowBusyMs: number;
  readonly predictionErrors: readonly number[];
  readonly shadowSeconds: number;
  readonly shadowRateSeconds: number;
}): Pick<PolicyReport, 'shadowOverheadPercent' | 'predictionMapePercent' | 'predictionsScored' | 'meanReplicationRate'> {
  const busy = s.primaryBusyMs + s.shadowBusyMs;
  const errors = s.predictionErrors;
  return {
    shadowOverheadPercent: busy > 0 ? round((100 * s.shadowBusyMs) / busy, 3) : 0,
    predictionMapePercent: errors.length > 0 ? round((100 * errors.reduce((a, b) => a + b, 0)) / errors.length, 2) : null,
    predictionsScored: errors.length,
    meanReplicationRate: s.shadowSeconds > 0 ? round(s.shadowRateSeconds / s.shadowSeconds, 4) : null,
  };
}

/** Prices the usage of a run (PRICES), defined once for the simulator and the local runtime. */
export function costEstimate(u: {
  readonly shardHours: number;
  readonly lambdaGbSeconds: number;
  readonly invocations: number;
  readonly shadowInvocations: number;
  readonly metricsRequested: number;
  readonly acceptedRecords: number;
  /** Batches through the dispatcher, priced with their metadata calls and EMF line (omitted: not priced). */
  readonly dispatchedBatches?: number;
  /** Records in those batches (EMF bytes are per record). */
  readonly dispatchedRecords?: number;
  /** The Kinesis bill when it is not provisioned shard-hours and PUT units (on-demand mode). */
  readonly kinesisUsd?: number;
  /** DynamoDB request units of the decision path's own tables (the SPM tick, KCL's lease table). */
  readonly decisionTableUnits?: { readonly readUnits: number; readonly writeUnits: number };
}): CostEstimate {
  const kinesis = u.kinesisUsd ?? u.shardHours * PRICES.shardHour + (u.acceptedRecords / 1e6) * PRICES.putPayloadUnitsPerMillion;
  const lambda = u.lambdaGbSeconds * PRICES.lambdaGbSecond + (u.invocations / 1e6) * PRICES.lambdaRequestsPerMillion;
  const cloudwatch = (u.metricsRequested / 1000) * PRICES.getMetricDataPerThousandMetrics;
  const side = u.dispatchedBatches === undefined ? undefined : dispatcherSideUsd(u.dispatchedBatches, u.dispatchedRecords ?? 0);
  const table = u.decisionTableUnits;
  const decisionDynamodb = table ? (table.readUnits / 1e6) * PRICES.dynamoReadUnitsPerMillion + (table.writeUnits / 1e6) * PRICES.dynamoWriteUnitsPerMillion : 0;
  const dynamodb = (side?.dynamodb ?? 0) + decisionDynamodb;
  const total = kinesis + lambda + cloudwatch + dynamodb + (side ? side.logs : 0);
  return {
    shardHours: round(u.shardHours, 3),
    lambdaGbSeconds: round(u.lambdaGbSeconds, 1),
    invocations: u.invocations,
    shadowInvocations: u.shadowInvocations,
    metricsRequested: u.metricsRequested,
    ...(u.dispatchedBatches !== undefined ? { dispatchedBatches: u.dispatchedBatches } : {}),
    usd: {
      kinesis: round(kinesis, 4),
      lambda: round(lambda, 4),
      cloudwatch: round(cloudwatch, 4),
      ...(side || table ? { dynamodb: round(dynamodb, 4) } : {}),
      ...(side ? { logs: round(side.logs, 4) } : {}),
      total: round(total, 4),
    },
  };
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
