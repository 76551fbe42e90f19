import type { ShadowStats } from '../core/model/metrics.js';
import type { PartitionMetadata } from '../core/model/partition.js';
import type { ShadowPartition } from '../core/model/shadow.js';
import type { WorkerNodeMetadata } from '../core/model/worker.js';
import { MAX_HASH_KEY } from '../core/model/hash-key.js';
import type { DashboardDecision, DashboardPoint, DashboardState, RunPhase } from './dashboard/state.js';
import type { ProducerStats } from './load/producer.js';
import type { TelemetryTap } from './telemetry-tap.js';
import { MovesBack } from '../sim/report/moves-back.js';

/** What the sampler reads once a second. */
export interface Snapshot {
  readonly atMs: number;
  readonly partitions: readonly PartitionMetadata[];
  readonly workers: readonly WorkerNodeMetadata[];
  readonly shadows: readonly ShadowPartition[];
  readonly shadowStats: readonly ShadowStats[];
  readonly producer: ProducerStats;
  readonly acceptedByShard: ReadonlyMap<string, number>;
}

export interface RunInfo {
  readonly scenario: string;
  readonly policy: string;
  readonly durationSec: number;
  readonly timeScale: number;
  /** Iterator age above which a second counts as overloaded, in wall ms. */
  readonly overloadIteratorAgeMs: number;
}

const MAX_POINTS = 900;
const MAX_DECISIONS = 300;
/**
 * Window over which a shard's busy fraction is judged for overload, in wall ms: busy time is credited when a
 * batch ends, so one second alone is lumpy (a 1.5 s batch lands in one second). @default 5000
 */
export const OVERLOAD_WINDOW_MS = 5000;
/** A shard whose owner was busy at least this fraction of a second is saturated (it is processed sequentially). */
export const SATURATED_UTILIZATION = 0.98;

/**
 * The live state of a local run: turns once-a-second snapshots and the telemetry tap's counters into the
 * dashboard's JSON (rates, utilizations, predictions, lag and latency per second) and keeps the figures the
 * final report needs that only exist over time (overload seconds, replication rate over time).
 */
export class RunState {
  phase: RunPhase = 'starting';
  message: string | undefined;
  private startedAtMs: number | undefined;
  private last: Snapshot | undefined;
  private prev: { atMs: number; accepted: Map<string, number>; busy: Map<string, number>; workerBusy: Map<string, { primary: number; shadow: number }>; produced: number; applied: number; throttled: number } | undefined;
  private readonly points: DashboardPoint[] = [];
  private readonly decisionLog: DashboardDecision[] = [];
  /** Recent (atMs, primary busy ms) per shard, for overload over a window rather than one lumpy second. */
  private readonly busyHistory = new Map<string, { atMs: number; busyMs: number }[]>();
  private shardRates = new Map<string, { ingest: number; utilization: number; iteratorAgeMs: number }>();
  private workerUtil = new Map<string, { primary: number; shadow: number }>();
  /** Figures over time for the report. */
  overloadWallSec = 0;
  shadowRateSec = 0;
  shadowSec = 0;
  moves = 0;
  /** Moves back to the worker a shard left within the SPM's cooldown (ping-pong), counted as the simulator counts them. */
  readonly movesBack = new MovesBack();
  splits = 0;
  shadowsCreated = 0;
  rejectedActions = 0;
  predictionErrors: number[] = [];
  /** Per shard, the run second it first counted as overloaded (saturated owner or iterator age above the limit). */
  readonly firstOverloadAtSec = new Map<string, number>();
  /** Per second, how many open shards there were (for shard-hours). */
  openShardSec = 0;

  constructor(
    readonly info: RunInfo,
    private readonly tap: TelemetryTap,
  ) {}

  start(atMs: number): void {
    this.startedAtMs = atMs;
    this.phase = 'running';
  }

  elapsedSec(nowMs: number): number {
    return this.startedAtMs === undefined ? 0 : (nowMs - this.startedAtMs) / 1000;
  }

  /** Records a decision (applied or not) or an event of the SPM tick, with its reason. */
  decision(atMs: number, d: Omit<DashboardDecision, 'atSec'>): void {
    this.decisionLog.push({ atSec: round(this.elapsedSec(atMs), 1), ...d });
    if (this.decisionLog.length > MAX_DECISIONS) this.decisionLog.splice(0, this.decisionLog.length - MAX_DECISIONS);
  }

  /** Takes one snapshot: per-second rates since the previous one, one point of every series. */
  sample(s: Snapshot): void {
    const tap = this.tap;
    const accepted = new Map(s.acceptedByShard);
    const busy = new Map([...tap.shards].map(([id, c]) => [id, c.primaryBusyMs]));
    const workerBusy = new Map([...tap.workers].map(([id, c]) => [id, { primary: c.primaryBusyMs, shadow: c.shadowBusyMs }]));
    const applied = [...tap.shards.values()].reduce((a, c) => a + c.primaryRecords, 0);
    const ages = tap.takeIteratorAges();
    const latency = tap.takeWindowLatency();
    const prev = this.prev;
    const dtSec = prev ? Math.max(0.001, (s.atMs - prev.atMs) / 1000) : 0;
    const shardPoints: Record<string, { actual: number; predicted?: number }> = {};
    let overloaded = false;
    if (prev) {
      const rates = new Map<string, { ingest: number; utilization: number; iteratorAgeMs: number }>();
      for (const p of s.partitions) {
        const ingest = ((accepted.get(p.shardId) ?? 0) - (prev.accepted.get(p.shardId) ?? 0)) / dtSec;
        const utilization = ((busy.get(p.shardId) ?? 0) - (prev.busy.get(p.shardId) ?? 0)) / 1000 / dtSec;
        const iteratorAgeMs = ages.get(p.shardId) ?? 0;
        rates.set(p.shardId, { ingest, utilization, iteratorAgeMs });
        if (p.state === 'OPEN' || utilization > 0) {
          const predicted = predictedUtilization(p, s.shadowStats);
          shardPoints[p.shardId] = { actual: round(utilization, 3), ...(predicted === undefined ? {} : { predicted: round(predicted, 3) }) };
        }
        const history = this.busyHistory.get(p.shardId) ?? [];
        history.push({ atMs: s.atMs, busyMs: busy.get(p.shardId) ?? 0 });
        while (history.length > 1 && s.atMs - history[0]!.atMs > OVERLOAD_WINDOW_MS) history.shift();
        this.busyHistory.set(p.shardId, history);
        const span = s.atMs - history[0]!.atMs;
        const windowUtilization = span >= OVERLOAD_WINDOW_MS / 2 ? (history.at(-1)!.busyMs - history[0]!.busyMs) / span : 0;
        if (windowUtilization >= SATURATED_UTILIZATION || iteratorAgeMs > this.info.overloadIteratorAgeMs) {
          overloaded = true;
          if (!this.firstOverloadAtSec.has(p.shardId)) this.firstOverloadAtSec.set(p.shardId, round(this.elapsedSec(s.atMs), 1));
        }
      }
      this.shardRates = rates;
      this.workerUtil = new Map(
        s.workers.map((w) => {
          const now = workerBusy.get(w.workerId) ?? { primary: 0, shadow: 0 };
          const before = prev.workerBusy.get(w.workerId) ?? { primary: 0, shadow: 0 };
          return [w.workerId, { primary: (now.primary - before.primary) / 1000 / dtSec / w.slots, shadow: (now.shadow - before.shadow) / 1000 / dtSec / w.slots }];
        }),
      );
      if (overloaded) this.overloadWallSec += dtSec;
      this.openShardSec += dtSec * s.partitions.filter((p) => p.state === 'OPEN').length;
      for (const sh of s.shadows) {
        this.shadowRateSec += sh.rate * dtSec;
        this.shadowSec += dtSec;
      }
      this.points.push({
        atSec: round(this.elapsedSec(s.atMs), 1),
        producedPerSec: round((s.producer.accepted - prev.produced) / dtSec, 1),
        appliedPerSec: round((applied - prev.applied) / dtSec, 1),
        throttledPerSec: round((s.producer.throttled - prev.throttled) / dtSec, 1),
        maxIteratorAgeMs: Math.max(0, ...ages.values()),
        latencyP50Ms: round(latency.p50),
        latencyP99Ms: round(latency.p99),
        shards: shardPoints,
      });
      if (this.points.length > MAX_POINTS) this.points.splice(0, this.points.length - MAX_POINTS);
    }
    this.prev = { atMs: s.atMs, accepted, busy, workerBusy, produced: s.producer.accepted, applied, throttled: s.producer.throttled };
    this.last = s;
  }

  /** Records applied by owners so far (the tap's count). */
  get applied(): number {
    return [...this.tap.shards.values()].reduce((a, c) => a + c.primaryRecords, 0);
  }

  dashboard(nowMs: number): DashboardState {
    const s = this.last;
    const partitions = s?.partitions ?? [];
    const stats = new Map((s?.shadowStats ?? []).map((st) => [st.shadowId, st]));
    return {
      run: {
        phase: this.phase,
        scenario: this.info.scenario,
        policy: this.info.policy,
        elapsedSec: round(this.elapsedSec(nowMs), 1),
        durationSec: this.info.durationSec,
        timeScale: this.info.timeScale,
        scenarioSec: round(this.elapsedSec(nowMs) * this.info.timeScale),
        ...(this.message === undefined ? {} : { message: this.message }),
      },
      totals: {
        produced: s?.producer.accepted ?? 0,
        applied: this.applied,
        throttled: s?.producer.throttled ?? 0,
        producerRetries: s?.producer.retries ?? 0,
        shadowRecords: this.tap.shadowRecords,
        moves: this.moves,
        splits: this.splits,
        shadowsCreated: this.shadowsCreated,
      },
      shards: [...partitions]
        .sort((a, b) => (a.state === b.state ? a.shardId.localeCompare(b.shardId) : a.state === 'OPEN' ? -1 : 1))
        .map((p) => {
          const r = this.shardRates.get(p.shardId);
          const predicted = predictedUtilization(p, s?.shadowStats ?? []);
          return {
            shardId: p.shardId,
            state: p.state,
            ownerWorkerId: p.ownerWorkerId,
            epoch: p.epoch,
            hashKeyStart: p.hashKeyRange.start.toString(),
            hashKeyEnd: p.hashKeyRange.end.toString(),
            rangeFrom: fraction(p.hashKeyRange.start),
            rangeTo: fraction(p.hashKeyRange.end + 1n),
            parentShardIds: p.parentShardIds,
            ingestRecordsPerSec: round(r?.ingest ?? 0, 1),
            utilization: round(r?.utilization ?? 0, 3),
            ...(predicted === undefined ? {} : { predictedUtilization: round(predicted, 3) }),
            iteratorAgeMs: round(r?.iteratorAgeMs ?? 0),
          };
        }),
      workers: (s?.workers ?? []).map((w) => ({
        workerId: w.workerId,
        workerClass: w.workerClass,
        speed: w.speed,
        slots: w.slots,
        busySlots: this.tap.workers.get(w.workerId)?.running ?? 0,
        utilization: round(this.workerUtil.get(w.workerId)?.primary ?? 0, 3),
        shadowUtilization: round(this.workerUtil.get(w.workerId)?.shadow ?? 0, 3),
        shardIds: partitions.filter((p) => p.state === 'OPEN' && p.ownerWorkerId === w.workerId).map((p) => p.shardId),
      })),
      shadows: (s?.shadows ?? []).map((sh) => {
        const st = stats.get(sh.shadowId);
        const predicted = st ? shadowPrediction(st) : undefined;
        return {
          shadowId: sh.shadowId,
          shardId: sh.shardId,
          workerId: sh.workerId,
          kind: sh.kind,
          rate: sh.rate,
          samples: st?.records ?? 0,
          ...(predicted === undefined ? {} : { predictedUtilization: round(predicted, 3) }),
        };
      }),
      decisions: this.decisionLog,
      series: this.points,
    };
  }
}

/**
 * The shard's utilization on its shadow's worker, as the shadow measured it: busy ms of the sampled records
 * scaled by 1/r, per ms of the window (the SPM's own prediction when the partition carries one).
 */
export function predictedUtilization(p: PartitionMetadata, stats: readonly ShadowStats[]): number | undefined {
  if (p.predictedUtilization) return p.predictedUtilization.utilization;
  const st = stats.find((x) => x.shardId === p.shardId && x.shadowId === p.shadowPartitionId);
  return st ? shadowPrediction(st) : undefined;
}

export function shadowPrediction(st: ShadowStats): number | undefined {
  const windowMs = st.toMs - st.fromMs;
  if (st.records === 0 || st.rate <= 0 || windowMs <= 0) return undefined;
  return st.busyMs / st.rate / windowMs;
}

function fraction(key: bigint): number {
  return Number((key * 1_000_000n) / (MAX_HASH_KEY + 1n)) / 1_000_000;
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
