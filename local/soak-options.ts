import { parseArgs } from 'node:util';
import { LocalRunError } from './errors.js';

/** `npm run soak`'s options (local/soak.ts), parsed apart so that they can be tested without a run. */

/**
 * The scenario every run plays unless `--scenario` says otherwise: a hot spot that rotates over six shards,
 * so that each run asks for several moves or splits under chaos (the quick-start has one hot shard).
 */
export const SOAK_SCENARIO = 'local/scenarios/soak-rotation.yaml';

/** `--scenario builtins`: the built-in scenarios in turn; `undefined` is npm start's quick-start. */
export const BUILTINS = [undefined, 'hot-shift', 'flash-crowd', 'hot-key', 'worker-degrades', 'diurnal-skew', 'cost-shift'] as const;

const USAGE = `Usage: npm run soak -- [--minutes 30] [--seed 1] [--rate 0.02] [--policy spm] [--scenario ${SOAK_SCENARIO} | name | file | builtins] [--out out/soak-report.json]
Each run's full report is written to --runs-dir (default out/soak-runs) as soak-run-<n>.json.`;

export interface SoakOptions {
  readonly minutes: number;
  readonly seed: number;
  readonly rate: number;
  readonly policy: string;
  /** The scenario (built-in name or file) every run plays; `builtins` plays the built-in ones in turn. @default {@link SOAK_SCENARIO} */
  readonly scenario: string;
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
    scenario: values.scenario ?? SOAK_SCENARIO,
    out: values.out ?? 'out/soak-report.json',
    runsDir: values['runs-dir'] ?? 'out/soak-runs',
  };
}
