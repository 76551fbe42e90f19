import { DEFAULTS } from '../../definitions/resources.js';
import type { ForeshadowConfig } from '../../core/config/index.js';
import { evenRanges } from '../../core/model/hash-key.js';
import { KINESIS_SHARD_WRITE_LIMITS } from '../../core/model/cluster-view.js';
import { DISPATCHER_ON_CLOUDWATCH, FORESHADOW_DEPLOYMENT, deploymentOf, type DataPath, type Deployment } from '../../core/policies/index.js';
import type { ClusterView } from '../../core/model/cluster-view.js';
import type { Policy } from '../../core/policies/policy.js';
import { seededRandom, type Random } from '../../core/random.js';
import type { SimObserver } from '../invariants.js';
import { profileByName, type Profile } from '../profiles.js';
import { scenarioConfig } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { buildWorld, hotKeyRateAt, regionCostAt, regionRateAt, scenarioWorkerId, type ScenarioWorld } from '../scenario/world.js';
import { applyAction, completeReshards, type ActionResult, type PendingReshard } from './apply.js';
import { closePeriod } from './metrics.js';
import { processStep } from './process.js';
import type { SimShadow, SimShard, SimWorker } from './state.js';
import { RunStats } from './stats.js';
import { newShard, shardIdFor } from './topology.js';
import { buildView } from './view.js';
import type { Action } from '../../core/model/actions.js';

export interface SimulationOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  /** Policy ticked every `config.tickIntervalMs`; none = nothing ever rebalances (tests drive actions). */
  readonly policy?: Policy<unknown>;
  /** Decision configuration; default: the scenario's (profile tick, then its overrides). */
  readonly config?: ForeshadowConfig;
  readonly observer?: SimObserver;
  /** Every policy sees metric points as soon as their period ends (`--same-information`), whatever its data path. */
  readonly sameInformation?: boolean;
  /** Timing of the world instead of the scenario's profile (the twin of a local run: its compressed timing in scenario time). */
  readonly profile?: Profile;
  /** Kinesis' per-shard write limits × this (the twin of a local run, whose rates and limits are scaled alike). @default 1 */
  readonly shardLimitScale?: number;
  /**
   * Foreshadow as the previous release deployed it, for a policy on Foreshadow's own deployment: every owner
   * invoked on its worker function (no inline class) and every metric read from CloudWatch (no metadata-table
   * path). `npm run bench:doc` prices spm both ways. @default false
   */
  readonly previousRelease?: boolean;
}

/**
 * The deterministic simulator. It advances in fixed steps of `profile.stepMs` (1 s on `aws`, 100 ms on
 * `local`) rather than event by event: with hundreds of records per shard per second, a per-record event
 * queue would cost millions of events per simulated hour, while a step that ends at a batch boundary of
 * every shard keeps the things that matter exact — sequence numbers, epochs, which worker processed which
 * batch, when a parent drained — and aggregates records into chunks for cost and latency. Ticks, metric
 * periods, reshard completions and scenario events all fall on step boundaries. All randomness comes from
 * `seededRandom(seed)`: one stream for traffic and costs, a second, derived from the same seed, for the noise
 * of shadow samples, so a shadow never changes the traffic or the primary path; there is no wall-clock time
 * anywhere.
 *
 * One step: scenario events → finished reshards → SPM tick (if due) → processing on every worker (queued
 * records only) → arrivals of this step (throttled at the shard limits, retried by the producer) → metrics.
 */
export class Simulation {
  readonly world: ScenarioWorld;
  readonly profile: Profile;
  /** Kinesis' per-shard write limits, as the producer meets them and the policy is told. */
  readonly shardLimits: typeof KINESIS_SHARD_WRITE_LIMITS;
  readonly config: ForeshadowConfig;
  readonly random: Random;
  /** Noise of shadow samples only (see the class comment). */
  readonly shadowRandom: Random;
  readonly stats = new RunStats();
  /** What the policy runs on: data plane (dispatcher pool or one plain mapping), lanes, metric delay. */
  readonly deployment: Deployment;
  /** Concurrent batches per shard (ParallelizationFactor). */
  readonly lanes: number;
  /** Delay after a period's end until the policy sees its point: the profile's CloudWatch delay, or none. */
  /**
   * The worker class the dispatcher processes itself on Foreshadow's deployment (infra `inlineWorkerClass`:
   * the one with the least memory): its batches cost no second invocation and no wait billed twice. Priced
   * only: its capacity is still its slots here, where on AWS each of its shards has an invocation.
   */
  readonly inlineClass: string | undefined;
  /** Memory of the dispatcher function, which bills its wait on an invoked owner (DEFAULTS.dispatcherMemoryMb, or the inline class's). */
  readonly dispatcherMemoryMb: number;
  /** How late the policy sees a shard's metric point (its data path). */
  readonly viewDelayMs: number;
  /**
   * Length of the metric points this run's policy sees: the profile's, except on KCL's lease table, whose
   * worker values are 30-s averages (`LEASE_TABLE_PERIOD_MS`); with --same-information every policy gets the
   * profile's period.
   */
  readonly metricPeriodMs: number;
  /** How late a policy on the `metadata-table` path sees what it still reads from CloudWatch: worker points and write throttles. */
  readonly cloudwatchDelayMs: number;
  /** Time between two decisions of the policy. */
  readonly decisionIntervalMs: number;
  /** Time a moved shard is processed by nobody. */
  readonly handoffPauseMs: number;
  readonly shards = new Map<string, SimShard>();
  readonly workers: SimWorker[];
  readonly workerById = new Map<string, SimWorker>();
  readonly shadows = new Map<string, SimShadow>();
  /** Output of the primary path per shard (what the processor writes); shadows never add to it. */
  readonly output = new Map<string, number>();
  pendingReshards: PendingReshard[] = [];
  /** Times of UpdateShardCount calls, for the 10-per-24h limit. */
  readonly shardCountUpdateTimes: number[] = [];
  nowMs = 0;
  shardCounter = 0;
  readonly regionRate: Float64Array;
  readonly regionCost: Float64Array;
  private policyState: unknown;
  private nextTickMs: number;
  private readonly appliedEvents = new Set<number>();

  constructor(readonly options: SimulationOptions) {
    const { scenario, seed } = options;
    this.profile = options.profile ?? profileByName(scenario.profile);
    this.shardLimits = scaledWriteLimits(options.shardLimitScale ?? 1);
    const config = options.config ?? scenarioConfig(scenario);
    // The previous release had no burst lanes: its SPM did not count on them either.
    this.config = options.previousRelease ? { ...config, lanes: { ...config.lanes, max: 1 } } : config;
    this.random = seededRandom(seed);
    this.shadowRandom = seededRandom((seed ^ SHADOW_STREAM) >>> 0);
    this.world = buildWorld(scenario, seed);
    const deployed = options.policy ? deploymentOf(options.policy) : FORESHADOW_DEPLOYMENT;
    // The previous release had no burst lanes either.
    this.deployment = options.previousRelease && deployed === FORESHADOW_DEPLOYMENT ? { ...DISPATCHER_ON_CLOUDWATCH, burstLanes: false } : deployed;
    this.lanes = this.deployment.lanesPerShard(this.config);
    this.viewDelayMs = options.sameInformation ? 0 : viewDelayOf(this.deployment.dataPath, this.profile);
    this.cloudwatchDelayMs = options.sameInformation ? 0 : this.profile.metricDelayMs;
    this.metricPeriodMs = this.deployment.dataPath === 'lease-table' && !options.sameInformation ? Math.min(this.profile.metricPeriodMs, LEASE_TABLE_PERIOD_MS) : this.profile.metricPeriodMs;
    this.decisionIntervalMs = this.deployment.decisionIntervalMs?.(this.config) ?? this.config.tickIntervalMs;
    this.handoffPauseMs = this.deployment.handoffPauseMs?.(this.config) ?? this.profile.handoffPauseMs;
    this.regionRate = new Float64Array(scenario.shards.count);
    this.regionCost = new Float64Array(scenario.shards.count);
    const classes = this.deployment.dataPlane === 'plain-esm' ? [plainEsmClass(scenario)] : scenario.workers;
    this.inlineClass = this.deployment === FORESHADOW_DEPLOYMENT ? leastMemoryClass(classes) : undefined;
    // As deployed: a dispatcher running a class inline is that class's size; otherwise the infra default.
    this.dispatcherMemoryMb = classes.find((c) => c.class === this.inlineClass)?.memoryMb ?? DEFAULTS.dispatcherMemoryMb;
    this.workers = classes.flatMap((c) =>
      Array.from({ length: c.count }, (_, i) => ({
        id: scenarioWorkerId(c.class, i),
        workerClass: c.class,
        speed: c.speed,
        slowdown: 1,
        slots: c.slots,
        shadowSlots: c.shadowSlots,
        memoryMb: c.memoryMb,
        metrics: { primaryBusyMs: 0, shadowBusyMs: 0, invocations: 0, errors: 0 },
        points: [],
      })),
    );
    for (const w of this.workers) this.workerById.set(w.id, w);
    evenRanges(scenario.shards.count).forEach((range, i) => this.addShard(range, [], this.workers[i % this.workers.length]!.id));
    this.policyState = options.policy?.initialState();
    this.nextTickMs = this.decisionIntervalMs;
  }

  get durationMs(): number {
    return this.options.scenario.durationMin * 60_000;
  }

  get streamStatus(): 'ACTIVE' | 'UPDATING' {
    return this.pendingReshards.length > 0 ? 'UPDATING' : 'ACTIVE';
  }

  /** Creates a shard (initial or child of a reshard) and tells the observer. */
  addShard(range: SimShard['range'], parentIds: readonly string[], owner: string): SimShard {
    const shard = newShard({ id: shardIdFor(this.shardCounter++), range, parentIds, owner, world: this.world, buckets: this.config.spm.histogramBuckets });
    this.shards.set(shard.id, shard);
    this.output.set(shard.id, 0);
    for (const p of parentIds) this.shards.get(p)?.childIds.push(shard.id);
    this.options.observer?.onShardCreated({ shardId: shard.id, parentIds, owner, epoch: 0, atMs: this.nowMs });
    return shard;
  }

  /** Runs to the scenario's end. */
  run(): RunStats {
    while (this.nowMs < this.durationMs) this.step();
    return this.stats;
  }

  /** Advances by `ms` (rounded up to whole steps). */
  advance(ms: number): void {
    const end = this.nowMs + ms;
    while (this.nowMs < end) this.step();
  }

  /** Applies one action now, as a policy's would be (tests drive the engine with this). */
  apply(action: Action): ActionResult {
    const result = applyAction(this, action);
    this.stats.log.push({ atMs: this.nowMs, kind: 'action', action, applied: result.applied, detail: result.detail });
    return result;
  }

  /** Offers `count` extra records to an open shard at the next step (tests; subject to the write limits). */
  ingest(shardId: string, count: number): void {
    const shard = this.shards.get(shardId);
    if (shard && shard.state === 'OPEN') shard.manualOffered += count;
  }

  /** Makes a worker `factor` times slower from now on, without telling the SPM. */
  slowWorker(workerId: string, factor: number): void {
    const w = this.workerById.get(workerId);
    if (w) w.slowdown = factor;
    this.stats.log.push({ atMs: this.nowMs, kind: 'sim', what: `worker ${workerId} slows down x${factor}`, workerId });
  }

  step(): void {
    const t = this.nowMs;
    const dt = this.profile.stepMs;
    this.applyScenarioEvents(t);
    completeReshards(this, t);
    // Ticks fall on the first step at or after each multiple of the interval (it need not divide into steps).
    if (this.options.policy && t >= this.nextTickMs) {
      this.nextTickMs += this.decisionIntervalMs * Math.max(1, Math.floor((t - this.nextTickMs) / this.decisionIntervalMs) + 1);
      this.tick();
    }
    for (let r = 0; r < this.regionRate.length; r++) {
      this.regionRate[r] = regionRateAt(this.world, r, t);
      this.regionCost[r] = regionCostAt(this.world, r, t);
    }
    processStep(this, t, dt);
    for (const shard of this.shards.values()) if (shard.state === 'OPEN') this.arrive(shard, t, dt);
    this.stats.openShardMs += dt * [...this.shards.values()].filter((s) => s.state === 'OPEN').length;
    this.nowMs = t + dt;
    if (this.nowMs % this.metricPeriodMs === 0) closePeriod(this, this.nowMs);
  }

  /** One SPM tick: build the delayed view, decide, apply in order, record everything. */
  tick(): void {
    const policy = this.options.policy!;
    const view = buildView(this);
    const decision = policy.decide(view, this.config, this.policyState);
    this.policyState = JSON.parse(JSON.stringify(decision.nextState ?? null)) as unknown;
    this.stats.ticks++;
    const openShards = view.partitions.filter((p) => p.state === 'OPEN').length;
    this.stats.metricQueries += metricsRead(this.deployment, policy, view, openShards);
    if (this.deployment.decisionFunction && this.deployment.tableUnitsPerDecision) {
      const units = this.deployment.tableUnitsPerDecision(openShards, view.workers.length, this.decisionIntervalMs);
      this.stats.decisionReadUnits += units.readUnits;
      this.stats.decisionWriteUnits += units.writeUnits;
    }
    const applied: Action[] = [];
    for (const action of decision.actions) {
      const result = this.apply(action);
      if (result.applied) applied.push(action);
    }
    for (const event of decision.events) {
      this.stats.log.push({ atMs: this.nowMs, kind: 'event', event });
      if (event.type === 'prediction-scored') this.stats.predictionErrors.push(event.score.absolutePercentageError);
    }
    this.options.observer?.onDecision({ policy: policy.name, atMs: this.nowMs, applied, liveShadows: this.shadows.size, config: this.config });
  }

  private applyScenarioEvents(t: number): void {
    this.options.scenario.events.forEach((e, i) => {
      if (e.kind !== 'worker-slowdown' || this.appliedEvents.has(i) || e.atMin * 60_000 > t) return;
      this.appliedEvents.add(i);
      for (const w of this.workers) if (w.id === e.workerId || w.workerClass === e.workerClass) this.slowWorker(w.id, e.factor);
    });
  }

  /** Producer puts of one step: retries first, then new records; the rest is throttled and retried. */
  private arrive(shard: SimShard, t: number, dt: number): void {
    const scenario = this.options.scenario;
    let mean = 0;
    let costSum = 0;
    for (const rs of shard.regionShares) {
      const rate = this.regionRate[rs.region]! * rs.share;
      mean += rate;
      costSum += rate * this.regionCost[rs.region]!;
    }
    for (const h of shard.hotKeys) {
      const rate = hotKeyRateAt(h.hot, t);
      mean += rate;
      costSum += rate * this.regionCost[h.hot.region]! * h.hot.costFactor;
    }
    // Without traffic from the curves (e.g. records offered by hand), records cost what their regions' keys cost.
    const meanCost = mean > 0 ? costSum / mean : shareWeightedCost(shard, this.regionCost);
    mean *= dt / 1000;
    const noisy = Math.max(0, mean * (1 + scenario.rateNoise * this.gauss()) + Math.sqrt(mean) * this.gauss() + shard.arrivalCarry);
    const fresh = Math.floor(noisy) + shard.manualOffered;
    shard.arrivalCarry = noisy - Math.floor(noisy);
    shard.manualOffered = 0;
    const ttl = this.profile.producerRecordTtlMs;
    shard.retries = shard.retries.filter((r) => {
      if (t - r.arrivalMs <= ttl) return true;
      this.stats.droppedRecords += r.count;
      return false;
    });
    const offers = [...shard.retries.map((r) => ({ ...r, retry: true })), ...(fresh > 0 ? [{ count: fresh, arrivalMs: t + dt / 2, costMs: meanCost, retry: false }] : [])];
    const limit = Math.min(
      Math.floor((this.shardLimits.recordsPerSec * dt) / 1000),
      Math.floor((this.shardLimits.bytesPerSec * dt) / 1000 / scenario.recordSizeBytes),
    );
    let room = limit;
    const retries: typeof shard.retries = [];
    for (const offer of offers) {
      const take = Math.min(room, offer.count);
      room -= take;
      if (take > 0) this.accept(shard, take, offer.arrivalMs, offer.costMs);
      if (offer.count > take) {
        retries.push({ count: offer.count - take, arrivalMs: offer.arrivalMs, costMs: offer.costMs });
        // The shard metric counts rejected put attempts (as WriteProvisionedThroughputExceeded does); the
        // report counts records, each once, however often the producer retries it.
        shard.metrics.throttledRecords += offer.count - take;
        if (!offer.retry) this.stats.throttledRecords += offer.count - take;
      }
    }
    shard.retries = retries;
  }

  private accept(shard: SimShard, count: number, arrivalMs: number, meanCost: number): void {
    const cv = this.options.scenario.costCv;
    const costMs = Math.max(0, meanCost * (1 + (cv / Math.sqrt(count)) * this.gauss()));
    shard.queue.push({ seqStart: shard.nextSeq, count, arrivalMs, costMs });
    shard.nextSeq += count;
    shard.metrics.incomingRecords += count;
    shard.metrics.incomingBytes += count * this.options.scenario.recordSizeBytes;
    this.stats.acceptedRecords += count;
  }

  /** Standard normal draw (Box–Muller) from the traffic generator. */
  gauss(): number {
    return gaussFrom(this.random);
  }

  /** Standard normal draw from the shadows' own generator. */
  shadowGauss(): number {
    return gaussFrom(this.shadowRandom);
  }
}

/** Mixed into the seed of the shadows' generator so its sequence differs from the traffic's. */
const SHADOW_STREAM = 0x5bd1e995;

function gaussFrom(random: Random): number {
  const u = Math.max(1e-12, random.next());
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function shareWeightedCost(shard: SimShard, regionCost: Float64Array): number {
  let weight = 0;
  let sum = 0;
  for (const rs of shard.regionShares) {
    weight += rs.share;
    sum += rs.share * regionCost[rs.region]!;
  }
  return weight > 0 ? sum / weight : 0;
}

/**
 * The one function a plain event source mapping invokes: the scenario's fastest worker class (the careful
 * choice: CPU-bound GB-seconds per record are about flat across memory sizes, so faster costs the same per
 * record; ties go to less memory), one instance whose concurrency is elastic (no slot limit; one invocation
 * per shard and lane at a time). A scenario event slowing that class slows it too.
 */
function scaledWriteLimits(scale: number): typeof KINESIS_SHARD_WRITE_LIMITS {
  return scale === 1 ? KINESIS_SHARD_WRITE_LIMITS : { recordsPerSec: KINESIS_SHARD_WRITE_LIMITS.recordsPerSec * scale, bytesPerSec: KINESIS_SHARD_WRITE_LIMITS.bytesPerSec * scale };
}

export function plainEsmClass(scenario: Scenario): Scenario['workers'][number] {
  const best = [...scenario.workers].sort((a, b) => b.speed - a.speed || a.memoryMb - b.memoryMb)[0]!;
  return { ...best, count: 1, slots: ELASTIC_SLOTS, shadowSlots: 0 };
}

/** KCL 3.x averages each worker's CPU over 30 s and reads those values from its lease table. */
export const LEASE_TABLE_PERIOD_MS = 30_000;

/** Slots of the plain mapping's function: more than any scenario's shards × lanes, so nothing is rationed. */
const ELASTIC_SLOTS = 1_000_000;

/** How late a policy sees a shard's point on its data path (lease-table and kinesis-internal: at its end). */
function viewDelayOf(path: DataPath, profile: Profile): number {
  if (path === 'cloudwatch') return profile.metricDelayMs;
  if (path === 'metadata-table') return profile.loadDelayMs;
  return 0;
}

/**
 * GetMetricData metrics one decision reads. A policy on Foreshadow's own deployment reads only the fields it
 * names; on the `metadata-table` path that is, per tick, the stream-level throttle count (when it decides on
 * throttles), per-shard throttles only when some shard throttled in its view, and its worker fields.
 */
function metricsRead(deployment: Deployment, policy: Policy<unknown>, view: ClusterView, openShards: number): number {
  const fields = policy.deployment ? undefined : policy.metricFields;
  if (deployment.dataPath !== 'metadata-table' || !fields) return fields ? openShards * fields.shards.length + view.workers.length * fields.workers.length : deployment.metricsPerDecision(openShards, view.workers.length);
  const readsThrottles = fields.shards.includes('throttledRecords');
  const throttled = readsThrottles && Object.values(view.shardMetrics).some((points) => points.some((p) => p.throttledRecords > 0));
  return (readsThrottles ? 1 : 0) + (throttled ? openShards : 0) + view.workers.length * fields.workers.length;
}

/** The class with the least memory (the first of equals): the one Foreshadow's dispatcher runs inline by default. */
function leastMemoryClass(classes: readonly { readonly class: string; readonly memoryMb: number }[]): string | undefined {
  return [...classes].sort((a, b) => a.memoryMb - b.memoryMb)[0]?.class;
}
