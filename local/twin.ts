import { policyByName } from '../core/policies/index.js';
import { Simulation } from '../sim/engine/engine.js';
import type { Profile } from '../sim/profiles.js';
import { summarize } from '../sim/report/report.js';
import type { Curve, Scenario } from '../sim/scenario/schema.js';
import { LOCAL_OVERLOAD_ITERATOR_AGE_MS, localMetricPeriodMs, type RunPlan } from './run-plan.js';

/**
 * The simulator's twin of a local run: the world the local run played, in scenario time. What `npm start`
 * changes from the scenario is fed in: per scenario second it carries rate × rateScale ÷ timeScale records,
 * each costing cost ÷ rateScale × timeScale scenario ms, against shard limits scaled like the rates (so
 * utilization and load against the limits are the scenario's, and a shadow gets as few samples per scenario
 * minute as it gets locally), the metric period the local
 * SPM reads (at least 5 wall s, so longer in scenario time than CloudWatch's minute when the time scale is
 * high), the local overload threshold, the played length, the same seed and the same decision configuration.
 * Not fed in: the local path's own latency (batching window, emulator calls, JIT, GC), which the twin's
 * per-record costs do not include; the report shows the difference rather than hiding it.
 */
export interface TwinFigures extends LocalFigures {
  /** Per shard, scenario second at which it first overloaded. */
  readonly firstOverloadScenarioSec: Readonly<Record<string, number>>;
  /** Scenario seconds between two SPM ticks (the unit of the first-action tolerance). */
  readonly tickSec: number;
}

/** The profile of the local run, in scenario time. */
export function twinProfile(plan: RunPlan): Profile {
  const k = plan.timeScale;
  // One step per wall second: the local producer meets the shard limits per wall second (a scenario step of
  // 1 s would throttle bursts of the scaled-down rates that the local limiter lets through).
  const step = Math.max(plan.profile.stepMs, Math.round(k) * 1000);
  const toStep = (ms: number): number => Math.max(step, Math.round(ms / step) * step);
  return {
    ...plan.profile,
    stepMs: step,
    metricPeriodMs: toStep(localMetricPeriodMs(plan) * k),
    overloadIteratorAgeMs: Math.max(LOCAL_OVERLOAD_ITERATOR_AGE_MS, plan.profile.overloadIteratorAgeMs / k) * k,
  };
}

/** The local path's measured cost per record beyond the record's own (local/report.ts `measuredOverhead`). */
export interface LocalOverhead {
  readonly msPerRecord: number;
  readonly meanSpeed: number;
}

/**
 * The scenario with the local run's rate scale applied, cut to the scenario time it played. The measured
 * overhead is added to every record's cost as the owners paid it on average (at their mean speed): the
 * simulator divides a cost by the worker's speed, while the overhead (emulator calls) does not shrink on a
 * faster worker, so a fast worker's twin pays a little less of it than it did locally, a slow one more.
 */
export function twinScenario(plan: RunPlan, playedScenarioSec: number, overhead: LocalOverhead = { msPerRecord: 0, meanSpeed: 1 }): Scenario {
  const s = plan.scenario;
  // Per scenario second the local run carries rate × rateScale ÷ timeScale records (a scenario second lasts
  // 1/timeScale wall s), each costing cost ÷ rateScale wall ms, i.e. × timeScale in scenario ms.
  const f = twinRateScale(plan);
  const extra = overhead.msPerRecord * overhead.meanSpeed * plan.timeScale;
  const cost = (c: Curve): Curve => scaleCurve(c, 1 / f, extra);
  return {
    ...s,
    durationMin: Math.max(1 / 60, playedScenarioSec / 60),
    shards: {
      ...s.shards,
      rate: scaleCurve(s.shards.rate, f),
      cost: cost(s.shards.cost),
      overrides: s.shards.overrides.map((o) => ({ ...o, ...(o.rate ? { rate: scaleCurve(o.rate, f) } : {}), ...(o.cost ? { cost: cost(o.cost) } : {}) })),
    },
    events: s.events.map((e) => (e.kind === 'hot-key' ? { ...e, recordsPerSec: e.recordsPerSec * f, costFactor: e.costFactor } : e)),
  };
}

/** Records per scenario second in the local run, per record of the scenario: the rate scale over the time scale. */
export function twinRateScale(plan: RunPlan): number {
  return plan.rateScale / plan.timeScale;
}

/** Runs the twin: the same policy, seed and configuration on the simulator. Takes well under a second. */
export function runTwin(plan: RunPlan, playedScenarioSec: number, overhead?: LocalOverhead): TwinFigures {
  const policy = policyByName(plan.policy, '--policy');
  const sim = new Simulation({ scenario: twinScenario(plan, playedScenarioSec, overhead), seed: plan.seed, policy, config: plan.scenarioConfig, profile: twinProfile(plan), shardLimitScale: twinRateScale(plan) });
  sim.run();
  const report = summarize(sim, policy);
  const { firstAction, firstOverload } = simFirsts(sim);
  return {
    overloadSeconds: report.overloadSeconds,
    throttledRecords: report.throttledRecords,
    moves: report.moves,
    splits: report.splits,
    shadows: report.shadows,
    predictionMapePercent: report.predictionMapePercent,
    firstActionScenarioSec: firstAction,
    firstOverloadScenarioSec: firstOverload,
    tickSec: plan.scenarioConfig.tickIntervalMs / 1000,
  };
}

/** value × f + add, for every kind of curve (a diurnal curve keeps its absolute swing). */
/** Per shard, the scenario second of a finished simulation's first applied move or split, and of its first overload. */
export function simFirsts(sim: Simulation): { firstAction: Record<string, number>; firstOverload: Record<string, number> } {
  const firstAction: Record<string, number> = {};
  for (const entry of sim.stats.log) {
    if (entry.kind !== 'action' || !entry.applied || (entry.action.type !== 'move' && entry.action.type !== 'split')) continue;
    firstAction[entry.action.shardId] ??= Math.round(entry.atMs / 1000);
  }
  return { firstAction, firstOverload: Object.fromEntries([...sim.stats.firstOverloadMs].map(([id, ms]) => [id, Math.round(ms / 1000)])) };
}

function scaleCurve(c: Curve, f: number, add = 0): Curve {
  const v = (x: number): number => x * f + add;
  switch (c.kind) {
    case 'constant':
      return { ...c, value: v(c.value) };
    case 'points':
      return { ...c, points: c.points.map((p) => ({ ...p, value: v(p.value) })) };
    case 'ramp':
    case 'step':
      return { ...c, from: v(c.from), to: v(c.to) };
    case 'diurnal': {
      const mean = v(c.mean);
      return { ...c, mean, amplitude: mean > 0 ? (c.amplitude * c.mean * f) / mean : 0 };
    }
  }
}

/** Agreement the twin is held to (issue #12): overload within ±25 % or ±60 scenario s, first action within 2 ticks. */
export const TWIN_TOLERANCE = { overloadRelative: 0.25, overloadAbsoluteSec: 60, firstActionTicks: 2 } as const;

/** One line of the local-versus-twin table; `agree` is null for figures shown but not judged. */
export interface TwinCheck {
  readonly what: string;
  readonly local: string;
  readonly twin: string;
  readonly agree: boolean | null;
}

/** What the twin is compared with: the local run's figures in scenario time. */
export interface LocalFigures {
  readonly overloadSeconds: number;
  readonly throttledRecords: number;
  readonly moves: number;
  readonly splits: number;
  readonly shadows: number;
  readonly predictionMapePercent: number | null;
  /** Per shard, scenario second of the first applied move or split. */
  readonly firstActionScenarioSec: Readonly<Record<string, number>>;
}

/** Per shard, the scenario second of the first applied move or split in a local run's timeline. */
export function firstActionScenarioSec(timeline: readonly { kind: string; applied?: boolean; shardId?: string; scenarioSec: number }[]): Record<string, number> {
  const first: Record<string, number> = {};
  for (const t of timeline) {
    if ((t.kind === 'move' || t.kind === 'split') && t.applied !== false && t.shardId !== undefined) first[t.shardId] ??= t.scenarioSec;
  }
  return first;
}

/** The local figures next to the twin's, each judged against {@link TWIN_TOLERANCE} where it has one. */
export function compareWithTwin(local: LocalFigures, twin: TwinFigures): TwinCheck[] {
  const { overloadRelative, overloadAbsoluteSec, firstActionTicks } = TWIN_TOLERANCE;
  const overloadGap = Math.abs(local.overloadSeconds - twin.overloadSeconds);
  const localShards = Object.keys(local.firstActionScenarioSec).sort();
  const twinShards = Object.keys(twin.firstActionScenarioSec).sort();
  const list = (ids: readonly string[]): string => (ids.length === 0 ? 'none' : ids.map((id) => id.replace('shardId-', '')).join(' '));
  const mape = (m: number | null): string => (m === null ? 'n/a' : `${m.toFixed(1)} %`);
  const checks: TwinCheck[] = [
    { what: 'overload s', local: String(local.overloadSeconds), twin: String(twin.overloadSeconds), agree: overloadGap <= Math.max(overloadAbsoluteSec, overloadRelative * Math.max(local.overloadSeconds, twin.overloadSeconds)) },
    { what: 'shards moved or split', local: list(localShards), twin: list(twinShards), agree: localShards.join() === twinShards.join() },
  ];
  for (const id of localShards.filter((s) => twinShards.includes(s))) {
    const l = local.firstActionScenarioSec[id]!;
    const t = twin.firstActionScenarioSec[id]!;
    checks.push({ what: `first action on ${id.replace('shardId-', '')}, s`, local: String(l), twin: String(t), agree: Math.abs(l - t) <= firstActionTicks * twin.tickSec });
  }
  checks.push(
    { what: 'throttled records', local: String(local.throttledRecords), twin: String(twin.throttledRecords), agree: null },
    { what: 'moves / splits / shadows', local: `${local.moves} / ${local.splits} / ${local.shadows}`, twin: `${twin.moves} / ${twin.splits} / ${twin.shadows}`, agree: null },
    { what: 'prediction MAPE', local: mape(local.predictionMapePercent), twin: mape(twin.predictionMapePercent), agree: null },
  );
  return checks;
}
