import { existsSync, readFileSync } from 'node:fs';

/** Where `npm run soak` results are kept for docs/BENCHMARKS.md (written by the soak's `--out`). */
export const SOAK_SUMMARY = 'docs/soak-summary.json';

interface SoakSummary {
  readonly options: { readonly minutes: number; readonly seed: number; readonly rate: number; readonly policy: string; readonly scenario?: string };
  readonly totals: {
    readonly runs: number;
    readonly wallMin: number;
    readonly movesAndSplits: number;
    readonly faults: Readonly<Record<string, number>>;
    readonly totalFaults: number;
    readonly produced: number;
    readonly ledgerOk: boolean;
    readonly deadLettered: number;
  };
  readonly runs: readonly { readonly scenario: string; readonly seed: number; readonly wallSec: number; readonly moves: number; readonly splits: number; readonly totalFaults: number; readonly produced: number; readonly ledgerOk: boolean; readonly deadLettered: number; readonly drained?: boolean }[];
}

/**
 * The soak's figures as a section of docs/BENCHMARKS.md, from the summary `npm run soak` wrote (it runs the
 * real handlers on the emulators for tens of minutes, so bench:doc does not re-run it). Empty without one.
 */
export function soakSection(path = SOAK_SUMMARY): string[] {
  if (!existsSync(path)) return [];
  const s = JSON.parse(readFileSync(path, 'utf8')) as SoakSummary;
  const o = s.options;
  const command = `npm run soak -- --minutes ${o.minutes} --seed ${o.seed} --rate ${o.rate}${o.policy === 'spm' ? '' : ` --policy ${o.policy}`}${o.scenario ? ` --scenario ${o.scenario}` : ''} --out ${path}`;
  const t = s.totals;
  // A run is drained when every shard caught up with what was produced before the drain timeout.
  const drained = s.runs.filter((r) => r.drained !== false).length;
  return [
    '## Soak under chaos (local system, real handlers)',
    '',
    `From \`${command}\` (not re-run by bench:doc: it takes the minutes it says). kinesis-local, dynalite and the real`,
    'dispatcher, worker and SPM handlers play the scenario again and again while faults are injected at random (seeded):',
    'SPM crash points (mid-promotion, mid-split), dispatcher and worker deaths before and after applying a batch, and',
    'DynamoDB throttling below the SDK\'s retries. Each run ends with the ledger check (docs/ARCHITECTURE.md, fault matrix).',
    '',
    `**${t.runs} runs, ${t.wallMin} min; ${t.movesAndSplits} moves and splits; ${t.totalFaults} faults injected; ${t.produced} records; ledger ${t.ledgerOk ? 'OK in every run' : 'FAILED'}; ${t.deadLettered} dead-lettered; no shard behind at the end in ${drained} of ${t.runs} runs.**`,
    '',
    `Against issue #9's target for 30 minutes (at least 50 moves or splits and 200 faults, ledger OK, no shard behind at the end): faults ${t.totalFaults >= 200 ? 'met' : 'not met'}, ` +
      `moves and splits ${t.movesAndSplits >= 50 ? 'met' : `not met (${t.movesAndSplits})`}, ledger ${t.ledgerOk ? 'met' : 'not met'}, caught up ${drained === t.runs ? 'met' : 'not met'}.`,
    '',
    '| fault | injected |',
    '|---|---:|',
    ...Object.entries(t.faults).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '| run | scenario | seed | wall s | moves | splits | faults | records | ledger | dead-lettered |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---|---:|',
    ...s.runs.map((r, i) => `| ${i + 1} | ${r.scenario} | ${r.seed} | ${r.wallSec} | ${r.moves} | ${r.splits} | ${r.totalFaults} | ${r.produced} | ${r.ledgerOk ? 'OK' : 'FAILED'} | ${r.deadLettered} |`),
    '',
  ];
}
