import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CODES } from './errors.js';
import { runMain } from './exit.js';
import { runLocal } from './orchestrator.js';
import { checkReportPath, type LocalReport } from './report.js';
import { CHAOS_FAULTS } from './runtime/chaos.js';
import { BUILTINS, parseSoakOptions } from './soak-options.js';
import { quietSdkNodeWarning } from './sdk-node-warning.js';

/**
 * How long a run may take to catch up after its load stops. The soak checks loss, not latency: under chaos
 * (throttling retried with backoff, crashed batches retried) on a shared machine the backlog can take minutes.
 */
const SOAK_DRAIN_TIMEOUT_MS = 600_000;

interface SoakRun {
  readonly scenario: string;
  readonly seed: number;
  readonly wallSec: number;
  readonly moves: number;
  readonly splits: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly totalFaults: number;
  readonly produced: number;
  readonly ledgerOk: boolean;
  readonly drained: boolean;
  readonly lost: number;
  readonly duplicated: number;
  readonly deadLettered: number;
}

function summarize(scenario: string, seed: number, r: LocalReport): SoakRun {
  return {
    scenario,
    seed,
    wallSec: r.wallSec,
    moves: r.report.moves,
    splits: r.report.splits,
    faults: r.chaos?.faults ?? {},
    totalFaults: r.chaos?.total ?? 0,
    produced: r.ledger.produced,
    ledgerOk: r.ledger.ok,
    drained: r.ledger.drained,
    lost: r.ledger.lost,
    duplicated: r.ledger.duplicated,
    deadLettered: r.local.deadLettered,
  };
}

/**
 * `npm run soak`: the local system (kinesis-local, dynalite, the real handlers) under chaos for a given
 * time: a scenario played again and again (seed after seed), each run with seeded faults (SPM crash points, dispatcher and
 * worker deaths before and after applying, DynamoDB throttling), each ending with the ledger check. Prints
 * one line per run and the totals; exits non-zero if any run's ledger check failed.
 */
async function main(argv: readonly string[]): Promise<number> {
  quietSdkNodeWarning();
  const o = parseSoakOptions(argv);
  checkReportPath(o.out);
  checkReportPath(join(o.runsDir, 'soak-run-1.json'));
  const endMs = Date.now() + o.minutes * 60_000;
  const runs: SoakRun[] = [];
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  log(`soak: ${o.minutes} min, seed ${o.seed}, fault rate ${o.rate}, policy ${o.policy}`);
  for (let i = 0; Date.now() < endMs; i += 1) {
    const scenario = o.scenario === 'builtins' ? BUILTINS[i % BUILTINS.length] : o.scenario;
    const seed = o.seed + i;
    const { report } = await runLocal({ ...(scenario === undefined ? {} : { scenario }), policy: o.policy, seed, port: 0, dashboard: false, outputStore: 'dynalite', chaos: { seed, rate: o.rate }, drainTimeoutMs: SOAK_DRAIN_TIMEOUT_MS, out: join(o.runsDir, `soak-run-${i + 1}.json`) });
    const run = summarize(report.scenario, seed, report);
    runs.push(run);
    log(
      `run ${i + 1} ${scenario ?? 'quick-start'} seed ${seed}: ${run.wallSec} s, ${run.moves} moves, ${run.splits} splits, ${run.totalFaults} faults, ` +
        `${run.produced} records, ledger ${run.ledgerOk ? 'OK' : `FAILED (lost ${run.lost}, duplicated ${run.duplicated}${run.drained ? '' : ', the drain timed out'})`}, dead-lettered ${run.deadLettered}`,
    );
  }
  const faults = Object.fromEntries(CHAOS_FAULTS.map((f) => [f, runs.reduce((a, r) => a + (r.faults[f] ?? 0), 0)]));
  const totals = {
    runs: runs.length,
    wallMin: Math.round(runs.reduce((a, r) => a + r.wallSec, 0) / 6) / 10,
    movesAndSplits: runs.reduce((a, r) => a + r.moves + r.splits, 0),
    faults,
    totalFaults: runs.reduce((a, r) => a + r.totalFaults, 0),
    produced: runs.reduce((a, r) => a + r.produced, 0),
    ledgerOk: runs.every((r) => r.ledgerOk),
    deadLettered: runs.reduce((a, r) => a + r.deadLettered, 0),
  };
  const result = { options: o, totals, runs };
  try {
    writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    log(`foreshadow: could not write the soak report to ${o.out}: ${(error as Error).message}`);
  }
  process.stdout.write(
    [
      `soak: ${totals.runs} runs in ${totals.wallMin} min; ${totals.movesAndSplits} moves and splits; ${totals.totalFaults} faults injected (${Object.entries(faults)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}); ${totals.produced} records; dead-lettered ${totals.deadLettered}`,
      `ledger: ${totals.ledgerOk ? 'OK in every run' : `FAILED in ${runs.filter((r) => !r.ledgerOk).length} runs`}`,
      '',
    ].join('\n'),
  );
  return totals.ledgerOk ? 0 : EXIT_CODES['ledger-failed'];
}

runMain(() => main(process.argv.slice(2)));
