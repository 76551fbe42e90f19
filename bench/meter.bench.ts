import { countsPerThousand } from '../cost/per-thousand.js';
import { measureWorkload } from '../cost/measure.js';
import { DEFAULT_WORKLOAD, PRICED_RECORDS_PER_SEC_PER_SHARD, type Workload } from '../cost/workload.js';
import { defineBenchmarks } from './bench.js';

/**
 * What the handlers call per 1,000 records, counted by the meter on the `npm run cost` workload
 * (cost/measure.ts: the real dispatcher, worker, shadow and SPM handlers on kinesis-local and dynalite), as
 * deployed by default (the dispatcher processes the class with the least memory itself, so its owner's calls
 * count on the dispatcher path) and with every owner invoked (`inlineWorkerClass: none`, the worker path).
 * The table is printed, per 1,000 records and per shard-hour at half the write limit (for the shadow path:
 * per shard-hour of a shadowed shard); the extras are the calls per 1,000 records per path.
 */
async function meter(workload: Workload) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const rows = countsPerThousand(await measureWorkload(workload));
  // A shard at half its write limit carries 1,800 thousand records an hour.
  const perHour = (PRICED_RECORDS_PER_SEC_PER_SHARD * 3600) / 1000;
  console.log(`    ${'path'.padEnd(10)} ${'count'.padEnd(58)} ${'per 1,000 records'.padStart(18)} ${'per shard-hour'.padStart(16)}`);
  for (const r of rows) console.log(`    ${r.path.padEnd(10)} ${r.what.padEnd(58)} ${String(r.perThousand).padStart(18)} ${String(Number((r.perThousand * perHour).toPrecision(4))).padStart(16)}`);
  const calls = (path: string) => rows.filter((r) => r.path === path && !r.what.startsWith('invocations') && !r.what.startsWith('EMF')).reduce((n, r) => n + r.perThousand, 0);
  return { dispatcher: calls('dispatcher').toFixed(2), worker: calls('worker').toFixed(2), shadow: calls('shadow').toFixed(2), spm: calls('spm').toFixed(3) };
}

const { inlineWorkerClass: _inline, ...everyOwnerInvoked } = DEFAULT_WORKLOAD;

export default defineBenchmarks([
  { name: 'meter: AWS calls per 1,000 records (cost workload, as deployed)', iterations: 1, warmup: false, run: () => meter(DEFAULT_WORKLOAD) },
  { name: 'meter: AWS calls per 1,000 records (cost workload, every owner invoked)', iterations: 1, warmup: false, run: () => meter(everyOwnerInvoked) },
]);
