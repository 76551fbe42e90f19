/** The parts of an EMF document the local metrics store reads (see the CloudWatch EMF specification). */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit?: string }[];
    }[];
  };
  readonly [member: string]: unknown;
}

export function isEmfDocument(value: unknown): value is EmfDocument {
  const aws = (value as { _aws?: { Timestamp?: unknown; CloudWatchMetrics?: unknown } } | null)?._aws;
  return typeof aws === 'object' && aws !== null && typeof aws.Timestamp === 'number' && Array.isArray(aws.CloudWatchMetrics);
}

export interface EmfCaptureOptions {
  /** Also write captured EMF lines to the real stdout. @default false */
  readonly passThrough?: boolean;
}

/**
 * Captures the EMF lines handlers print (the worker and dispatcher through app/telemetry.emf.ts, the SPM
 * through Powertools Metrics; both write to process.stdout, one JSON document per line, which is how Lambda
 * hands them to CloudWatch Logs) and gives them to `sink`, one call per line whatever the number of metric
 * directives it holds; other output goes through untouched. In-process handlers of the local runtime and the tests thus feed a local metrics store
 * exactly what CloudWatch would extract.
 */
export class EmfCapture {
  private original: typeof process.stdout.write | undefined;

  constructor(
    private readonly sink: (document: EmfDocument, line: string) => void,
    private readonly options: EmfCaptureOptions = {},
  ) {}

  start(): this {
    if (this.original) return this;
    const original = process.stdout.write.bind(process.stdout) as typeof process.stdout.write;
    this.original = original;
    const capture = (chunk: unknown, ...rest: unknown[]): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
      const passed = this.consume(text);
      if (passed.length === 0) {
        const callback = rest.find((r): r is () => void => typeof r === 'function');
        callback?.();
        return true;
      }
      return (original as (c: string, ...r: unknown[]) => boolean)(passed, ...rest);
    };
    process.stdout.write = capture as typeof process.stdout.write;
    return this;
  }

  stop(): void {
    if (this.original) process.stdout.write = this.original;
    this.original = undefined;
  }

  /**
   * Takes the EMF lines out of `text` and returns what should still be printed. Console writes a line and
   * its newline in one call, so a chunk holds whole lines; a chunk without EMF goes through unchanged.
   */
  private consume(text: string): string {
    if (!text.includes('"_aws"')) return text;
    const kept = text.split('\n').filter((line) => {
      const document = parse(line);
      if (document) this.sink(document, line);
      return !document || this.options.passThrough === true;
    });
    return kept.join('\n');
  }
}

function parse(line: string): EmfDocument | undefined {
  if (!line.startsWith('{') || !line.includes('"_aws"')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return isEmfDocument(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
