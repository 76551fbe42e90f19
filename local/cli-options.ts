import { ValidationError } from '../core/errors.js';
import { parseCliArgs } from '../sim/cli-args.js';
import { LocalRunError } from './errors.js';

/** What `npm start -- ...` accepts. Times are wall-clock unless they say scenario. */
export interface CliOptions {
  /** Scenario file (YAML or JSON) or the name of a built-in one. @default the built-in quick-start */
  readonly scenario?: string;
  /** Policy the SPM tick runs (the first of `policies`). @default 'spm' */
  readonly policy: string;
  /** `--policy a,b`: the policies played one after the other and compared side by side. @default [policy] */
  readonly policies: readonly string[];
  /** Wall-clock length of the run, in seconds. @default scenario length / time scale */
  readonly durationSec?: number;
  /** Scenario seconds played per wall second. @default scenario length / duration, or the scenario's own */
  readonly timeScale?: number;
  /** Dashboard port on 127.0.0.1 (0 picks a free one). @default 4180 */
  readonly port: number;
  /** Print the final report as JSON on stdout instead of a table. @default false */
  readonly json: boolean;
  /** Serve the live dashboard. @default true */
  readonly dashboard: boolean;
  /** Where the JSON report goes. @default out/local-report.json */
  readonly out: string;
  readonly help: boolean;
}

export const DEFAULT_PORT = 4180;

export const USAGE = `Usage: npm start -- [options]

Runs Foreshadow locally: kinesis-local + dynalite, the real dispatcher/worker/SPM handlers, a load
generator playing a scenario, and a live dashboard on http://127.0.0.1:PORT.

Options:
  --scenario <file|name>  scenario file (YAML/JSON) or built-in name (default: the quick-start)
  --policy <name>         policy the SPM tick runs (default: spm); a,b plays the scenario once per
                          policy, one after the other, and prints them side by side
  --duration <time>       wall-clock length, e.g. 90, 90s, 2m (default: scenario length / time scale)
  --time-scale <n>        scenario seconds per wall second (default: fits the scenario into --duration)
  --port <n>              dashboard port on 127.0.0.1, 0 = any free port (default: ${DEFAULT_PORT})
  --json                  print the final report as JSON
  --no-dashboard          do not serve the dashboard
  --out <file>            where the JSON report is written (default: out/local-report.json)
  --help                  show this text`;

/** Parses argv; a bad option is a one-line LocalRunError quoting the value and what is allowed. */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  const parsed = parseCliArgs(argv, {
    scenario: { type: 'string' },
    policy: { type: 'string', default: 'spm' },
    duration: { type: 'string' },
    'time-scale': { type: 'string' },
    port: { type: 'string' },
    json: { type: 'boolean', default: false },
    'no-dashboard': { type: 'boolean', default: false },
    out: { type: 'string', default: 'out/local-report.json' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (!parsed.ok) {
    const { field, allowed, given } = parsed.problem;
    throw new LocalRunError('bad-option', `${new ValidationError(field, allowed, given).message}; npm start -- --help lists the options`);
  }
  const v = parsed.values;
  const policies = (v.policy ?? 'spm').split(',').map((p) => p.trim());
  if (policies.some((p) => p === '')) throw new LocalRunError('bad-option', `--policy must be a policy name, or names separated by commas (given ${JSON.stringify(v.policy)})`);
  return {
    ...(v.scenario !== undefined ? { scenario: v.scenario } : {}),
    policy: policies[0]!,
    policies,
    ...(v.duration !== undefined ? { durationSec: parseDurationSec(v.duration) } : {}),
    ...(v['time-scale'] !== undefined ? { timeScale: parseNumber('--time-scale', v['time-scale'], 0.01, 10_000) } : {}),
    port: v.port === undefined ? DEFAULT_PORT : parseNumber('--port', v.port, 0, 65_535, true),
    json: v.json ?? false,
    dashboard: !(v['no-dashboard'] ?? false),
    out: v.out ?? 'out/local-report.json',
    help: v.help ?? false,
  };
}

/** `90`, `90s`, `1.5m`, `2m30s` → seconds; between 1 s and 24 h. */
export function parseDurationSec(text: string): number {
  const match = /^(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?$/.exec(text.trim());
  const seconds = match && (match[1] !== undefined || match[2] !== undefined) ? Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) : NaN;
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 86_400) {
    throw new LocalRunError('bad-option', `--duration must be a time between 1s and 24h such as 90, 90s or 2m (given ${JSON.stringify(text)})`);
  }
  return seconds;
}

function parseNumber(flag: string, text: string, min: number, max: number, integer = false): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new LocalRunError('bad-option', `${flag} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max} (given ${JSON.stringify(text)})`);
  }
  return value;
}
