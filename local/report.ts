import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { costEstimate, shadowFigures, type PolicyReport } from '../sim/report/report.js';
import { SPM_FUNCTION } from '../sim/report/prices.js';
import { formatTable } from '../sim/report/table.js';
import { LocalRunError } from './errors.js';
import type { ChaosFault } from './runtime/chaos.js';
import type { LedgerCheck } from './ledger.js';
import type { ProducerStats } from './load/producer.js';
import type { RunPlan } from './run-plan.js';
import type { RunState } from './run-state.js';
import type { TelemetryTap } from './telemetry-tap.js';
import { compareWithTwin, firstActionScenarioSec, TWIN_TOLERANCE, type TwinFigures } from './twin.js';

/** One action or event of the run, with its run time and scenario time. */
export interface TimelineEntry {
  readonly atSec: number;
  readonly scenarioSec: number;
  readonly kind: string;
  readonly shardId?: string;
  readonly applied?: boolean;
  readonly text: string;
}

/**
 * What `npm start` prints and writes at the end. `report` has the simulator's figures (same fields as
 * `npm run sim`): overload seconds and the cost estimate in scenario time (wall × time scale), latencies and
 * iterator ages in wall-clock ms as measured. `ledger` is the exactly-once check.
 */
export interface LocalReport {
  readonly scenario: string;
  readonly policy: string;
  readonly seed: number;
  readonly timeScale: number;
  readonly rateScale: number;
  readonly wallSec: number;
  readonly scenarioSec: number;
  readonly interrupted: boolean;
  readonly report: PolicyReport;
  readonly ledger: Omit<LedgerCheck, 'mismatches'> & { readonly drained: boolean; readonly mismatchedKeys: number; readonly examples: LedgerCheck['mismatches'] };
  readonly local: {
    readonly generated: number;
    readonly producerRetries: number;
    readonly putCalls: number;
    readonly putErrors: number;
    readonly dispatches: number;
    readonly heldBatches: number;
    readonly lanedBatches: number;
    readonly staleEpochRetries: number;
    readonly deadLettered: number;
    readonly ticks: number;
    readonly sustainedRecordsPerSec: number;
    readonly kinesisLocalPid: number;
    /** The local path's own owner busy time per applied record beyond the record's cost (state read and write, emulator calls), wall ms. */
    readonly overheadMsPerRecord: number;
    /** Speed of the owners that applied the records, weighted by records. */
    readonly meanOwnerSpeed: number;
  };
  /** Per shard, the scenario second it first overloaded (absent: never). */
  readonly firstOverloadScenarioSec: Readonly<Record<string, number>>;
  readonly timeline: readonly TimelineEntry[];
  /** Faults injected by a chaos run (`npm run soak`), by kind. Absent without chaos. */
  readonly chaos?: ChaosSummary;
  /** The simulator's twin of this run (local/twin.ts): the same world in scenario time. */
  readonly twin?: TwinFigures;
}

export interface ChaosSummary {
  readonly seed: number;
  readonly rate: number;
  readonly faults: Readonly<Record<ChaosFault, number>>;
  readonly total: number;
}

export interface ReportInput {
  readonly plan: RunPlan;
  readonly label: string;
  readonly state: RunState;
  readonly tap: TelemetryTap;
  readonly producer: ProducerStats;
  readonly ledger: LedgerCheck;
  readonly drained: boolean;
  readonly interrupted: boolean;
  readonly wallSec: number;
  readonly loadSec: number;
  readonly ticks: number;
  readonly deadLettered: number;
  readonly timeline: readonly TimelineEntry[];
  readonly kinesisLocalPid: number;
  readonly chaos?: ChaosSummary;
}

export function buildReport(i: ReportInput): LocalReport {
  const { plan, state, tap } = i;
  const k = plan.timeScale;
  const workers = [...tap.workers.values()];
  const primaryBusy = workers.reduce((a, w) => a + w.primaryBusyMs, 0);
  const shadowBusy = workers.reduce((a, w) => a + w.shadowBusyMs, 0);
  const memory = new Map(plan.scenario.workers.map((c) => [c.class, c.memoryMb]));
  const workerGbMs = [...tap.workers].reduce((a, [id, w]) => a + ((w.primaryBusyMs + w.shadowBusyMs) * (memory.get(id.replace(/-\d+$/, '')) ?? 1024)) / 1024, 0);
  const shardHours = (state.openShardSec * k) / 3600;
  // Scenario-time equivalents: durations × time scale; record counts ÷ rate scale.
  const lambdaGbSeconds = ((workerGbMs * 2 + i.ticks * SPM_FUNCTION.msPerTick * (SPM_FUNCTION.memoryMb / 1024)) * k) / 1000;
  const workerInvocations = workers.reduce((a, w) => a + w.invocations, 0);
  const invocations = Math.round((tap.dispatches + workerInvocations + i.ticks) * k);
  const shadowInvocations = Math.round(tap.shadowInvocations * k);
  const metricsRequested = i.ticks * ((state.dashboard(Date.now()).shards.filter((s) => s.state === 'OPEN').length || 1) * 6 + plan.scenario.workers.length * 4);
  const accepted = i.producer.accepted / plan.rateScale;
  const overhead = measuredOverhead(plan, tap);
  const { mismatches, ...ledger } = i.ledger;
  return {
    scenario: plan.scenarioName,
    policy: plan.policy,
    seed: plan.seed,
    timeScale: round(k, 3),
    rateScale: round(plan.rateScale, 4),
    wallSec: round(i.wallSec, 1),
    scenarioSec: round(i.loadSec * k),
    interrupted: i.interrupted,
    report: {
      policy: plan.policy,
      label: i.label,
      overloadSeconds: round(state.overloadWallSec * k),
      throttledRecords: i.producer.throttled,
      droppedRecords: i.producer.expired,
      acceptedRecords: i.producer.accepted,
      latencyMs: { p50: round(tap.latency.quantile(0.5)), p99: round(tap.latency.quantile(0.99)), max: round(tap.latency.max) },
      maxIteratorAgeMs: round(tap.maxIteratorAgeMs),
      moves: state.moves,
      movesBack: state.movesBack.count,
      splits: state.splits,
      merges: 0,
      shardCountUpdates: 0,
      shadows: state.shadowsCreated,
      rejectedActions: state.rejectedActions,
      ...shadowFigures({
        primaryBusyMs: primaryBusy,
        shadowBusyMs: shadowBusy,
        predictionErrors: state.predictionErrors,
        shadowSeconds: state.shadowSec,
        shadowRateSeconds: state.shadowRateSec,
      }),
      cost: costEstimate({ shardHours, lambdaGbSeconds, invocations, shadowInvocations, metricsRequested, acceptedRecords: accepted }),
    },
    ledger: { ...ledger, drained: i.drained, mismatchedKeys: mismatches.length, examples: mismatches.slice(0, 5) },
    local: {
      generated: i.producer.generated,
      producerRetries: i.producer.retries,
      putCalls: i.producer.putCalls,
      putErrors: i.producer.putErrors,
      dispatches: tap.dispatches,
      heldBatches: tap.heldBatches,
      lanedBatches: tap.lanedBatches,
      staleEpochRetries: tap.staleEpochRetries,
      deadLettered: i.deadLettered,
      ticks: i.ticks,
      sustainedRecordsPerSec: i.loadSec > 0 ? round(i.producer.accepted / i.loadSec, 1) : 0,
      kinesisLocalPid: i.kinesisLocalPid,
      overheadMsPerRecord: round(overhead.msPerRecord, 3),
      meanOwnerSpeed: round(overhead.meanSpeed, 3),
    },
    firstOverloadScenarioSec: Object.fromEntries([...state.firstOverloadAtSec].map(([id, s]) => [id, round(s * k)])),
    timeline: i.timeline,
    ...(i.chaos ? { chaos: i.chaos } : {}),
  };
}

/**
 * What the owners spent per applied record beyond its cost: Σ (busy − Σ cost ÷ speed) ÷ records, over every
 * worker. The simulator charges a record its cost only; the twin adds this, measured, not guessed. A worker a
 * scenario slows down (`worker-slowdown`) is left out: its extra time is the slowdown, which the twin plays itself.
 */
export function measuredOverhead(plan: RunPlan, tap: TelemetryTap): { msPerRecord: number; meanSpeed: number } {
  const speed = new Map(plan.scenario.workers.map((c) => [c.class, c.speed]));
  const slowed = plan.scenario.events.filter((e) => e.kind === 'worker-slowdown');
  let extra = 0;
  let records = 0;
  let speedSum = 0;
  for (const [id, w] of tap.workers) {
    const workerClass = id.replace(/-\d+$/, '');
    if (slowed.some((e) => e.workerId === id || (e.workerId === undefined && e.workerClass === workerClass))) continue;
    const v = speed.get(workerClass) ?? 1;
    extra += w.primaryBusyMs - w.primaryNominalMs / v;
    records += w.primaryApplied;
    speedSum += w.primaryApplied * v;
  }
  return records === 0 ? { msPerRecord: 0, meanSpeed: 1 } : { msPerRecord: Math.max(0, extra / records), meanSpeed: speedSum / records };
}

/** The terminal summary: the simulator's table, the ledger verdict, and the moves with their reasons. */
export function formatReport(r: LocalReport, outPath?: string): string {
  const l = r.ledger;
  const verdict = l.ok
    ? `ledger check: OK — ${l.produced} records produced, ${l.applied} applied exactly once, in order, none lost`
    : `ledger check: FAILED — produced ${l.produced}, applied ${l.applied}, lost ${l.lost}, duplicated ${l.duplicated}, ${l.mismatchedKeys} of ${l.keys} keys differ${l.drained ? '' : ' (the drain timed out)'}`;
  const moves = r.timeline.filter((t) => ['move', 'split', 'create-shadow'].includes(t.kind) && t.applied !== false);
  return [
    '',
    `Foreshadow local run — scenario ${r.scenario}, policy ${r.policy}${r.interrupted ? ' (interrupted)' : ''}`,
    `${r.wallSec} s wall, ${r.scenarioSec} scenario s (time scale ×${r.timeScale}, rate scale ×${r.rateScale}); overload seconds and cost in scenario time, latencies in wall ms`,
    '',
    formatTable([r.report]),
    '',
    `producer: ${r.local.generated} generated, ${r.report.acceptedRecords} accepted (${r.local.sustainedRecordsPerSec} rec/s), ${r.report.throttledRecords} throttled, ${r.local.producerRetries} retries, ${r.report.droppedRecords} dropped after the TTL`,
    verdict,
    ...(r.twin ? twinLines(r, r.twin) : []),
    ...(moves.length > 0 ? ['', 'decisions:', ...moves.slice(0, 12).map((t) => `  t=${t.scenarioSec}s ${t.kind} ${t.shardId ?? ''} — ${t.text}`)] : []),
    ...(outPath ? ['', `report written to ${outPath}`] : []),
    '',
  ].join('\n');
}

/** The local figures next to the twin's, with the verdict against the stated tolerance. */
export function twinLines(r: LocalReport, twin: TwinFigures): string[] {
  const checks = compareWithTwin({ ...r.report, firstActionScenarioSec: firstActionScenarioSec(r.timeline) }, twin);
  const judged = checks.filter((c) => c.agree !== null);
  const off = judged.filter((c) => c.agree === false);
  const t = TWIN_TOLERANCE;
  return [
    '',
    `twin (the simulator playing this run's world in scenario time: same seed, rate scale, limits, metric period, and the local path's measured ${r.local.overheadMsPerRecord} ms of owner time per record beyond its cost; local/twin.ts):`,
    '| figure | local | twin | agrees |',
    '|---|---:|---:|---|',
    ...checks.map((c) => `| ${c.what} | ${c.local} | ${c.twin} | ${c.agree === null ? '' : c.agree ? 'yes' : '**no**'} |`),
    off.length === 0
      ? `local and twin agree on all ${judged.length} judged figures (overload within ±${t.overloadRelative * 100} % or ±${t.overloadAbsoluteSec} s, the same shards acted on, first action within ${t.firstActionTicks} ticks)`
      : `DISAGREEMENT with the twin on ${off.map((c) => c.what).join('; ')} (tolerance: overload within ±${t.overloadRelative * 100} % or ±${t.overloadAbsoluteSec} s, the same shards acted on, first action within ${t.firstActionTicks} ticks)`,
  ];
}

/**
 * Fails before the run when the report could not be written to `path` (`--out`): creates its folder and
 * writes and removes a probe file beside it, so a bad path costs a second, not a whole run.
 */
export function checkReportPath(path: string): void {
  try {
    if (existsSync(path) && statSync(path).isDirectory()) throw new Error('it is a directory');
    makeFolder(dirname(path));
    const probe = join(dirname(path), `.foreshadow-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    throw new LocalRunError('bad-option', `--out must be a file path this process can write (given ${JSON.stringify(path)}: ${(error as Error).message})`);
  }
}

/**
 * `mkdir -p` one level at a time. Node 20's `mkdirSync(..., { recursive: true })` never returns for a
 * folder under /proc (the kernel answers ENOENT for a parent that exists, and Node keeps retrying).
 */
function makeFolder(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeFolder(parent);
  mkdirSync(dir);
}

export function writeReport(path: string, report: LocalReport): void {
  makeFolder(dirname(path));
  writeFileSync(path, `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
