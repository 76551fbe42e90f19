import { countsPerThousand } from '../cost/per-thousand.js';
import { measureWorkload } from '../cost/measure.js';
import { defineBenchmarks } from './bench.js';

/**
 * What the handlers call per 1,000 records, counted by the meter on the `npm run cost` workload
 * (cost/measure.ts: the real dispatcher, worker, shadow and SPM handlers on kinesis-local and dynalite).
 * The table is printed; the extras are the totals per path.
 */
export default defineBenchmarks([
  {
    name: 'meter: AWS calls per 1,000 records (cost workload)',
    iterations: 1,
    warmup: false,
    async run() {
      process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
      const rows = countsPerThousand(await measureWorkload());
      for (const r of rows) console.log(`    ${r.path.padEnd(10)} ${r.what.padEnd(58)} ${String(r.perThousand).padStart(8)} per 1,000 records`);
      const calls = (path: string) => rows.filter((r) => r.path === path && !r.what.startsWith('invocations') && !r.what.startsWith('EMF')).reduce((n, r) => n + r.perThousand, 0);
      return { dispatcher: calls('dispatcher').toFixed(2), worker: calls('worker').toFixed(2), shadow: calls('shadow').toFixed(2), spm: calls('spm').toFixed(3) };
    },
  },
]);
