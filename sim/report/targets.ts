import type { PolicyReport } from './report.js';

/** One target of issue #2 for the `spm` row of a run, with the figures it compares. */
export interface TargetCheck {
  readonly target: string;
  readonly met: boolean;
  readonly detail: string;
}

/**
 * The "Done when" targets of issue #2 for one scenario run, evaluated on the `spm` row against the best
 * baseline — the baseline with the fewest overload-seconds (ties: lower p99). Gradual scenarios: spm at
 * most 0.2 x its overload-seconds and 0.5 x its p99. Sudden ones: spm no worse on either and no more moves.
 * Everywhere: shadow overhead ≤ 3 % of busy time, prediction MAPE ≤ 10 % (unmet when nothing was scored).
 * Empty when the run has no `spm` row or no baseline.
 */
export function checkTargets(category: 'gradual' | 'sudden' | undefined, reports: readonly PolicyReport[]): TargetCheck[] {
  const spm = reports.find((r) => r.policy === 'spm');
  const baselines = reports.filter((r) => r.policy !== 'spm');
  if (!spm || baselines.length === 0) return [];
  const best = [...baselines].sort((a, b) => a.overloadSeconds - b.overloadSeconds || a.latencyMs.p99 - b.latencyMs.p99)[0]!;
  const checks: TargetCheck[] = [];
  const vs = `best baseline ${best.policy}`;
  if (category === 'gradual') {
    checks.push(check('overload-seconds <= 0.2 x best baseline', spm.overloadSeconds <= 0.2 * best.overloadSeconds, `${spm.overloadSeconds} vs ${vs} ${best.overloadSeconds}`));
    checks.push(check('p99 latency <= 0.5 x best baseline', spm.latencyMs.p99 <= 0.5 * best.latencyMs.p99, `${spm.latencyMs.p99} ms vs ${vs} ${best.latencyMs.p99} ms`));
  } else if (category === 'sudden') {
    checks.push(check('overload-seconds <= best baseline', spm.overloadSeconds <= best.overloadSeconds, `${spm.overloadSeconds} vs ${vs} ${best.overloadSeconds}`));
    checks.push(check('p99 latency <= best baseline', spm.latencyMs.p99 <= best.latencyMs.p99, `${spm.latencyMs.p99} ms vs ${vs} ${best.latencyMs.p99} ms`));
    checks.push(check('moves <= best baseline', spm.moves <= best.moves, `${spm.moves} vs ${vs} ${best.moves}`));
  }
  checks.push(check('shadow overhead <= 3 % of busy time', spm.shadowOverheadPercent <= 3, `${spm.shadowOverheadPercent} %`));
  checks.push(check('prediction MAPE <= 10 %', spm.predictionMapePercent !== null && spm.predictionMapePercent <= 10, spm.predictionMapePercent === null ? 'no prediction scored' : `${spm.predictionMapePercent} % over ${spm.predictionsScored} predictions`));
  return checks;
}

function check(target: string, met: boolean, detail: string): TargetCheck {
  return { target, met, detail };
}

/** Lines for the CLI: one per target. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks.map((c) => `${c.met ? 'met    ' : 'NOT met'}  ${c.target.padEnd(42)} ${c.detail}`).join('\n');
}
