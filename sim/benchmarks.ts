import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { withLocalSections } from './doc-sections.js';
import { fileURLToPath } from 'node:url';
import { availablePolicies, deploymentOf, policyByName } from '../core/policies/index.js';
import { parseConfig } from '../core/config/index.js';
import { PRICES_CHECKED } from './report/prices.js';
import { formatOverSeeds, formatServiceLevel, overSeeds, parseSeeds, type PolicyOverSeeds } from './report/seeds.js';
import type { PolicyReport } from './report/report.js';
import { runPolicy } from './run.js';
import { builtinScenarioNames, loadScenario } from './scenario/load.js';
import { BENCHMARKS_MODEL_TEXT } from './benchmarks.text.js';

/**
 * Writes docs/BENCHMARKS.md from one command: `npm run bench:doc` (= `tsx sim/benchmarks.ts --seeds 1-10
 * --out docs/BENCHMARKS.md`). Every built-in scenario, every policy, every seed, on each policy's real data
 * path and again with the same information for all; per scenario the medians and worst values over the
 * seeds and the service-level table, and a summary of where spm loses, computed from those figures.
 * Scenarios run in `--jobs` child processes (default 2); the figures are the same however many.
 */

interface ScenarioResult {
  readonly name: string;
  readonly description: string;
  readonly category: string | null;
  readonly runSeconds: number;
  readonly real: PolicyOverSeeds[];
  readonly same: PolicyOverSeeds[];
  /** spm as the previous release deployed it: every owner invoked, every metric from CloudWatch. */
  readonly spmPrevious: PolicyOverSeeds;
}

/** Runs one scenario over the seeds, both variants; invariant violations abort the whole document. */
function runScenario(name: string, seeds: readonly number[]): ScenarioResult {
  const scenario = loadScenario(name);
  const runSeconds = scenario.durationMin * 60;
  const policies = availablePolicies();
  const run = (p: string, seed: number, sameInformation: boolean, previousRelease = false): PolicyReport => {
    const r = runPolicy(scenario, p, seed, undefined, { sameInformation, previousRelease });
    if (r.violations.length > 0) throw new Error(`${name}/${p}: invariant violations: ${r.violations.join('; ')} (reproduce: seed=${seed})`);
    return r.report;
  };
  const realBySeed = seeds.map((seed) => policies.map((p) => run(p, seed, false)));
  // A policy whose view is already undelayed, or that neither decides nor reads metrics, runs the same with
  // the same information: its real-path runs are reused.
  const affected = (p: string): boolean => {
    const d = deploymentOf(policyByName(p));
    return d.dataPath === 'cloudwatch' && (d.decisionFunction || d.metricsPerDecision(1, 1) > 0);
  };
  const sameBySeed = seeds.map((seed, i) => policies.map((p, j) => (affected(p) ? run(p, seed, true) : realBySeed[i]![j]!)));
  const real = overSeeds(realBySeed, runSeconds);
  const same = overSeeds(sameBySeed, runSeconds);
  const spmPrevious = overSeeds(seeds.map((seed) => [run('spm', seed, false, true)]), runSeconds)[0]!;
  return { name, description: scenario.description, category: scenario.category ?? null, runSeconds, real, same, spmPrevious };
}

function meets(r: PolicyOverSeeds): boolean {
  return r.seedsMeetingServiceLevel === r.seeds;
}

/** Plain sentences: every way in which some other policy did better than spm on this scenario's medians. */
function spmLosses(rows: readonly PolicyOverSeeds[]): string[] {
  const spm = rows.find((r) => r.policy === 'spm');
  if (!spm) return [];
  const others = rows.filter((r) => r.policy !== 'spm');
  const out: string[] = [];
  const cheaperMeeting = others.filter((r) => meets(r) && (!meets(spm) || r.costUsd.median < spm.costUsd.median)).sort((a, b) => a.costUsd.median - b.costUsd.median);
  if (!meets(spm) && cheaperMeeting.length > 0) out.push(`spm misses the service level (${spm.seedsMeetingServiceLevel} of ${spm.seeds} seeds) where ${cheaperMeeting.map((r) => `${r.policy} ($${r.costUsd.median.toFixed(3)})`).join(', ')} meet${cheaperMeeting.length === 1 ? 's' : ''} it`);
  else if (cheaperMeeting.length > 0) out.push(`${cheaperMeeting.map((r) => `${r.policy} ($${r.costUsd.median.toFixed(3)})`).join(', ')} meet${cheaperMeeting.length === 1 ? 's' : ''} the service level for less than spm ($${spm.costUsd.median.toFixed(3)})`);
  else if (!meets(spm)) out.push(`spm misses the service level (${spm.seedsMeetingServiceLevel} of ${spm.seeds} seeds); so does every other policy`);
  const lessOverload = others.filter((r) => r.overloadSeconds.median < spm.overloadSeconds.median);
  if (lessOverload.length > 0) out.push(`lower median overload than spm's ${spm.overloadSeconds.median} s: ${lessOverload.map((r) => `${r.policy} ${r.overloadSeconds.median} s`).join(', ')}`);
  const lowerP99 = others.filter((r) => r.p99Ms.median < spm.p99Ms.median * 0.9);
  if (lowerP99.length > 0) out.push(`p99 more than 10 % below spm's ${spm.p99Ms.median} ms: ${lowerP99.map((r) => `${r.policy} ${r.p99Ms.median} ms`).join(', ')}`);
  return out;
}

/** The summary in sentences, computed from the real-path medians. */
function plainWords(results: readonly ScenarioResult[]): string {
  const spmOf = (r: ScenarioResult): PolicyOverSeeds => r.real.find((x) => x.policy === 'spm')!;
  const met = results.filter((r) => meets(spmOf(r))).map((r) => r.name);
  const missed = results.filter((r) => !meets(spmOf(r))).map((r) => r.name);
  const cheapest = new Map<string, string[]>();
  for (const r of results) {
    const best = r.real.filter(meets).sort((a, b) => a.costUsd.median - b.costUsd.median)[0];
    if (best) cheapest.set(best.policy, [...(cheapest.get(best.policy) ?? []), r.name]);
  }
  const pool = new Set<string>(availablePolicies().filter((p) => deploymentOf(policyByName(p)).dataPlane === 'dispatcher'));
  const poolBest = results.filter((r) => {
    const s = spmOf(r);
    return r.real.filter((x) => pool.has(x.policy) && x.policy !== 'spm').every((x) => s.overloadSeconds.median <= x.overloadSeconds.median);
  }).length;
  return [
    `In plain words (real data paths, medians over the seeds): spm meets the service level on ${met.length} of ${results.length} scenarios`,
    `(${met.join(', ') || 'none'}) and misses it on ${missed.length} (${missed.join(', ') || 'none'}). The cheapest policy that meets it is`,
    `${[...cheapest.entries()].map(([p, names]) => `${p} on ${names.length} (${names.join(', ')})`).join('; ') || 'none'}${cheapest.has('spm') ? '' : '; spm is the cheapest on none'}.`,
    `Among the policies on Foreshadow's worker pool (${[...pool].join(', ')}: same workers, same dispatcher), spm has the lowest`,
    `or equal-lowest median overload on ${poolBest} of ${results.length} scenarios. The alternatives on a plain mapping run on the fastest`,
    'class with elastic concurrency and pay no dispatcher, metadata table or metric reads: where they win, the pool and its slot',
    'limits were the problem, not the choice of shard to move. Burst lanes (the pool policies on the dispatcher fan a lagging',
    "shard out over the classes' free slots; docs/ARCHITECTURE.md) close most of that gap; the cost of the pool is what is left.",
  ].join('\n');
}

function deploymentTable(): string {
  const config = parseConfig({});
  const rows = availablePolicies().map((name) => {
    const p = policyByName(name);
    const d = deploymentOf(p);
    const every = (d.decisionIntervalMs?.(config) ?? config.tickIntervalMs) / 1000;
    const reads = d.metricsPerDecision(8, 6);
    const handoff = d.handoffPauseMs ? `${d.handoffPauseMs(config) / 1000} s` : d.dataPlane === 'dispatcher' ? '1 s' : '—';
    const lanes = d.burstLanes ? `1, up to ${config.lanes.max} when lagging` : String(d.lanesPerShard(config));
    return `| ${name} | ${d.dataPlane} | ${d.dataPath} | ${d.capacityMode} | ${d.decisionFunction ? `every ${every} s` : 'none'} | ${reads} | ${lanes} | ${handoff} | ${p.label} |`;
  });
  return ['| policy | data plane | data path | capacity mode | decision function | GetMetricData series per decision (8 shards, 6 workers) | lanes per shard | handoff pause | what it is |', '|---|---|---|---|---|---:|---:|---|---|', ...rows].join('\n');
}

function render(results: readonly ScenarioResult[], seeds: readonly number[]): string {
  const seedText = `${seeds[0]}-${seeds[seeds.length - 1]}`;
  const cmd = 'npm run bench:doc';
  const summary = ['| scenario | meet the service level (median cost, cheapest first) | spm | where spm loses (medians) |', '|---|---|---|---|'];
  const sameSummary = [...summary];
  for (const r of results) {
    for (const [rows, table] of [[r.real, summary], [r.same, sameSummary]] as const) {
      const ok = rows.filter(meets).sort((a, b) => a.costUsd.median - b.costUsd.median);
      const spm = rows.find((x) => x.policy === 'spm')!;
      const losses = spmLosses(rows);
      table.push(`| ${r.name} | ${ok.length > 0 ? ok.map((x) => `${x.policy} $${x.costUsd.median.toFixed(3)}`).join(', ') : 'none'} | ${meets(spm) ? 'meets it' : `**misses it** (${spm.seedsMeetingServiceLevel} of ${spm.seeds})`}, overload ${spm.overloadSeconds.median} s, $${spm.costUsd.median.toFixed(3)} | ${losses.length > 0 ? losses.join('; ') : 'nowhere'} |`);
    }
  }
  const sections = results.map((r) =>
    [
      `### ${r.name}${r.category ? ` (${r.category})` : ''}`,
      '',
      r.description,
      '',
      `\`npm run sim -- --scenario ${r.name} --policy all --seeds ${seedText}\` (median / worst over ${seeds.length} seeds; service level: overload ≤ ${0.01 * r.runSeconds} s, 0 dropped, in every seed)`,
      '',
      formatOverSeeds(r.real),
      '',
      formatServiceLevel(r.real, r.runSeconds),
      '',
      `Same information for every policy (\`... --same-information\`):`,
      '',
      formatOverSeeds(r.same),
      '',
      formatServiceLevel(r.same, r.runSeconds),
      '',
    ].join('\n'),
  );
  return [
    '# Benchmarks',
    '',
    `Generated by \`${cmd}\` (\`tsx sim/benchmarks.ts --seeds ${seedText} --out docs/BENCHMARKS.md\`): every built-in scenario, every`,
    `policy, seeds ${seedText}, on each policy's real data path and again with the same information for all. Every figure`,
    'below is a median or a worst value over those seeds, from the deterministic simulator (`sim/`): re-run the command',
    `and the file comes out byte for byte the same. Prices: \`definitions/prices.ts\`, checked ${PRICES_CHECKED}. Do not edit`,
    'this file by hand; change `sim/benchmarks.ts` or `sim/benchmarks.text.ts` and regenerate.',
    '',
    '## Summary: who meets the service level, at what cost, and where spm loses',
    '',
    'Service level (issue #10): overload-seconds at most 1 % of the run and no record dropped after the producer\'s',
    'retries, in every seed. Costs are medians over the seeds for the whole run (USD, us-east-1 list prices).',
    '',
    plainWords(results),
    '',
    '### On each policy\'s real data path',
    '',
    summary.join('\n'),
    '',
    '### With the same information for every policy (no metric delay for anyone)',
    '',
    sameSummary.join('\n'),
    '',
    "## spm's cost with and without this round's cuts",
    '',
    cutsTable(results),
    '',
    '## What is compared',
    '',
    deploymentTable(),
    '',
    BENCHMARKS_MODEL_TEXT,
    '',
    `## Scenarios (seeds ${seedText}, \`aws\` profile, every policy at its defaults)`,
    '',
    '*actions*: moves + splits + merges + UpdateShardCount calls. *throttled*: records rejected at least once at a',
    "shard's write limit (retried by the producer); *dropped*: records the producer gave up on after 30 s.",
    '',
    ...sections,
  ].join('\n');
}

/**
 * spm as deployed now (each shard's load from the metadata table, the class with the least memory processed
 * by the dispatcher itself) against spm as the previous release deployed it (every metric from CloudWatch,
 * every owner invoked): medians over the seeds. Decisions change too, since the data path's delay does.
 */
function cutsTable(results: readonly ScenarioResult[]): string {
  const rows = results.map((r) => {
    const now = r.real.find((x) => x.policy === 'spm')!;
    const before = r.spmPrevious;
    const change = before.costUsd.median > 0 ? (100 * (now.costUsd.median - before.costUsd.median)) / before.costUsd.median : 0;
    return `| ${r.name} | $${now.costUsd.median.toFixed(3)} | ${now.overloadSeconds.median} s | $${before.costUsd.median.toFixed(3)} | ${before.overloadSeconds.median} s | ${change >= 0 ? '+' : ''}${change.toFixed(1)} % |`;
  });
  return [
    'Median over the seeds. *Now*: each shard\'s load read from the metadata table, 15 s after its minute, and the worker',
    'class with the least memory processed by the dispatcher itself (priced only: in the simulator that class keeps',
    'its slots, and shards are not placed on it first as the SPM places them on AWS, so the saving is the part of',
    'the batches that class happened to own). *Previous release*: every metric from CloudWatch two minutes late, every',
    'owner invoked on its worker function. The same scenarios, seeds and policy; the decisions differ with the data path.',
    '',
    '| scenario | now: cost | now: overload | previous release: cost | previous release: overload | cost change |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<void> {
  const arg = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seeds = parseSeeds(arg('--seeds') ?? '1-10');
  const only = arg('--scenarios');
  if (only !== undefined) {
    // Child: run the named scenarios and print their results as JSON.
    process.stdout.write(JSON.stringify(only.split(',').map((n) => runScenario(n, seeds))));
    return;
  }
  const jobs = Math.max(1, Number(arg('--jobs') ?? 2));
  const names = builtinScenarioNames();
  const groups: string[][] = Array.from({ length: Math.min(jobs, names.length) }, () => []);
  // Longest first onto the least loaded job, by simulated shard-minutes.
  const weight = (n: string): number => loadScenario(n).durationMin * loadScenario(n).shards.count;
  const load = groups.map(() => 0);
  for (const n of [...names].sort((a, b) => weight(b) - weight(a))) {
    const j = load.indexOf(Math.min(...load));
    groups[j]!.push(n);
    load[j]! += weight(n);
  }
  const self = fileURLToPath(import.meta.url);
  const parts = await Promise.all(groups.map((g) => child(self, g, arg('--seeds') ?? '1-10')));
  const byName = new Map(parts.flat().map((r) => [r.name, r]));
  const doc = withLocalSections(render(names.map((n) => byName.get(n)!), seeds));
  const out = arg('--out');
  if (out) writeFileSync(out, doc);
  else process.stdout.write(doc);
}

function child(script: string, names: readonly string[], seeds: string): Promise<ScenarioResult[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', script, '--seeds', seeds, '--scenarios', names.join(',')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ScenarioResult[]) : reject(new Error(`scenarios ${names.join(', ')} failed (exit ${code})`))));
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
