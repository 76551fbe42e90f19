import { runSpmTick, type TickReport } from '../app/spm/spm-tick.js';
import { systemClock } from '../adapters/local/system-clock.js';
import { policyByName } from '../core/policies/index.js';
import { seededRandom } from '../core/random.js';
import type { ShardDescription } from '../core/ports/index.js';
import { startDashboard, type DashboardServer } from './dashboard/server.js';
import { Ledger, lineageDepth } from './ledger.js';
import { Producer } from './load/producer.js';
import { TrafficPlan } from './load/traffic.js';
import { buildReport, checkReportPath, writeReport, type LocalReport, type TimelineEntry } from './report.js';
import { LOCAL_OVERLOAD_ITERATOR_AGE_MS, localMetricPeriodMs, planRun, type RunPlan, type RunPlanInput } from './run-plan.js';
import { RunState } from './run-state.js';
import { startEmulators, type Emulators } from './runtime/emulators.js';
import { Chaos, type ChaosOptions } from './runtime/chaos.js';
import { startSystem, type LocalSystem, type OutputStore } from './runtime/system.js';
import { ShardLimiter, scaledLimits } from './shard-limiter.js';
import { TelemetryTap } from './telemetry-tap.js';
import { runTwin } from './twin.js';

export interface RunLocalOptions extends RunPlanInput {
  /** Dashboard port on 127.0.0.1; 0 = any free port. */
  readonly port: number;
  readonly dashboard: boolean;
  /** Where the JSON report is written; nothing is written when absent. */
  readonly out?: string;
  /** Aborting ends the load early; the run still drains, checks the ledger and reports. */
  readonly signal?: AbortSignal;
  /** Progress lines (the terminal's). @default none */
  readonly log?: (line: string) => void;
  /** Time between two progress lines, in ms. @default 5000 */
  readonly progressEveryMs?: number;
  /** Longest wait for the consumers to catch up after the load stops, in ms. @default 60000 */
  readonly drainTimeoutMs?: number;
  readonly onDashboard?: (url: string) => void;
  /** Where the example processor's per-key state lives (see OutputStore). @default 'memory' */
  readonly outputStore?: OutputStore;
  /** Where kinesis-local is installed. @default node_modules/kinesis-local */
  readonly kinesisLocalDir?: string;
  /** Seeded fault injection (`npm run soak`): crashes and throttling at named places. @default none */
  readonly chaos?: ChaosOptions;
}

export interface LocalRun {
  readonly report: LocalReport;
  readonly plan: RunPlan;
  readonly dashboardUrl?: string;
  /** Why the report file could not be written (the report itself is still returned). */
  readonly reportWriteError?: string;
}

const LOAD_STEP_MS = 100;
const SAMPLE_MS = 1000;

/**
 * `npm start`: plans the run, serves the dashboard, starts the emulators and the real handlers, plays the
 * scenario with the producer while the SPM ticks on a timer, then drains, checks the ledger and reports.
 * Every child process and server is stopped on every path (finished, aborted, failed).
 */
export async function runLocal(o: RunLocalOptions): Promise<LocalRun> {
  const plan = planRun(o);
  if (o.out) checkReportPath(o.out);
  const policy = policyByName(plan.policy, '--policy');
  const tap = new TelemetryTap();
  const state = new RunState(
    { scenario: plan.scenarioName, policy: plan.policy, durationSec: Math.round(plan.durationSec), timeScale: plan.timeScale, overloadIteratorAgeMs: Math.max(LOCAL_OVERLOAD_ITERATOR_AGE_MS, plan.profile.overloadIteratorAgeMs / plan.timeScale) },
    tap,
  );
  const log = o.log ?? (() => undefined);
  let dashboard: DashboardServer | undefined;
  let emulators: Emulators | undefined;
  let system: LocalSystem | undefined;
  if (process.env.POWERTOOLS_LOG_LEVEL === undefined) process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  try {
    if (o.dashboard) {
      dashboard = await startDashboard(o.port, () => state.dashboard(Date.now()));
      o.onDashboard?.(dashboard.url);
    }
    log(`starting kinesis-local and dynalite (scenario ${plan.scenarioName}, ${plan.scenario.shards.count} shards, policy ${plan.policy})`);
    const splitMs = Math.round(plan.profile.splitDurationMs / plan.timeScale);
    emulators = await startEmulators({
      shardCount: plan.scenario.shards.count,
      durations: { splitShardMs: splitMs, mergeShardsMs: splitMs, updateShardCountMs: Math.round(plan.profile.updateShardCountDurationMs / plan.timeScale) },
      ...(o.kinesisLocalDir === undefined ? {} : { kinesisLocalDir: o.kinesisLocalDir }),
    });
    const chaos = o.chaos ? new Chaos(o.chaos) : undefined;
    chaos?.throttle(emulators.dynamo);
    system = await startSystem(plan, emulators, tap, o.outputStore, chaos);
    const played = await play(plan, policy, system, emulators, state, tap, o, log, chaos);
    const run: LocalReport = { ...played, twin: runTwin(plan, played.scenarioSec, { msPerRecord: played.local.overheadMsPerRecord, meanSpeed: played.local.meanOwnerSpeed }) };
    let reportWriteError: string | undefined;
    if (o.out) {
      try {
        writeReport(o.out, run);
      } catch (error) {
        reportWriteError = `could not write the report to ${o.out}: ${(error as Error).message}`;
      }
    }
    return { report: run, plan, ...(dashboard ? { dashboardUrl: dashboard.url } : {}), ...(reportWriteError === undefined ? {} : { reportWriteError }) };
  } catch (error) {
    state.phase = 'failed';
    state.message = error instanceof Error ? error.message : String(error);
    throw error;
  } finally {
    await system?.stop().catch(() => undefined);
    await emulators?.stop();
    await dashboard?.close();
  }
}

async function play(
  plan: RunPlan,
  policy: ReturnType<typeof policyByName>,
  system: LocalSystem,
  emulators: Emulators,
  state: RunState,
  tap: TelemetryTap,
  o: RunLocalOptions,
  log: (line: string) => void,
  chaos: Chaos | undefined,
): Promise<LocalReport> {
  const ledger = new Ledger();
  let openShards: ShardDescription[] = (await system.stream.listShards()).filter((s) => s.endingSequenceNumber === undefined);
  const producer = new Producer({
    kinesis: emulators.kinesis,
    streamName: system.stream.streamName,
    limiter: new ShardLimiter(scaledLimits(plan.rateScale)),
    ledger,
    openShards: () => openShards,
    recordTtlMs: Math.max(2000, plan.profile.producerRecordTtlMs / plan.timeScale),
    now: () => Date.now(),
    onShardWrite: (shardId, records, bytes, throttled, atMs) => system.metrics.recordIncoming(shardId, records, bytes, throttled, atMs),
  });
  const traffic = new TrafficPlan({ world: plan.world, random: seededRandom(plan.seed), rateScale: plan.rateScale });
  const timeline: TimelineEntry[] = [];
  // Warm-up: a few records through the whole path before the scenario clock starts, so that the emulators'
  // and pollers' first slow seconds do not show up as lag. They are ordinary records, in the ledger too.
  log('warming up: a few records through kinesis-local, the dispatcher and the workers');
  producer.enqueue(traffic.warmUp(3));
  const warmDeadline = Date.now() + 30_000;
  while ((producer.stats().queued > 0 || state.applied < ledger.produced) && Date.now() < warmDeadline) {
    producer.pump();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const startMs = Date.now();
  state.start(startMs);
  const scenarioSecAt = (ms: number): number => Math.round(((ms - startMs) / 1000) * plan.timeScale);
  let running = true;
  let ticks = 0;

  const snapshot = async (): Promise<void> => {
    const [partitions, workers, shadows, shadowStats] = await Promise.all([system.metadata.listPartitions(), system.metadata.listWorkers(), system.metadata.listShadows(), system.metadata.listShadowStats()]);
    state.sample({ atMs: Date.now(), partitions, workers, shadows, shadowStats, producer: producer.stats(), acceptedByShard: producer.acceptedByShard() });
  };
  const record = (report: TickReport, atMs: number): void => {
    for (const r of report.results) {
      const a = r.action;
      const shardId = 'shardId' in a ? a.shardId : undefined;
      const text = `${a.reason}${r.detail ? ` (${r.detail})` : ''}`;
      if (r.applied && a.type === 'move') {
        state.moves++;
        state.movesBack.note(a.shardId, a.fromWorkerId, a.toWorkerId, atMs, plan.config.spm.cooldownMs);
      }
      if (r.applied && a.type === 'split') state.splits++;
      if (r.applied && a.type === 'create-shadow') state.shadowsCreated++;
      if (!r.applied) state.rejectedActions++;
      state.decision(atMs, { kind: a.type, applied: r.applied, text, ...(shardId ? { shardId } : {}) });
      timeline.push({ atSec: (atMs - startMs) / 1000, scenarioSec: scenarioSecAt(atMs), kind: a.type, applied: r.applied, text, ...(shardId ? { shardId } : {}) });
    }
    for (const e of report.events) {
      if (e.type === 'prediction-scored') state.predictionErrors.push(e.score.absolutePercentageError);
      if (e.type === 'hold' && e.shardId === undefined) continue;
      const text = e.type === 'prediction-scored' ? `predicted ${e.score.prediction.utilization.toFixed(2)}, observed ${e.score.observedUtilization.toFixed(2)}` : e.reason;
      state.decision(atMs, { kind: e.type, text, ...('shardId' in e && e.shardId ? { shardId: e.shardId } : {}) });
      if (e.type !== 'hold') timeline.push({ atSec: (atMs - startMs) / 1000, scenarioSec: scenarioSecAt(atMs), kind: e.type, text, ...('shardId' in e && e.shardId ? { shardId: e.shardId } : {}) });
    }
  };

  const ticker = (async () => {
    while (running) {
      await sleepUnless(plan.config.tickIntervalMs, () => !running);
      if (!running) break;
      const atMs = Date.now();
      try {
        const report = await runSpmTick({
          metadata: system.metadata,
          metrics: system.spmMetrics,
          stream: system.stream,
          clock: systemClock,
          policy,
          config: plan.config,
          tickId: `local-${++ticks}`,
          workers: system.workers,
          metricsPeriodMs: localMetricPeriodMs(plan),
          metricsLookbackPeriods: plan.profile.metricWindowPoints,
          shardLimits: scaledLimits(plan.rateScale),
          reshardTimeoutMs: 15_000,
          ...(chaos ? { crashPoint: chaos.crashPoint } : {}),
        });
        record(report, atMs);
      } catch (error) {
        state.decision(atMs, { kind: 'tick-error', text: error instanceof Error ? error.message : String(error) });
      }
    }
  })();
  const sampler = (async () => {
    let lastProgress = 0;
    while (running) {
      await sleepUnless(SAMPLE_MS, () => !running);
      try {
        openShards = (await system.stream.listShards()).filter((s) => s.endingSequenceNumber === undefined);
        await snapshot();
      } catch {
        // an emulator busy for a moment: next second
      }
      if (Date.now() - lastProgress >= (o.progressEveryMs ?? 5000)) {
        lastProgress = Date.now();
        log(progressLine(state, Date.now()));
      }
    }
  })();

  // Load: play the scenario until its end (or --duration), or until aborted.
  const endMs = startMs + plan.durationSec * 1000;
  const applied = new Set<number>();
  let lastStep = startMs;
  while (Date.now() < endMs && !o.signal?.aborted) {
    await sleepUnless(LOAD_STEP_MS, () => o.signal?.aborted === true);
    const now = Date.now();
    const scenarioMs = (now - startMs) * plan.timeScale;
    plan.scenario.events.forEach((e, i) => {
      if (e.kind !== 'worker-slowdown' || applied.has(i) || e.atMin * 60_000 > scenarioMs) return;
      applied.add(i);
      for (const w of system.workers) if (w.workerId === e.workerId || w.workerClass === e.workerClass) system.slowWorker(w.workerId, e.factor);
    });
    producer.enqueue(traffic.step(scenarioMs, now - lastStep));
    lastStep = now;
    producer.pump();
  }
  const loadSec = (Date.now() - startMs) / 1000;
  const interrupted = o.signal?.aborted === true;

  // Drain: the producer's queue, then the consumers, while the SPM keeps ticking.
  state.phase = 'draining';
  log(`${interrupted ? 'interrupted: ' : ''}load stopped after ${Math.round(loadSec)} s; draining (${producer.stats().queued} records queued at the producer)`);
  await producer.drain(Date.now() + 5000);
  const drained = await waitForConsumers(() => state.applied, () => ledger.produced, o.drainTimeoutMs ?? 60_000);
  running = false;
  await Promise.all([ticker, sampler]);
  await system.stop();
  chaos?.stop();
  await snapshot().catch(() => undefined);

  const check = await ledger.check((key) => system.readAggregate(key), lineageDepth(await system.stream.listShards()));
  state.phase = 'done';
  return buildReport({
    plan,
    label: policy.label,
    state,
    tap,
    producer: producer.stats(),
    ledger: check,
    drained,
    interrupted,
    wallSec: (Date.now() - startMs) / 1000,
    loadSec,
    ticks,
    deadLettered: system.failures.records.length,
    timeline,
    kinesisLocalPid: emulators.kinesisPid,
    ...(chaos ? { chaos: { seed: chaos.options.seed, rate: chaos.rate, faults: { ...chaos.counts }, total: chaos.total } } : {}),
  });
}

/** Waits until the owners applied as many records as were produced; false if progress stalls or time runs out. */
async function waitForConsumers(applied: () => number, produced: () => number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let last = applied();
  let lastProgressMs = Date.now();
  while (applied() < produced()) {
    if (Date.now() > deadline || Date.now() - lastProgressMs > 30_000) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (applied() > last) {
      last = applied();
      lastProgressMs = Date.now();
    }
  }
  return true;
}

async function sleepUnless(ms: number, stop: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !stop()) await new Promise((resolve) => setTimeout(resolve, Math.min(50, end - Date.now())));
}

function progressLine(state: RunState, nowMs: number): string {
  const d = state.dashboard(nowMs);
  const t = d.totals;
  const last = d.series.at(-1);
  const hot = [...d.shards].filter((s) => s.state === 'OPEN').sort((a, b) => b.utilization - a.utilization)[0];
  return [
    `[${String(Math.round(d.run.elapsedSec)).padStart(4)}/${d.run.durationSec} s]`,
    `scenario ${(d.run.scenarioSec / 60).toFixed(1)} min`,
    `produced ${t.produced} (${Math.round(last?.producedPerSec ?? 0)}/s)`,
    `applied ${t.applied}`,
    `throttled ${t.throttled}`,
    hot ? `hottest ${hot.shardId.replace('shardId-', '')}@${hot.ownerWorkerId} ${(hot.utilization * 100).toFixed(0)}%` : '',
    `shadows ${d.shadows.length}`,
    `moves ${t.moves} splits ${t.splits}`,
    `lag ${((last?.maxIteratorAgeMs ?? 0) / 1000).toFixed(1)} s`,
  ]
    .filter(Boolean)
    .join(' · ');
}
