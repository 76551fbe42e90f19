import { availablePolicies } from '../core/policies/index.js';
import { formatTable } from './report/table.js';
import { checkTargets, feasibleLabel } from './report/targets.js';
import { profileByName } from './profiles.js';
import { runPolicy } from './run.js';
import { builtinScenarioNames, loadScenario } from './scenario/load.js';

/**
 * Prints the Markdown tables of docs/BENCHMARKS.md: every built-in scenario, every policy, one seed — the
 * same figures as `npm run sim -- --scenario <name> --policy all --seed N`, plus a summary of the issue #2
 * targets for `spm`, with whether each is feasible in the model. Usage: `npx tsx sim/benchmarks.ts [seed]`.
 */
function main(seed: number): void {
  const summary: string[] = ['| scenario | category | target | met | feasible | figures |', '|---|---|---|---|---|---|'];
  for (const name of builtinScenarioNames()) {
    const scenario = loadScenario(name);
    const reports = availablePolicies().map((p) => {
      const run = runPolicy(scenario, p, seed);
      if (run.violations.length > 0) throw new Error(`${name}/${p}: invariant violations: ${run.violations.join('; ')} (reproduce: seed=${seed})`);
      return run.report;
    });
    console.log(`### ${name} (${scenario.category ?? 'uncategorized'})\n\n${scenario.description}\n\n\`npm run sim -- --scenario ${name} --policy all --seed ${seed}\`\n\n${formatTable(reports)}\n`);
    for (const c of checkTargets(scenario.category, reports, profileByName(scenario.profile))) summary.push(`| ${name} | ${scenario.category ?? ''} | ${c.target} | ${c.met ? 'yes' : '**no**'} | ${c.feasible === false ? '**no**' : feasibleLabel(c)} | ${c.detail} |`);
  }
  console.log(`### Issue #2 targets for spm (seed ${seed})\n\n${summary.join('\n')}\n`);
}

main(Number(process.argv[2] ?? 1));
