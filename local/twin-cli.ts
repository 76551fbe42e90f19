import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadScenario } from '../sim/scenario/load.js';
import { twinSectionLines } from '../sim/twin-section.js';
import { AGREEMENT_SCENARIOS, agreementRow, awsSide, type AgreementRow } from './agreement.js';
import { EXIT_CODES, LocalRunError } from './errors.js';
import { runMain } from './exit.js';
import { runLocal } from './orchestrator.js';
import { checkReportPath } from './report.js';
import { QUICK_START_SCENARIO } from './run-plan.js';
import { quietSdkNodeWarning } from './sdk-node-warning.js';

const USAGE = `Usage: npm run twin -- [--scenarios ${AGREEMENT_SCENARIOS.join(',')}] [--policy spm] [--seed 1] [--out out/twin-summary.json] [--runs-dir out/twin-runs]`;

/**
 * `npm run twin`: plays each scenario with `npm start`'s defaults (about two wall minutes each) on the real
 * handlers, and sets it beside its twin (the simulator playing the same world) and the `aws`-profile simulator
 * (the documented result). Prints the table docs/BENCHMARKS.md shows; `--out docs/twin-summary.json` feeds it.
 */
async function main(argv: readonly string[]): Promise<number> {
  quietSdkNodeWarning();
  let values;
  try {
    values = parseArgs({ args: [...argv], strict: true, options: { scenarios: { type: 'string' }, policy: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, 'runs-dir': { type: 'string' } } }).values;
  } catch (error) {
    throw new LocalRunError('bad-option', `${(error as Error).message}\n${USAGE}`);
  }
  const scenarios = (values.scenarios ?? AGREEMENT_SCENARIOS.join(',')).split(',');
  const policy = values.policy ?? 'spm';
  const seed = Number(values.seed ?? 1);
  if (!Number.isInteger(seed) || seed < 0) throw new LocalRunError('bad-option', `--seed must be a non-negative integer (given ${JSON.stringify(values.seed)})`);
  const out = values.out ?? 'out/twin-summary.json';
  const runsDir = values['runs-dir'] ?? 'out/twin-runs';
  checkReportPath(out);
  const path = (name: string): string => (name === 'quick-start' ? QUICK_START_SCENARIO : name);
  for (const name of scenarios) loadScenario(path(name));
  const rows: AgreementRow[] = [];
  for (const name of scenarios) {
    process.stderr.write(`twin: playing ${name} locally (policy ${policy}, seed ${seed})\n`);
    // The ledger checks loss, not latency: a run far behind may take minutes to catch up after its load stops.
    const { report } = await runLocal({ scenario: path(name), policy, seed, port: 0, dashboard: false, drainTimeoutMs: 600_000, out: join(runsDir, `${name}.json`) });
    rows.push(agreementRow(loadScenario(path(name)).category ?? 'n/a', report, awsSide(path(name), policy, seed)));
  }
  const summary = { options: { scenarios, policy, seed }, rows };
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`${twinSectionLines(summary, out).join('\n')}\n`);
  return rows.every((r) => r.ledgerOk) ? 0 : EXIT_CODES['ledger-failed'];
}

runMain(() => main(process.argv.slice(2)));
