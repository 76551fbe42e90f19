import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { parseCliArgs } from './cli-args.js';
import { availablePolicies } from '../core/policies/index.js';
import { utilizationChart } from './report/chart.js';
import { formatTable } from './report/table.js';
import { formatOverSeeds, formatServiceLevel, overSeeds, parseSeeds, SERVICE_LEVEL } from './report/seeds.js';
import { checkTargets, formatTargets } from './report/targets.js';
import { runPolicy, type PolicyRun } from './run.js';
import { loadScenario } from './scenario/load.js';
import { profileByName } from './profiles.js';

const USAGE = 'usage: npm run sim -- --scenario <name|path> [--policy all|spm,kcl3-variance,...] [--seed N | --seeds 1-10] [--same-information] [--json] [--out DIR] [--help]';

export interface CliArgs {
  readonly scenario: string;
  readonly policies: string[];
  readonly seed: number;
  /** `--seeds`: run every seed and report median and worst (absent: the single `seed`). */
  readonly seeds?: readonly number[];
  readonly json: boolean;
  /** `--same-information`: every policy sees metric points as soon as their period ends, whatever its data path. */
  readonly sameInformation?: boolean;
  readonly out?: string;
}

/** Parses the command line; a bad argument is a ValidationError naming the flag and what is allowed. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const parsed = parseCliArgs(argv, {
    scenario: { type: 'string' },
    policy: { type: 'string', default: 'all' },
    seed: { type: 'string', default: '1' },
    seeds: { type: 'string' },
    'same-information': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (!parsed.ok) throw new ValidationError(parsed.problem.field, parsed.problem.allowed, parsed.problem.given);
  const { scenario, out, json = false, policy = 'all', seed: seedText = '1' } = parsed.values;
  const sameInformation = parsed.values['same-information'] === true;
  const seeds = parsed.values.seeds === undefined ? undefined : parseSeeds(parsed.values.seeds);
  const seed = Number(seedText);
  if (!/^\d+$/.test(seedText) || !Number.isSafeInteger(seed)) throw new ValidationError('--seed', 'a non-negative integer', seedText);
  if (scenario === undefined) throw new ValidationError('--scenario', 'given (a built-in name or a .yaml/.json path)', undefined);
  const available = availablePolicies();
  const policies = policy === 'all' ? available : policy.split(',').map((p) => p.trim());
  for (const p of policies) if (!(available as string[]).includes(p)) throw new ValidationError('--policy', `all or a comma-separated list of ${available.join(', ')}`, p);
  if (seeds !== undefined && out !== undefined) throw new ValidationError('--out', 'used with a single --seed (it writes one run per policy)', out);
  return { scenario, policies, seed, json, ...(sameInformation ? { sameInformation } : {}), ...(seeds !== undefined ? { seeds } : {}), ...(out !== undefined ? { out } : {}) };
}

/** Runs the CLI; returns the exit code (0 ok, 1 invariant violations, 2 bad input). */
export function main(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let args: CliArgs;
  try {
    args = parseArgs(argv);
    if (args.seeds) return mainOverSeeds(args, args.seeds);
  } catch (error) {
    if (error instanceof ValidationError) {
      process.stderr.write(`error: ${error.message}\n${error.field === '--scenario' && argv.length === 0 ? `${USAGE}\n` : ''}`);
      return 2;
    }
    throw error;
  }
  let runs: PolicyRun[];
  let scenarioName: string;
  let category: 'gradual' | 'sudden' | undefined;
  let stepMs: number;
  try {
    args = parseArgs(argv);
    const scenario = loadScenario(args.scenario);
    scenarioName = scenario.name;
    category = scenario.category;
    stepMs = profileByName(scenario.profile).stepMs;
    runs = args.policies.map((p) => runPolicy(scenario, p, args.seed, undefined, { sameInformation: args.sameInformation === true }));
  } catch (error) {
    if (error instanceof ValidationError) {
      process.stderr.write(`error: ${error.message}\n${error.field === '--scenario' && argv.length === 0 ? `${USAGE}\n` : ''}`);
      return 2;
    }
    throw error;
  }
  const reports = runs.map((r) => r.report);
  const targets = checkTargets(category, reports, { stepMs });
  const result = { scenario: scenarioName, category: category ?? null, seed: args.seed, reports, targets, violations: Object.fromEntries(runs.map((r) => [r.report.policy, r.violations])) };
  if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`scenario ${scenarioName}${category ? ` (${category})` : ''}, seed ${args.seed}\n${formatTable(reports)}\n${targets.length > 0 ? `issue #2 targets for spm:\n${formatTargets(targets)}\n` : ''}`);
  if (args.out) {
    mkdirSync(args.out, { recursive: true });
    writeFileSync(join(args.out, `${scenarioName}.json`), `${JSON.stringify({ ...result, runs: runs.map((r) => ({ policy: r.report.policy, timeline: r.timeline, log: r.log })) }, bigintReplacer, 2)}\n`);
    for (const r of runs) writeFileSync(join(args.out, `${scenarioName}.${r.report.policy}.svg`), utilizationChart(`${scenarioName} - ${r.report.label} (seed ${args.seed})`, r.timeline, r.log));
  }
  const broken = runs.filter((r) => r.violations.length > 0);
  for (const r of broken) process.stderr.write(`invariant violations (${r.report.policy}):\n  ${r.violations.join('\n  ')}\nreproduce: seed=${args.seed}\n`);
  return broken.length > 0 ? 1 : 0;
}

/**
 * `--seeds`: every policy over every seed; prints medians and worst values and the service-level table, or
 * with `--json` each seed's `reports[]` (the single-seed fields) plus `medians` and `serviceLevel`.
 */
function mainOverSeeds(args: CliArgs, seeds: readonly number[]): number {
  const scenario = loadScenario(args.scenario);
  const runSeconds = scenario.durationMin * 60;
  const perSeed = seeds.map((seed) => ({ seed, runs: args.policies.map((p) => runPolicy(scenario, p, seed, undefined, { sameInformation: args.sameInformation === true })) }));
  const rows = overSeeds(perSeed.map((s) => s.runs.map((r) => r.report)), runSeconds);
  if (args.json) {
    const result = {
      scenario: scenario.name,
      category: scenario.category ?? null,
      seeds,
      sameInformation: args.sameInformation === true,
      runs: perSeed.map((s) => ({ seed: s.seed, reports: s.runs.map((r) => r.report), violations: Object.fromEntries(s.runs.map((r) => [r.report.policy, r.violations])) })),
      medians: rows,
      serviceLevel: { ...SERVICE_LEVEL, runSeconds, policies: rows.map((r) => ({ policy: r.policy, seedsMeeting: r.seedsMeetingServiceLevel, meets: r.seedsMeetingServiceLevel === r.seeds, medianCostUsd: r.costUsd.median })) },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const seedText = seeds.length > 1 && seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1) ? `${seeds[0]}-${seeds[seeds.length - 1]}` : seeds.join(',');
    process.stdout.write(`scenario ${scenario.name}${scenario.category ? ` (${scenario.category})` : ''}, seeds ${seedText}${args.sameInformation ? ', same information (no metric delay for any policy)' : ''}: median / worst\n${formatOverSeeds(rows)}\n\nservice level: overload ≤ 1 % of the run, no record dropped, in every seed\n${formatServiceLevel(rows, runSeconds)}\n`);
  }
  let broken = 0;
  for (const s of perSeed) {
    for (const r of s.runs) {
      if (r.violations.length === 0) continue;
      broken++;
      process.stderr.write(`invariant violations (${r.report.policy}):\n  ${r.violations.join('\n  ')}\nreproduce: seed=${s.seed}\n`);
    }
  }
  return broken > 0 ? 1 : 0;
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!)) {
  process.exitCode = main(process.argv.slice(2));
}
