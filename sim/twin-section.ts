import { existsSync, readFileSync } from 'node:fs';
import type { AgreementRow } from '../local/agreement.js';

/** Where `npm run twin` results are kept for docs/BENCHMARKS.md (written by its `--out`). */
export const TWIN_SUMMARY = 'docs/twin-summary.json';

export interface TwinSummary {
  readonly options: { readonly scenarios: readonly string[]; readonly policy: string; readonly seed: number };
  readonly rows: readonly AgreementRow[];
}

/** `shard@second` for each shard, short ids; `none` when empty. */
function perShard(m: Readonly<Record<string, number>>): string {
  const e = Object.entries(m);
  return e.length === 0 ? 'none' : e.map(([id, s]) => `${Number(id.replace('shardId-', ''))}@${s}`).join(' ');
}

function verdict(inTime: boolean): string {
  return inTime ? 'in time' : '**late**';
}

/**
 * The local-versus-twin-versus-simulator table as a section of docs/BENCHMARKS.md (issue #12). `npm run twin`
 * plays the real handlers for minutes, so bench:doc does not re-run it; the section is empty without a summary.
 */
export function twinSectionLines(s: TwinSummary, path: string): string[] {
  const o = s.options;
  const rows = s.rows;
  const agree = rows.filter((r) => r.agreesWithTwin).length;
  const same = rows.filter((r) => r.sameVerdictAsAws).length;
  const sameAsTwin = rows.filter((r) => r.local.relievedInTime === r.twin.relievedInTime).length;
  return [
    '## The real handlers against the simulator (local run, its twin, the `aws` profile)',
    '',
    `From \`npm run twin -- --scenarios ${o.scenarios.join(',')} --policy ${o.policy} --seed ${o.seed} --out ${path}\` (not re-run by bench:doc:`,
    'it plays each scenario on kinesis-local, dynalite and the real handlers with `npm start`\'s defaults, about two wall',
    'minutes each). *twin*: the simulator playing the world the local run played, in scenario time (same seed, rates',
    "and limits scaled as locally, the local metric period, the local path's measured overhead per record; local/twin.ts).",
    '*aws*: the simulator on the scenario as written, the documented result. Per shard: `shard@scenario-second` of the',
    'first move or split, and of the first overload. *verdict*: every shard that overloaded was moved or split before',
    'it did. Tolerance against the twin: overload within ±25 % or ±60 s, the same shards acted on, first action',
    'within 2 ticks.',
    '',
    `**Local runs agree with their twin on ${agree} of ${rows.length} scenarios within the tolerance, and on the verdict on ${sameAsTwin} of ${rows.length}; with the \`aws\` simulator's verdict on ${same} of ${rows.length}.**`,
    '',
    '| scenario | wall s | time × | rate × | overhead ms/rec | overload s local / twin / aws | first action local | twin | aws | first overload local | twin | aws | verdict local / twin / aws | twin agrees | ledger |',
    '|---|---:|---:|---:|---:|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.wallSec} | ${r.timeScale} | ${r.rateScale} | ${r.overheadMsPerRecord} | ${r.local.overloadSeconds} / ${r.twin.overloadSeconds} / ${r.aws.overloadSeconds} | ` +
        `${perShard(r.local.firstActionScenarioSec)} | ${perShard(r.twin.firstActionScenarioSec)} | ${perShard(r.aws.firstActionScenarioSec)} | ` +
        `${perShard(r.local.firstOverloadScenarioSec)} | ${perShard(r.twin.firstOverloadScenarioSec)} | ${perShard(r.aws.firstOverloadScenarioSec)} | ` +
        `${verdict(r.local.relievedInTime)} / ${verdict(r.twin.relievedInTime)} / ${verdict(r.aws.relievedInTime)} | ` +
        `${r.agreesWithTwin ? 'yes' : `**no**: ${r.checks.filter((c) => c.agree === false).map((c) => `${c.what} ${c.local} vs ${c.twin}`).join('; ')}`} | ${r.ledgerOk ? 'OK' : 'FAILED'} |`,
    ),
    '',
  ];
}

/** The section from the summary file, or nothing when there is none. */
export function twinSection(path = TWIN_SUMMARY): string[] {
  if (!existsSync(path)) return [];
  return twinSectionLines(JSON.parse(readFileSync(path, 'utf8')) as TwinSummary, path);
}
