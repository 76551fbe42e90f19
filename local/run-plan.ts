import { fileURLToPath } from 'node:url';
import type { ForeshadowConfig } from '../core/config/index.js';
import { parseConfig } from '../core/config/index.js';
import { ValidationError } from '../core/errors.js';
import { POLICY_NAMES, policyByName } from '../core/policies/index.js';
import { profileByName, type Profile } from '../sim/profiles.js';
import { loadScenario, scenarioConfig } from '../sim/scenario/load.js';
import type { Scenario } from '../sim/scenario/schema.js';
import { buildWorld, hotKeyRateAt, regionRateAt, type ScenarioWorld } from '../sim/scenario/world.js';
import { LocalRunError } from './errors.js';

/** The built-in scenario `npm start` plays when none is given: a hot shard the SPM moves in about 2 minutes. */
export const QUICK_START_SCENARIO = fileURLToPath(new URL('./scenarios/quick-start.yaml', import.meta.url));

/**
 * Records per second the whole stream may carry locally at the scenario's peak: kinesis-local, dynalite and
 * the in-process handlers share a laptop. Rates above it are scaled down (and costs up, see `rateScale`).
 * @default 100 (records/s)
 */
export const DEFAULT_LOCAL_PEAK_RECORDS_PER_SEC = 100;

export interface RunPlanInput {
  readonly scenario?: string;
  readonly policy: string;
  readonly durationSec?: number;
  readonly timeScale?: number;
  readonly seed?: number;
  readonly peakRecordsPerSec?: number;
  /** Configuration overrides on top of the scenario's (scenario time, before scaling). */
  readonly config?: Record<string, unknown>;
}

/** Everything a local run needs to know before it starts, resolved and validated. */
export interface RunPlan {
  readonly scenarioName: string;
  readonly scenario: Scenario;
  readonly world: ScenarioWorld;
  readonly profile: Profile;
  readonly policy: string;
  /** Scenario seconds per wall second. */
  readonly timeScale: number;
  /** Wall-clock length of the run (load generation), in s. */
  readonly durationSec: number;
  /** Local records per scenario record (rates × it, costs ÷ it, shard limits × it). */
  readonly rateScale: number;
  /** The decision configuration in wall-clock ms (scenario times divided by the time scale). */
  readonly config: ForeshadowConfig;
  /** The same in scenario time, as the simulator would use it. */
  readonly scenarioConfig: ForeshadowConfig;
  readonly seed: number;
}

/**
 * Resolves options into a plan. The scenario is played in compressed time: its curves are read at
 * wall × timeScale, and every time in the decision configuration is divided by the time scale. Rates are
 * played per wall second, scaled by `rateScale` so the peak stays within what runs locally, and per-record
 * costs are divided by the same factor, so utilization (rate × cost) and load relative to the (equally
 * scaled) shard limits are what the scenario says.
 */
export function planRun(input: RunPlanInput): RunPlan {
  const scenarioPath = input.scenario ?? QUICK_START_SCENARIO;
  let scenario: Scenario;
  let scenarioCfg: ForeshadowConfig;
  try {
    policyByName(input.policy, '--policy');
    // The alternatives run on a plain mapping or Kinesis' own scaling, not behind Foreshadow's dispatcher:
    // the local system (which is that dispatcher) cannot play them; the simulator compares them.
    if (!(POLICY_NAMES as readonly string[]).includes(input.policy)) {
      throw new ValidationError('--policy', `one of ${POLICY_NAMES.join(', ')} locally (${input.policy} runs without Foreshadow: compare it with npm run sim)`, input.policy);
    }
    scenario = loadScenario(scenarioPath);
    scenarioCfg = scenarioConfig(scenario, input.config ?? {});
  } catch (error) {
    if (error instanceof ValidationError) throw new LocalRunError(error.field === '--policy' ? 'bad-option' : 'bad-scenario', error.message);
    throw error;
  }
  const scenarioSec = scenario.durationMin * 60;
  const timeScale = input.timeScale ?? (input.durationSec !== undefined ? scenarioSec / input.durationSec : defaultTimeScale(scenario));
  const durationSec = input.durationSec ?? scenarioSec / timeScale;
  if (timeScale < 0.01 || timeScale > 10_000) {
    throw new LocalRunError('bad-option', `--time-scale must be a number between 0.01 and 10000 (given ${round(timeScale)}, from a ${scenarioSec} s scenario in ${round(durationSec)} s)`);
  }
  const seed = input.seed ?? 1;
  const world = buildWorld(scenario, seed);
  const peak = peakRecordsPerSec(world);
  const rateScale = peak > 0 ? Math.min(1, (input.peakRecordsPerSec ?? DEFAULT_LOCAL_PEAK_RECORDS_PER_SEC) / peak) : 1;
  let config: ForeshadowConfig;
  try {
    config = scaleConfigTimes(scenarioCfg, timeScale);
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new LocalRunError('bad-option', `--time-scale ${round(timeScale)} compresses the scenario's timing below what the configuration allows: ${error.message}`);
    }
    throw error;
  }
  // Burst lanes open against the local path's own age floor (its batching window and polling), not at the
  // aws age compressed by the time scale (a few ms, which every local batch exceeds); the twin alike.
  config = { ...config, lanes: { ...config.lanes, openAtAgeMs: LOCAL_LANE_OPEN_AGE_MS } };
  scenarioCfg = { ...scenarioCfg, lanes: { ...scenarioCfg.lanes, openAtAgeMs: Math.min(3_600_000, Math.round(LOCAL_LANE_OPEN_AGE_MS * timeScale)) } };
  return {
    scenarioName: scenario.name,
    scenario,
    world,
    profile: profileByName(scenario.profile),
    policy: input.policy,
    timeScale,
    durationSec,
    rateScale,
    config,
    scenarioConfig: scenarioCfg,
    seed,
  };
}

/** Wall time a run takes when neither --duration nor --time-scale is given, in s. @default 120 */
export const DEFAULT_WALL_SEC = 120;

/** A scenario longer than ~2 minutes is compressed to about `DEFAULT_WALL_SEC`; a short one plays in real time. */
function defaultTimeScale(scenario: Scenario): number {
  const scenarioSec = scenario.durationMin * 60;
  return scenarioSec > DEFAULT_WALL_SEC * 1.25 ? scenarioSec / DEFAULT_WALL_SEC : 1;
}

/** Highest total records/s over the scenario (sampled at 600 points, hot keys included). */
export function peakRecordsPerSec(world: ScenarioWorld): number {
  const endMs = world.scenario.durationMin * 60_000;
  const stepMs = Math.max(1000, Math.floor(endMs / 600));
  let peak = 0;
  for (let t = 0; t <= endMs; t += stepMs) {
    let total = 0;
    for (let r = 0; r < world.regionRanges.length; r++) total += regionRateAt(world, r, t);
    for (const hot of world.hotKeys) total += hotKeyRateAt(hot, t);
    peak = Math.max(peak, total);
  }
  return peak;
}

/** Divides every duration of the configuration by `timeScale` (then validates it again). */
export function scaleConfigTimes(config: ForeshadowConfig, timeScale: number): ForeshadowConfig {
  const s = (ms: number): number => Math.max(1, Math.round(ms / timeScale));
  const { spm, baselines } = config;
  return parseConfig(
    {
      ...config,
      tickIntervalMs: s(config.tickIntervalMs),
      spm: {
        ...spm,
        horizonMs: s(spm.horizonMs),
        cooldownMs: s(spm.cooldownMs),
        replication: { ...spm.replication, measurementWindowMs: s(spm.replication.measurementWindowMs) },
        reverseShadow: { ...spm.reverseShadow, durationMs: s(spm.reverseShadow.durationMs) },
      },
      baselines: { ...baselines, alarmAutoscaler: scaleOptionalTimes(baselines.alarmAutoscaler, ['periodMs', 'scaleDownMinIteratorAgeMs', 'updateWindowMs'], s) },
    },
    `config (scaled ÷${round(timeScale)})`,
  );
}

/** Scales the given optional durations; absent ones stay absent (their defaults follow tickIntervalMs). */
function scaleOptionalTimes<T extends object>(o: T, keys: readonly (keyof T & string)[], s: (ms: number) => number): T {
  const out = { ...o } as Record<string, unknown>;
  for (const k of keys) if (typeof o[k] === 'number') out[k] = s(o[k]);
  return out as T;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Age of a batch's oldest record at which burst lanes open locally, in wall ms: half the overload age below. */
export const LOCAL_LANE_OPEN_AGE_MS = 2500;

/**
 * Iterator age above which a second counts as overloaded, at least, in wall ms: the local path's own
 * floor (a 1 s batching window, polling, emulators on a shared laptop) is 1-2 s. @default 5000
 */
export const LOCAL_OVERLOAD_ITERATOR_AGE_MS = 5000;

/**
 * Metric period the SPM reads locally, in wall ms: the profile's, compressed, but at least
 * `MIN_LOCAL_METRIC_PERIOD_MS`, so that every period holds several batches. A period in which no batch
 * happened to end has busy time 0 and would read as an idle shard.
 */
export function localMetricPeriodMs(plan: RunPlan): number {
  return Math.max(MIN_LOCAL_METRIC_PERIOD_MS, Math.round(plan.profile.metricPeriodMs / plan.timeScale));
}

/** @default 5000 (ms) */
export const MIN_LOCAL_METRIC_PERIOD_MS = 5000;
