import type { EmittedOutput, WireRecord, WorkerMode } from '../../core/ports/index.js';
import type { ProcessorContext, ProcessorRecord } from '../../processor/api.js';

/** A processor context that only collects: the caller decides whether to apply or discard what it holds. */
export interface CollectingContext<S> {
  readonly ctx: ProcessorContext<S>;
  /** State after the record (unchanged if the processor did not set it), and whether it was set. */
  state(): { readonly value: S | undefined; readonly written: boolean };
  outputs(): EmittedOutput[];
}

export interface ContextOptions<S> {
  readonly mode: WorkerMode;
  readonly shardId: string;
  readonly workerId: string;
  /** The user record; `subSequenceNumber` set inside a KPL aggregate. */
  readonly record: WireRecord & { readonly subSequenceNumber?: number };
  readonly stateBefore: S | undefined;
  /** Worker speed: `spend(ms)` waits ms / speed. */
  readonly speed: number;
}

export function collectingContext<S>(options: ContextOptions<S>): CollectingContext<S> {
  let value = options.stateBefore;
  let written = false;
  const outputs: EmittedOutput[] = [];
  const ctx: ProcessorContext<S> = {
    mode: options.mode,
    shardId: options.shardId,
    workerId: options.workerId,
    state: {
      get: () => value,
      set: (next: S) => {
        value = next;
        written = true;
      },
    },
    emit: (output: unknown) => {
      // User records of one aggregate share a sequence number: the sub-sequence number keeps their ids apart.
      const sub = options.record.subSequenceNumber === undefined ? '' : `.${options.record.subSequenceNumber}`;
      outputs.push({ id: `${options.shardId}:${options.record.sequenceNumber}${sub}:${outputs.length}`, key: options.record.partitionKey, value: output });
    },
    spend: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms / options.speed))),
  };
  return { ctx, state: () => ({ value, written }), outputs: () => outputs };
}

export function toProcessorRecord(shardId: string, record: WireRecord & { readonly subSequenceNumber?: number }): ProcessorRecord {
  return {
    shardId,
    sequenceNumber: record.sequenceNumber,
    ...(record.subSequenceNumber === undefined ? {} : { subSequenceNumber: record.subSequenceNumber }),
    partitionKey: record.partitionKey,
    data: Buffer.from(record.data, 'base64'),
    approximateArrivalMs: record.approximateArrivalMs,
  };
}

/** Groups records by partition key, keeping sequence order inside each group and first-seen order of keys. */
export function groupByKey<R extends WireRecord>(records: readonly R[]): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const record of records) {
    const group = groups.get(record.partitionKey);
    if (group) group.push(record);
    else groups.set(record.partitionKey, [record]);
  }
  return groups;
}

/** Wall and CPU time of a span, in ms. */
export function startSpan(): () => { wallMs: number; cpuMs: number } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 };
  };
}
