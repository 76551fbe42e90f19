import type { EmfDocument } from '../local/emf-capture.js';
import { meterFor, type Meter } from './meter.js';

/**
 * A sink for adapters/local/emf-capture.ts that counts each captured EMF line (one CloudWatch Logs event on
 * AWS, billed by its bytes) on the path of the invocation that printed it, and the metrics it defines
 * (CloudWatch bills each distinct namespace, name and dimension values per month). The capture calls its
 * sink synchronously inside the handler's `stdout.write`, so the invocation's meter scope is still active.
 */
export function meterEmfLine(fallback: Meter): (document: EmfDocument, line: string) => void {
  return (document, line) => {
    const { meter, path } = meterFor(fallback);
    meter.recordEmf(path, Buffer.byteLength(line), metricIds(document));
  };
}

/** `namespace/name{dimension=value,...}` for every metric under every dimension set of the line. */
export function metricIds(document: EmfDocument): string[] {
  const ids: string[] = [];
  for (const directive of document._aws.CloudWatchMetrics) {
    for (const set of directive.Dimensions) {
      const dimensions = set.map((name) => `${name}=${String(document[name])}`).join(',');
      for (const metric of directive.Metrics) ids.push(`${directive.Namespace}/${metric.Name}{${dimensions}}`);
    }
  }
  return ids;
}
