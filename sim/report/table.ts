import type { PolicyReport } from './report.js';

const COLUMNS: readonly [string, (r: PolicyReport) => string][] = [
  ['policy', (r) => r.policy],
  ['overload s', (r) => String(r.overloadSeconds)],
  ['throttled', (r) => String(r.throttledRecords)],
  ['p50 ms', (r) => String(r.latencyMs.p50)],
  ['p99 ms', (r) => String(r.latencyMs.p99)],
  ['max ms', (r) => String(r.latencyMs.max)],
  ['max iter age s', (r) => (r.maxIteratorAgeMs / 1000).toFixed(1)],
  ['moves', (r) => String(r.moves)],
  ['back', (r) => String(r.movesBack)],
  ['pause s', (r) => (r.handoffPauseSeconds === undefined ? 'n/a' : String(r.handoffPauseSeconds))],
  ['splits', (r) => (r.shardCountUpdates > 0 ? `${r.splits}+${r.shardCountUpdates}U` : String(r.splits))],
  ['shadows', (r) => String(r.shadows)],
  ['shadow ovh %', (r) => r.shadowOverheadPercent.toFixed(2)],
  ['MAPE %', (r) => (r.predictionMapePercent === null ? 'n/a' : r.predictionMapePercent.toFixed(1))],
  ['mean r', (r) => (r.meanReplicationRate === null ? 'n/a' : r.meanReplicationRate.toFixed(3))],
  ['cost $', (r) => r.cost.usd.total.toFixed(3)],
];

/** A plain-text (and Markdown-compatible) table, one row per policy. */
export function formatTable(reports: readonly PolicyReport[]): string {
  const rows = [COLUMNS.map(([h]) => h), ...reports.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]): string => `| ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
