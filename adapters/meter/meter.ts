import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { addCall, invocationKey, type AwsCall, type CallRow, type EmfRow, type InvocationRow, type MeterPath, type MeterSnapshot } from './meter-snapshot.js';

/** Which meter, and which path, the code running now counts into. */
interface MeterScope {
  readonly meter: Meter;
  readonly path: MeterPath;
}

const scopes = new AsyncLocalStorage<MeterScope>();

/** The scope of the invocation (or `Meter.scope`) the calling code runs in, if any. */
export function activeMeterScope(): MeterScope | undefined {
  return scopes.getStore();
}

/**
 * Counts what Foreshadow's functions cost: AWS calls (from the SDK middleware on every client, sdk-meter.middleware.ts,
 * or a local stand-in such as the metered worker invoker), Lambda invocations with their billed duration and
 * memory, and EMF lines. Counts are attributed to the path (the function) whose invocation made them, through
 * an async-local scope that `invocation` opens: one shared DynamoDB client serves the dispatcher, the
 * workers and the SPM in one process, and each call still lands on the right function.
 *
 * A per-process meter (`processMeter`) takes every call made outside a scope. A run or a test that wants its
 * own counts makes its own Meter and runs its handlers through `invocation` (or `scope`); subtracting two
 * `snapshot`s (meter-snapshot.ts) scopes counts to a phase.
 */
export class Meter {
  private readonly calls = new Map<string, CallRow>();
  private readonly invocations = new Map<string, InvocationRow>();
  private readonly emf = new Map<MeterPath, EmfRow>();
  private readonly metrics = new Set<string>();

  /** Records one AWS call on `path`. */
  recordCall(path: MeterPath, call: AwsCall): void {
    addCall(this.calls, path, call);
  }

  /** Records one invocation that ran `durationMs` (wall time; billed rounded up to 1 ms, at least 1 ms). */
  recordInvocation(path: MeterPath, memoryMb: number, durationMs: number, records: number): void {
    const key = invocationKey({ path, memoryMb });
    const old = this.invocations.get(key);
    this.invocations.set(key, {
      path,
      memoryMb,
      invocations: (old?.invocations ?? 0) + 1,
      billedMs: (old?.billedMs ?? 0) + Math.max(1, Math.ceil(durationMs)),
      records: (old?.records ?? 0) + records,
    });
  }

  /** Records one EMF line of `bytes` (UTF-8, no newline) and the metrics it defines. */
  recordEmf(path: MeterPath, bytes: number, metricIds: readonly string[]): void {
    const old = this.emf.get(path);
    this.emf.set(path, { path, lines: (old?.lines ?? 0) + 1, bytes: (old?.bytes ?? 0) + bytes });
    for (const id of metricIds) this.metrics.add(id);
  }

  /**
   * Runs `fn` as one invocation of the `path` function with `memoryMb`: everything it calls is counted on
   * `path` in this meter, and its duration is recorded as the invocation's billed duration, whether it
   * returns or throws. Nested invocations (the worker a dispatcher calls) count on their own path.
   */
  async invocation<T>(path: MeterPath, memoryMb: number, records: number, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await scopes.run({ meter: this, path }, fn);
    } finally {
      this.recordInvocation(path, memoryMb, performance.now() - start, records);
    }
  }

  /** Runs `fn` with its calls counted in this meter on `path` (no invocation is recorded). @default path 'outside' */
  scope<T>(fn: () => T, path: MeterPath = 'outside'): T {
    return scopes.run({ meter: this, path }, fn);
  }

  snapshot(): MeterSnapshot {
    return {
      calls: [...this.calls.values()],
      invocations: [...this.invocations.values()],
      emf: [...this.emf.values()],
      metrics: [...this.metrics].sort(),
    };
  }

  reset(): void {
    this.calls.clear();
    this.invocations.clear();
    this.emf.clear();
    this.metrics.clear();
  }
}

/** The per-process default: clients count here unless the calling code runs in another meter's scope. */
export const processMeter = new Meter();

/** The meter and path a call made now belongs to: the active scope's, or `fallback` on `outside`. */
export function meterFor(fallback: Meter): MeterScope {
  return activeMeterScope() ?? { meter: fallback, path: 'outside' };
}
