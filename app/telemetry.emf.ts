import { DIMENSIONS, FORESHADOW_METRICS, METRICS_NAMESPACE, type MetricDefinition } from '../definitions/metrics.js';
import { emfLine, type EmfValue } from './emf-line.js';
import type { DispatchFigures, Telemetry, WorkerBatchFigures } from './telemetry.js';

export interface EmfTelemetryOptions {
  /** The line's `_aws.Timestamp`, in epoch ms. @default Date.now */
  readonly nowMs?: () => number;
  /**
   * Prints one EMF line. @default `process.stdout.write(line + '\n')`, the path Powertools Metrics takes too
   * (its own Console on process.stdout): raw stdout, which Lambda ships to CloudWatch Logs unwrapped in both
   * log formats, and which the local runtime's EmfCapture sees.
   */
  readonly print?: (line: string) => void;
  /**
   * Print nothing. @default true when POWERTOOLS_METRICS_DISABLED is set to a true value (1, y, yes, t, true,
   * on), as Powertools Metrics honours it, so the switch operators know keeps working.
   */
  readonly disabled?: boolean;
}

const TRUTHY = new Set(['1', 'y', 'yes', 't', 'true', 'on']);

/**
 * Telemetry as CloudWatch embedded metric format, following the names and dimension sets of
 * definitions/metrics.ts: ONE line per worker batch and one per dispatched batch, with one MetricDirective per
 * group of metrics that share their dimension sets (app/emf-line.ts; Powertools Metrics would print a line
 * per directive, three per primary batch, and EMF log ingestion is the largest per-shard cost of
 * docs/COST.md). The line carries the dimension values as top-level members. Lambda ships stdout to
 * CloudWatch Logs, which extracts the metrics; the local runtime captures the same lines
 * (adapters/local/emf-capture.ts).
 */
export class EmfTelemetry implements Telemetry {
  private readonly nowMs: () => number;
  private readonly print: (line: string) => void;
  private readonly disabled: boolean;

  constructor(
    private readonly namespace = METRICS_NAMESPACE,
    options: EmfTelemetryOptions = {},
  ) {
    this.nowMs = options.nowMs ?? Date.now;
    this.print = options.print ?? ((line) => void process.stdout.write(`${line}\n`));
    this.disabled = options.disabled ?? TRUTHY.has((process.env.POWERTOOLS_METRICS_DISABLED ?? '').toLowerCase());
  }

  workerBatch(f: WorkerBatchFigures): void {
    const values: [MetricDefinition, number][] = [[FORESHADOW_METRICS.batches, f.batches ?? 1]];
    if (f.mode === 'primary') {
      values.push([FORESHADOW_METRICS.primaryRecords, f.records], [FORESHADOW_METRICS.primaryBusyMs, f.busyMs]);
    } else {
      values.push([FORESHADOW_METRICS.shadowRecords, f.records], [FORESHADOW_METRICS.shadowBusyMs, f.busyMs]);
    }
    // A shadow's failures lose a sample, not an owner's records: they must not raise the worker class's alarm.
    if (f.failed > 0) values.push([f.mode === 'primary' ? FORESHADOW_METRICS.workerErrors : FORESHADOW_METRICS.shadowErrors, f.failed]);
    this.emit(values, { [DIMENSIONS.shardId]: f.shardId, [DIMENSIONS.workerId]: f.workerId }, f.atMs);
  }

  dispatch(f: DispatchFigures): void {
    this.emit(
      [
        [FORESHADOW_METRICS.iteratorAgeMs, f.iteratorAgeMs],
        [FORESHADOW_METRICS.burstLanes, f.lanes ?? 1],
      ],
      { [DIMENSIONS.shardId]: f.shardId },
      f.atMs,
    );
  }

  private emit(values: readonly (readonly [MetricDefinition, number])[], dimensionValues: Readonly<Record<string, string>>, atMs?: number): void {
    if (this.disabled) return;
    const emf: EmfValue[] = values.map(([metric, value]) => ({ name: metric.name, unit: metric.unit, dimensionSets: metric.dimensionSets, value }));
    // A dimension the figures lack still needs a string value, or the whole line would be invalid.
    const dimensions: Record<string, string> = {};
    for (const { dimensionSets } of emf) for (const set of dimensionSets) for (const name of set) dimensions[name] = dimensionValues[name] || 'unknown';
    const line = emfLine(this.namespace, atMs ?? this.nowMs(), emf, dimensions);
    if (line !== undefined) this.print(line);
  }
}
