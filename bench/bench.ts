/**
 * The benchmark contract: each `bench/*.bench.ts` exports `default` a list of these. `bench/run.ts` runs
 * every file in name order and prints figures; a benchmark never asserts on time (speed is reported, not
 * tested, on a shared machine).
 */
export interface Benchmark<C = unknown> {
  readonly name: string;
  /** What issue #2 (or another) asks for, e.g. `< 100 ms`, and the limit in ms, for the printed verdict. */
  readonly target?: { readonly text: string; readonly ms: number };
  /** Timed runs. @default 5 */
  readonly iterations?: number;
  /** One untimed run first (JIT warm-up); turn off for long runs. @default true */
  readonly warmup?: boolean;
  /** Untimed preparation; its result is passed to every run. */
  readonly setup?: () => C | Promise<C>;
  /** One timed run; may return extra figures to print (e.g. `{ ticks: 12 }`). */
  readonly run: (context: C) => void | Record<string, number | string> | Promise<void | Record<string, number | string>>;
}

/** A benchmark of any context type, as a bench file's default export lists them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the context type differs per benchmark
export type AnyBenchmark = Benchmark<any>;

export function defineBenchmarks(list: readonly AnyBenchmark[]): readonly AnyBenchmark[] {
  return list;
}
