import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnyBenchmark } from './bench.js';

/**
 * Runs every `bench/*.bench.ts` in name order (or only the files named on the command line) and prints,
 * per benchmark, the median and range of its timed runs and the target it is measured against.
 * Wall-clock time is fine here: benchmarks measure, they are not part of any decision.
 */
async function main(): Promise<void> {
  const dir = dirname(fileURLToPath(import.meta.url));
  const only = process.argv.slice(2);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort();
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`node ${process.version}, ${cpus().length} x ${cpu}`);
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default: readonly AnyBenchmark[] };
    console.log(`\n${file}`);
    for (const b of mod.default) {
      const context = b.setup ? await b.setup() : undefined;
      if (b.warmup !== false) await b.run(context);
      const times: number[] = [];
      let extra: Record<string, number | string> | void = undefined;
      for (let i = 0; i < (b.iterations ?? 5); i++) {
        const t0 = performance.now();
        extra = await b.run(context);
        times.push(performance.now() - t0);
      }
      times.sort((a, c) => a - c);
      const median = times[Math.floor(times.length / 2)]!;
      const verdict = b.target ? `  target ${b.target.text}: ${median <= b.target.ms ? 'met' : 'NOT met'}` : '';
      const more = extra ? `  ${Object.entries(extra).map(([k, v]) => `${k}=${v}`).join(' ')}` : '';
      console.log(`  ${b.name.padEnd(58)} median ${fmt(median)}  (min ${fmt(times[0]!)}, max ${fmt(times[times.length - 1]!)}, n=${times.length})${verdict}${more}`);
    }
  }
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
