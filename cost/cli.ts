import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { COST_USAGE, parseCostCliOptions } from './cli-options.js';
import { CostCliError } from './errors.js';

/**
 * `npm run cost`: measures the fixed workload (cost/measure.ts), prices it (cost/cost-items.ts,
 * cost/cost-table.ts) and prints the table, the JSON rows, or writes docs/COST.md (`npm run cost:doc`).
 */
async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseCostCliOptions(argv);
  } catch (error) {
    if (error instanceof CostCliError) {
      process.stderr.write(`npm run cost: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${COST_USAGE}\n`);
    return 0;
  }
  // The SPM handler logs each tick at INFO; the measurement prints only its result.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const [{ measureWorkload }, { costItems }, { costRows }, { renderMarkdown, renderText }] = await Promise.all([
    import('./measure.js'),
    import('./cost-items.js'),
    import('./cost-table.js'),
    import('./render.js'),
  ]);
  const { DEFAULT_WORKLOAD } = await import('./workload.js');
  const { INLINE_NONE } = await import('../infra/config/infra-config.schema.js');
  const { inlineWorkerClass: _deployed, ...invoked } = DEFAULT_WORKLOAD;
  const workload = options.inline === undefined ? DEFAULT_WORKLOAD : options.inline === INLINE_NONE ? invoked : { ...DEFAULT_WORKLOAD, inlineWorkerClass: options.inline };
  const measurement = await measureWorkload(workload);
  const items = costItems(measurement);
  const rows = costRows(items, options.shards);
  if (options.write !== undefined) {
    // The document shows the deployment's defaults and, measured the same way, every owner invoked.
    const variant = await measureWorkload(invoked);
    mkdirSync(dirname(options.write), { recursive: true });
    writeFileSync(options.write, renderMarkdown(measurement, items, rows, 'npm run cost:doc', { rows: costRows(costItems(variant), options.shards) }));
    process.stdout.write(`wrote ${options.write}\n`);
  } else if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderText(rows)}\n`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
