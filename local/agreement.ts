import { policyByName } from '../core/policies/index.js';
import { Simulation } from '../sim/engine/engine.js';
import { summarize } from '../sim/report/report.js';
import { loadScenario } from '../sim/scenario/load.js';
import type { LocalReport } from './report.js';
import { compareWithTwin, firstActionScenarioSec, simFirsts, type TwinCheck } from './twin.js';

/** Scenarios `npm run twin` plays by default: the quick-start and the six of issue #2. */
export const AGREEMENT_SCENARIOS = ['quick-start', 'cost-shift', 'diurnal-skew', 'flash-crowd', 'hot-key', 'hot-shift', 'worker-degrades'] as const;

/** One side's figures: overload, and per shard the first action and the first overload, in scenario s. */
export interface SideFigures {
  readonly overloadSeconds: number;
  readonly firstActionScenarioSec: Readonly<Record<string, number>>;
  readonly firstOverloadScenarioSec: Readonly<Record<string, number>>;
  /** Every shard that overloaded was moved or split before it did (none overloaded counts as in time). */
  readonly relievedInTime: boolean;
}

/** One row of the agreement table: the local run, its twin and the `aws`-profile simulator on one scenario. */
export interface AgreementRow {
  readonly scenario: string;
  readonly category: string;
  readonly wallSec: number;
  readonly timeScale: number;
  readonly rateScale: number;
  readonly overheadMsPerRecord: number;
  readonly ledgerOk: boolean;
  readonly local: SideFigures;
  readonly twin: SideFigures;
  readonly aws: SideFigures;
  readonly checks: readonly TwinCheck[];
  /** Every judged figure agrees with the twin. */
  readonly agreesWithTwin: boolean;
  /** The local run and the `aws`-profile simulator give the same verdict on "relieved before overload". */
  readonly sameVerdictAsAws: boolean;
}

/** Whether every shard that overloaded had a move or split before it first did. */
export function relievedInTime(firstAction: Readonly<Record<string, number>>, firstOverload: Readonly<Record<string, number>>): boolean {
  return Object.entries(firstOverload).every(([shard, at]) => firstAction[shard] !== undefined && firstAction[shard] < at);
}

function side(overloadSeconds: number, firstAction: Readonly<Record<string, number>>, firstOverload: Readonly<Record<string, number>>): SideFigures {
  return { overloadSeconds, firstActionScenarioSec: firstAction, firstOverloadScenarioSec: firstOverload, relievedInTime: relievedInTime(firstAction, firstOverload) };
}

/** The scenario as written, on the `aws` profile, with the same policy and seed: the documented result. */
export function awsSide(scenarioPath: string, policyName: string, seed: number): SideFigures {
  const policy = policyByName(policyName, '--policy');
  const sim = new Simulation({ scenario: loadScenario(scenarioPath), seed, policy });
  sim.run();
  const { firstAction, firstOverload } = simFirsts(sim);
  return side(summarize(sim, policy).overloadSeconds, firstAction, firstOverload);
}

/** The row of a finished local run (its report carries its twin). */
export function agreementRow(category: string, r: LocalReport, aws: SideFigures): AgreementRow {
  const twin = r.twin!;
  const localFirst = firstActionScenarioSec(r.timeline);
  const checks = compareWithTwin({ ...r.report, firstActionScenarioSec: localFirst }, twin);
  const local = side(r.report.overloadSeconds, localFirst, r.firstOverloadScenarioSec);
  return {
    scenario: r.scenario,
    category,
    wallSec: r.wallSec,
    timeScale: r.timeScale,
    rateScale: r.rateScale,
    overheadMsPerRecord: r.local.overheadMsPerRecord,
    ledgerOk: r.ledger.ok,
    local,
    twin: side(twin.overloadSeconds, twin.firstActionScenarioSec, twin.firstOverloadScenarioSec),
    aws,
    checks,
    agreesWithTwin: checks.every((c) => c.agree !== false),
    sameVerdictAsAws: local.relievedInTime === aws.relievedInTime,
  };
}
