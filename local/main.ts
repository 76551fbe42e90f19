import { USAGE, parseCliOptions } from './cli-options.js';
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
  const { report, reportWriteError } = await runLocal({
    ...(options.scenario === undefined ? {} : { scenario: options.scenario }),
    policy: options.policy,
    ...(options.durationSec === undefined ? {} : { durationSec: options.durationSec }),
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    port: options.port,
    dashboard: options.dashboard,
    out: options.out,
    signal: abort.signal,
    log,
    onDashboard: (url) => log(`dashboard: ${url}`),
  });
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, reportWriteError === undefined ? options.out : undefined));
  if (!report.ledger.ok) return EXIT_CODES['ledger-failed'];
  if (reportWriteError !== undefined) {
    process.stderr.write(`foreshadow: ${reportWriteError}\n`);
    return EXIT_CODES['report-not-written'];
  }
  return report.interrupted ? EXIT_CODES.interrupted : 0;
}

runMain(() => main(process.argv.slice(2)));
