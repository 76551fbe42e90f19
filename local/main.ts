import { USAGE, parseCliOptions, type CliOptions } from './cli-options.js';
import { formatComparison, runCompared } from './compare.js';
import { EXIT_CODES } from './errors.js';
import { runMain } from './exit.js';
import { runLocal } from './orchestrator.js';
import { quietSdkNodeWarning } from './sdk-node-warning.js';
import { formatReport } from './report.js';

/**
 * `npm start`: the whole system on this machine. Progress goes to stderr, the report to stdout. Ctrl-C (or
 * SIGTERM) stops the load and drains before reporting; a second one stops at once. Expected failures
 * print one line and exit non-zero; only a bug prints a stack.
 */
async function main(argv: readonly string[]): Promise<number> {
  quietSdkNodeWarning();
  const options = parseCliOptions(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const abort = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`\n${signal}: stopping the load and draining (again to stop at once)\n`);
      abort.abort();
    } else {
      process.stderr.write(`${signal}: stopping now\n`);
      process.exit(EXIT_CODES.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const runOptions = {
    ...(options.scenario === undefined ? {} : { scenario: options.scenario }),
    ...(options.durationSec === undefined ? {} : { durationSec: options.durationSec }),
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    port: options.port,
    dashboard: options.dashboard,
    out: options.out,
    signal: abort.signal,
    log,
    onDashboard: (url: string) => log(`dashboard: ${url}`),
  };
  if (options.policies.length > 1) return compare(options, runOptions);
  const { report, reportWriteError } = await runLocal({ ...runOptions, policy: options.policy });
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, reportWriteError === undefined ? options.out : undefined));
  if (!report.ledger.ok) return EXIT_CODES['ledger-failed'];
  if (reportWriteError !== undefined) {
    process.stderr.write(`foreshadow: ${reportWriteError}\n`);
    return EXIT_CODES['report-not-written'];
  }
  return report.interrupted ? EXIT_CODES.interrupted : 0;
}

/** `--policy a,b`: each policy in turn, then one side-by-side report; non-zero if any ledger failed. */
async function compare(options: CliOptions, runOptions: Parameters<typeof runCompared>[1]): Promise<number> {
  const runs = await runCompared(options.policies, runOptions);
  const reports = runs.map((r) => r.report);
  process.stdout.write(options.json ? `${JSON.stringify(reports, null, 2)}\n` : formatComparison(runs, options.out));
  if (reports.some((r) => !r.ledger.ok)) return EXIT_CODES['ledger-failed'];
  const notWritten = runs.filter((r) => r.reportWriteError !== undefined);
  for (const r of notWritten) process.stderr.write(`foreshadow: ${r.reportWriteError}\n`);
  if (notWritten.length > 0) return EXIT_CODES['report-not-written'];
  return reports.some((r) => r.interrupted) || runs.length < options.policies.length ? EXIT_CODES.interrupted : 0;
}

runMain(() => main(process.argv.slice(2)));
