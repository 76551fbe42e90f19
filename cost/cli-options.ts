import { parseArgs } from 'node:util';
import { DEFAULT_SHARD_COUNTS } from './cost-table.js';
import { CostCliError } from './errors.js';
import { DEPLOYED } from './deployment.js';
import { INLINE_NONE } from '../infra/config/infra-config.schema.js';

const CLASSES = DEPLOYED.workers.map((w) => w.name);

/** What `npm run cost -- ...` accepts. */
export interface CostCliOptions {
  /** Print the rows as JSON (one object per shard count). @default false */
  readonly json: boolean;
  /** Write docs/COST.md-style markdown to this file instead of printing the table. @default none */
  readonly write?: string;
  /** Shard counts of the rows. @default 10, 100, 1000 */
  readonly shards: readonly number[];
  /**
   * The worker class the dispatcher processes inline (infra `inlineWorkerClass`), or `none` (every owner
   * invoked). @default the deployment's (the class with the least memory)
   */
  readonly inline?: string;
  readonly help: boolean;
}

export const COST_USAGE = `Usage: npm run cost -- [options]

Measures what the real handlers call on kinesis-local and dynalite for a short fixed workload, and prints
Foreshadow's monthly overhead at half the write limit, per item (measured counts x list prices).

Options:
  --json               print one JSON object per row: { shards, baselineUsd, overheadUsd, overheadPercent, items }
  --write <file>       write the markdown report (docs/COST.md) to <file>
  --shards <n,n,...>   shard counts of the rows (default: ${DEFAULT_SHARD_COUNTS.join(',')})
  --inline <class>     the worker class the dispatcher processes inline (${CLASSES.join(', ')}; default ${DEPLOYED.inlineWorkerClass ?? 'none'}),
                       or none: every owner invoked on its worker function
  --help               show this text`;

/** Parses argv; a bad option is a CostCliError quoting the value and what is allowed. */
export function parseCostCliOptions(argv: readonly string[]): CostCliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: { json: { type: 'boolean', default: false }, write: { type: 'string' }, shards: { type: 'string' }, inline: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new CostCliError(`${message} (allowed: --json, --write <file>, --shards <n,n,...>, --inline <class>, --help)`);
  }
  const shards = values.shards === undefined ? [...DEFAULT_SHARD_COUNTS] : parseShardCounts(values.shards);
  if (values.write !== undefined && values.write.trim() === '') throw new CostCliError('--write must name a file (given "")');
  if (values.inline !== undefined && values.inline !== INLINE_NONE && !CLASSES.includes(values.inline)) {
    throw new CostCliError(`--inline must name a worker class of the deployment (${CLASSES.join(', ')}) or none (given "${values.inline}")`);
  }
  return { json: values.json, ...(values.write === undefined ? {} : { write: values.write }), ...(values.inline === undefined ? {} : { inline: values.inline }), shards, help: values.help };
}

function parseShardCounts(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const counts = parts.map(Number);
  if (parts.length === 0 || counts.some((n, i) => parts[i] === '' || !Number.isInteger(n) || n < 1 || n > 100_000)) {
    throw new CostCliError(`--shards must be a comma-separated list of whole numbers from 1 to 100000 (given "${text}")`);
  }
  return counts;
}
