import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_CODES, LocalRunError } from './errors.js';
import { runMain } from './exit.js';
import { runLocal } from './orchestrator.js';
import { checkReportPath, type LocalReport } from './report.js';
import { CHAOS_FAULTS } from './runtime/chaos.js';

/**
 * `npm run soak`: the local system (kinesis-local, dynalite, the real handlers) under chaos for a given
 * time: built-in scenarios one after the other, each with seeded faults (SPM crash points, dispatcher and
 * worker deaths before and after applying, DynamoDB throttling), each ending with the ledger check. Prints
 * one line per run and the totals; exits non-zero if any run's ledger check failed.
 */
/** Built-in scenarios in turn; `undefined` is npm start's quick-start. */
const SCENARIOS = [undefined, 'hot-shift', 'flash-crowd', 'hot-key', 'worker-degrades', 'diurnal-skew', 'cost-shift'] as const;

/**
 * How long a run may take to catch up after its load stops. The soak checks loss, not latency: under chaos
 * (throttling retried with backoff, crashed batches retried) on a shared machine the backlog can take minutes.
 */
const SOAK_DRAIN_TIMEOUT_MS = 600_000;

const USAGE = `Usage: npm run soak -- [--minutes 30] [--seed 1] [--rate 0.02] [--policy spm] [--scenario name] [--out out/soak-report.json]
Each run's full report is written to --runs-dir (default out/soak-runs) as soak-run-<n>.json.`;

interface SoakOptions {
  readonly minutes: number;
  readonly seed: number;
  readonly rate: number;
  readonly policy: string;
  /** Play only this built-in scenario (or file), every run. @default all built-in ones in turn */
  readonly scenario?: string;
  readonly out: string;
  /** Where each run's full local report goes. @default out/soak-runs */
  readonly runsDir: string;
}

function number(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new LocalRunError('bad-option', `${flag} must be a number between ${min} and ${max} (given ${JSON.stringify(text)})`);
  }
  return value;
}

export function parseSoakOptions(argv: readonly string[]): SoakOptions {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      options: { minutes: { type: 'string' }, seed: { type: 'string' }, rate: { type: 'string' }, policy: { type: 'string' }, scenario: { type: 'string' }, out: { type: 'string' }, 'runs-dir': { type: 'string' } },
    }).values;
  } catch (error) {
    throw new LocalRunError('bad-option', `${(error as Error).message}\n${USAGE}`);
  }
  return {
    minutes: number('--minutes', values.minutes, 30, 1, 24 * 60),
    seed: Math.round(number('--seed', values.seed, 1, 0, 2 ** 31)),
    rate: number('--rate', values.rate, 0.02, 0, 0.2),
    policy: values.policy ?? 'spm',
    ...(values.scenario === undefined ? {} : { scenario: values.scenario }),
    out: values.out ?? 'out/soak-report.json',
    runsDir: values['runs-dir'] ?? 'out/soak-runs',
  };
}

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

async function main(argv: readonly string[]): Promise<number> {
  const o = parseSoakOptions(argv);
  checkReportPath(o.out);
  checkReportPath(join(o.runsDir, 'soak-run-1.json'));
  const endMs = Date.now() + o.minutes * 60_000;
  const runs: SoakRun[] = [];
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  log(`soak: ${o.minutes} min, seed ${o.seed}, fault rate ${o.rate}, policy ${o.policy}`);
  for (let i = 0; Date.now() < endMs; i += 1) {
    const scenario = o.scenario ?? SCENARIOS[i % SCENARIOS.length];
    const seed = o.seed + i;
    const { report } = await runLocal({ ...(scenario === undefined ? {} : { scenario }), policy: o.policy, seed, port: 0, dashboard: false, outputStore: 'dynalite', chaos: { seed, rate: o.rate }, drainTimeoutMs: SOAK_DRAIN_TIMEOUT_MS, out: join(o.runsDir, `soak-run-${i + 1}.json`) });
    const run = summarize(report.scenario, seed, report);
    runs.push(run);
    log(
      `run ${i + 1} ${scenario} seed ${seed}: ${run.wallSec} s, ${run.moves} moves, ${run.splits} splits, ${run.totalFaults} faults, ` +
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
