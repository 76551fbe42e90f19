import type { PolicyReport } from './report.js';

/** One target of issue #2 for the `spm` row of a run, with the figures it compares. */
export interface TargetCheck {
  readonly target: string;
  readonly met: boolean;
  /**
   * Whether any policy could meet the target in this model: `false` when the model rules it out (the
   * evidence is in `detail`), `true` when a run shows it can be met (spm met it, or the best baseline's own
   * run meets a "no worse than the best baseline" target), absent when neither is shown.
   */
  readonly feasible?: boolean;
  readonly detail: string;
}

/** What the checks need to know about the model the run used (its profile). */
export interface TargetModel {
  readonly stepMs: number;
}

/**
 * The smallest latency the simulator can record, ms: a record arrives at mid-step (`t + stepMs / 2`) and is
 * processed no earlier than the next step (`t + stepMs`), so no record finishes in less than half a step.
 */
export function latencyFloorMs(model: TargetModel): number {
  return model.stepMs / 2;
}

/**
 * The "Done when" targets of issue #2 for one scenario run, evaluated on the `spm` row against the best
 * baseline — the baseline with the fewest overload-seconds (ties: lower p99). Gradual scenarios: spm at
 * most 0.2 x its overload-seconds and 0.5 x its p99. Sudden ones: spm no worse on either and no more moves.
 * Everywhere: shadow overhead ≤ 3 % of busy time, prediction MAPE ≤ 10 % (unmet when nothing was scored).
 * With `model` (the run's profile), a p99 ratio below the model's latency floor is marked infeasible.
 * Empty when the run has no `spm` row or no baseline.
 */
export function checkTargets(category: 'gradual' | 'sudden' | undefined, reports: readonly PolicyReport[], model?: TargetModel): TargetCheck[] {
  const spm = reports.find((r) => r.policy === 'spm');
  const baselines = reports.filter((r) => r.policy !== 'spm');
  if (!spm || baselines.length === 0) return [];
  const best = [...baselines].sort((a, b) => a.overloadSeconds - b.overloadSeconds || a.latencyMs.p99 - b.latencyMs.p99)[0]!;
  const checks: TargetCheck[] = [];
  const vs = `best baseline ${best.policy}`;
  if (category === 'gradual') {
    checks.push(check('overload-seconds <= 0.2 x best baseline', spm.overloadSeconds <= 0.2 * best.overloadSeconds, `${spm.overloadSeconds} vs ${vs} ${best.overloadSeconds}`));
    checks.push(p99RatioCheck(0.5, spm, best, model));
  } else if (category === 'sudden') {
    // The best baseline's own run meets every "no worse than the best baseline" target, so each is feasible.
    checks.push(check('overload-seconds <= best baseline', spm.overloadSeconds <= best.overloadSeconds, `${spm.overloadSeconds} vs ${vs} ${best.overloadSeconds}`, true));
    checks.push(check('p99 latency <= best baseline', spm.latencyMs.p99 <= best.latencyMs.p99, `${spm.latencyMs.p99} ms vs ${vs} ${best.latencyMs.p99} ms`, true));
    const moves = spm.moves <= best.moves;
    checks.push(check('moves <= best baseline', moves, `${spm.moves} vs ${vs} ${best.moves}${moves ? '' : neverRelieved(best, baselines)}`, true));
  }
  checks.push(check('shadow overhead <= 3 % of busy time', spm.shadowOverheadPercent <= 3, `${spm.shadowOverheadPercent} %`));
  checks.push(check('prediction MAPE <= 10 %', spm.predictionMapePercent !== null && spm.predictionMapePercent <= 10, spm.predictionMapePercent === null ? 'no prediction scored' : `${spm.predictionMapePercent} % over ${spm.predictionsScored} predictions`));
  return checks;
}

/** spm's p99 at most `ratio` x the best baseline's; infeasible when that is below the model's latency floor. */
function p99RatioCheck(ratio: number, spm: PolicyReport, best: PolicyReport, model: TargetModel | undefined): TargetCheck {
  const met = spm.latencyMs.p99 <= ratio * best.latencyMs.p99;
  const detail = `${spm.latencyMs.p99} ms vs best baseline ${best.policy} ${best.latencyMs.p99} ms`;
  const bound = ratio * best.latencyMs.p99;
  const floor = model ? latencyFloorMs(model) : undefined;
  // A target the run met is feasible by demonstration, whatever the bound (e.g. a best baseline that processed nothing).
  if (!met && floor !== undefined && bound < floor) {
    return check(`p99 latency <= ${ratio} x best baseline`, met, `${detail}; infeasible: ${ratio} x ${best.latencyMs.p99} = ${round1(bound)} ms is below the model's latency floor of ${floor} ms (no record finishes in less than half a step: it arrives mid-step and waits for the next)`, false);
  }
  return check(`p99 latency <= ${ratio} x best baseline`, met, detail);
}

/** When the best baseline made fewer moves only because it never relieved the overload, say so. */
function neverRelieved(best: PolicyReport, baselines: readonly PolicyReport[]): string {
  const still = baselines.find((r) => r.policy === 'static');
  if (!still || best.overloadSeconds < still.overloadSeconds) return '';
  const tied = baselines.filter((r) => r !== best && r.overloadSeconds === best.overloadSeconds && r.latencyMs.p99 === best.latencyMs.p99).map((r) => r.policy);
  const tie = tied.length > 0 ? `; it is best by a tie with ${tied.join(', ')} (same overload-seconds and p99)` : '';
  const n = still.shardsBehindAtEnd;
  const need = n !== undefined && n > 0 ? `; in static's run ${n} shard${n === 1 ? ' is' : 's are'} still behind on ${n === 1 ? 'its owner' : 'their owners'} at the end, each needing a move or a split to catch up` : '';
  if (best === still) return `; best baseline static never relieved the overload (it never acts, and no baseline ended with fewer overload-seconds)${tie}${need}`;
  return `; best baseline ${best.policy} never relieved the overload (its overload-seconds equal static's)${tie}${need}`;
}

function check(target: string, met: boolean, detail: string, feasible?: boolean): TargetCheck {
  const known = feasible ?? (met ? true : undefined);
  return { target, met, ...(known !== undefined ? { feasible: known } : {}), detail };
}

/** The feasibility column: yes, no (ruled out by the model), or not shown either way. */
export function feasibleLabel(c: TargetCheck): string {
  return c.feasible === undefined ? 'not shown' : c.feasible ? 'yes' : 'no';
}

/** Lines for the CLI: one per target. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks.map((c) => `${(c.met ? 'met' : c.feasible === false ? 'NOT met, infeasible' : 'NOT met').padEnd(19)}  ${c.target.padEnd(42)} ${c.detail}`).join('\n');
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
