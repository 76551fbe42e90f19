import type { PolicyReport } from './report/report.js';
import { runPolicy } from './run.js';
import { scenarioConfig } from './scenario/load.js';
import type { Scenario } from './scenario/schema.js';

export const DAMPENING_HEADER = '| scenario | overload s (60 / 80) | moves (60 / 80) | cost $ (60 / 80) |\n|---|---:|---:|---:|';

/**
 * kcl3-variance's medians over the seeds at dampening 60 % (KCL's code default) and 80 % (its deep-dive's
 * figure), one row of the robustness sweep (issue #10).
 */
export function dampeningRow(name: string, scenario: Scenario, seeds: readonly number[]): string {
  const at = (dampeningPercent: number) => {
    const config = scenarioConfig(scenario, { baselines: { kcl3Variance: { dampeningPercent } } });
    return seeds.map((seed) => runPolicy(scenario, 'kcl3-variance', seed, config).report);
  };
  const [low, high] = [at(60), at(80)];
  const med = (reports: readonly PolicyReport[], f: (r: PolicyReport) => number): number => {
    const v = reports.map(f).sort((a, b) => a - b);
    return v[Math.floor((v.length - 1) / 2)]!;
  };
  const pair = (f: (r: PolicyReport) => number, digits = 0) => `${med(low, f).toFixed(digits)} / ${med(high, f).toFixed(digits)}`;
  return `| ${name} | ${pair((r) => r.overloadSeconds)} | ${pair((r) => r.moves)} | ${pair((r) => r.cost.usd.total, 3)} |`;
}
