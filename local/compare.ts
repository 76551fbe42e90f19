import { extname } from 'node:path';
import { formatTable } from '../sim/report/table.js';
import { LocalRunError } from './errors.js';
import { runLocal, type LocalRun, type RunLocalOptions } from './orchestrator.js';
import { planRun } from './run-plan.js';
import { firstActionScenarioSec } from './twin.js';

/** Most policies `npm start -- --policy a,b` plays one after the other. */
export const MAX_COMPARED_POLICIES = 4;

/**
 * Where each policy's report goes when several are compared: `out/local-report.json` becomes
 * `out/local-report.spm.json`, `out/local-report.static.json`, ...
 */
export function comparedOutPath(out: string, policy: string): string {
  const ext = extname(out);
  return ext === '' ? `${out}.${policy}` : `${out.slice(0, -ext.length)}.${policy}${ext}`;
}

/**
 * `npm start -- --scenario X --policy spm,kcl3-variance`: the same scenario, seed and time compression
 * played once per policy, one after the other, on fresh emulators each time. Every policy is checked
 * before the first run starts, so a typo in the second does not cost the first run's minutes. An abort
 * (Ctrl-C) ends the run in progress (it still drains and reports) and skips the ones not started.
 */
export async function runCompared(policies: readonly string[], o: Omit<RunLocalOptions, 'policy'>, run: (o: RunLocalOptions) => Promise<LocalRun> = runLocal): Promise<LocalRun[]> {
  if (policies.length < 2 || policies.length > MAX_COMPARED_POLICIES || new Set(policies).size !== policies.length) {
    throw new LocalRunError('bad-option', `--policy compares 2 to ${MAX_COMPARED_POLICIES} different policies separated by commas (given ${JSON.stringify(policies.join(','))})`);
  }
  for (const policy of policies) planRun({ ...o, policy });
  const runs: LocalRun[] = [];
  for (const policy of policies) {
    if (o.signal?.aborted) break;
    o.log?.(`--- policy ${policy} (${runs.length + 1} of ${policies.length})`);
    runs.push(await run({ ...o, policy, ...(o.out === undefined ? {} : { out: comparedOutPath(o.out, policy) }) }));
  }
  return runs;
}

/** The side-by-side report of a comparison: the simulator's table, one row per policy, then per shard when each policy first acted and when it first overloaded. */
export function formatComparison(runs: readonly LocalRun[], outPath?: string): string {
  const reports = runs.map((r) => r.report);
  const first = reports[0]!;
  const shards = [...new Set(reports.flatMap((r) => [...Object.keys(firstActionScenarioSec(r.timeline)), ...Object.keys(r.firstOverloadScenarioSec)]))].sort();
  const cell = (sec: number | undefined): string => (sec === undefined ? '—' : `${sec} s`);
  const perShard =
    shards.length === 0
      ? ['no policy moved or split a shard, and no shard overloaded']
      : [
          `| shard | ${reports.map((r) => `${r.policy}: first action | ${r.policy}: first overload`).join(' | ')} |`,
          `|---|${reports.map(() => '---:|---:').join('|')}|`,
          ...shards.map((s) => `| ${s} | ${reports.map((r) => `${cell(firstActionScenarioSec(r.timeline)[s])} | ${cell(r.firstOverloadScenarioSec[s])}`).join(' | ')} |`),
        ];
  return [
    '',
    `Foreshadow local comparison — scenario ${first.scenario}, seed ${first.seed}, policies ${reports.map((r) => r.policy).join(' then ')}`,
    `each played on fresh emulators: time scale ×${first.timeScale}, rate scale ×${first.rateScale}; overload seconds and cost in scenario time, latencies in wall ms`,
    '',
    formatTable(reports.map((r) => r.report)),
    '',
    'per shard, in scenario seconds:',
    ...perShard,
    '',
    ...reports.map((r) => `${r.policy}: ${r.wallSec} s wall${r.interrupted ? ' (interrupted)' : ''}, ledger ${r.ledger.ok ? `OK (${r.ledger.produced} records applied exactly once, in order)` : `FAILED (lost ${r.ledger.lost}, duplicated ${r.ledger.duplicated})`}`),
    ...(outPath === undefined ? [] : ['', `reports written to ${runs.filter((r) => r.reportWriteError === undefined).map((r) => comparedOutPath(outPath, r.report.policy)).join(', ')}`]),
    '',
  ].join('\n');
}
