import type { MetricUnitName } from '../definitions/metrics.js';

/** One value to publish, with every dimension set (dimension names) it is published under. */
export interface EmfValue {
  readonly name: string;
  readonly unit: MetricUnitName | 'None';
  readonly dimensionSets: readonly (readonly string[])[];
  readonly value: number;
}

/** Limits of the CloudWatch embedded metric format specification. */
export const EMF_LIMITS = {
  /** MetricDefinition objects per MetricDirective. */
  metricsPerDirective: 100,
  /** Dimension keys per DimensionSet. */
  dimensionKeysPerSet: 30,
} as const;

interface Directive {
  readonly Namespace: string;
  readonly Dimensions: readonly (readonly string[])[];
  readonly Metrics: { readonly Name: string; readonly Unit: string }[];
}

/**
 * One EMF document (one log line, no newline) for `values`, however many dimension sets they use.
 *
 * Why not Powertools Metrics: it writes one MetricDirective per line, and a directive's dimension sets apply
 * to all its metrics, so metrics with different dimension sets took one line each (three per worker batch).
 * The specification lets `_aws.CloudWatchMetrics` hold several directives that all refer to members of the
 * same root object, so here values with the same dimension sets share one directive, and every directive
 * shares one line, one Timestamp and one root member per dimension and per metric: CloudWatch extracts each
 * (metric, dimension set) exactly once, as before, from fewer log bytes (a primary worker batch: one line of
 * 502 B instead of three of 674 B together; docs/COST.md).
 *
 * Returns undefined when no value is left to publish. A value that is not a finite number is left out (JSON has no NaN; a metric target must be a number, and a
 * line with an invalid target may lose all its metrics, not just that one). Throws a RangeError for a bug in
 * the caller: a name given twice, a metric named like a dimension, a dimension without its value, a set of
 * more than 30 keys.
 */
export function emfLine(namespace: string, timestampMs: number, values: readonly EmfValue[], dimensionValues: Readonly<Record<string, string>>): string | undefined {
  const directives = new Map<string, Directive[]>();
  const dimensions: Record<string, string> = {};
  const metrics: Record<string, number> = {};
  for (const v of values) {
    if (!Number.isFinite(v.value)) continue;
    if (v.name in metrics) throw new RangeError(`EMF metric ${v.name} is given twice in one line (one root member per name)`);
    metrics[v.name] = v.value;
    for (const set of v.dimensionSets) {
      if (set.length > EMF_LIMITS.dimensionKeysPerSet) throw new RangeError(`EMF dimension set of ${v.name} must have at most ${EMF_LIMITS.dimensionKeysPerSet} keys (given ${set.length})`);
      for (const key of set) {
        const value = dimensionValues[key];
        if (value === undefined) throw new RangeError(`EMF dimension ${key} of ${v.name} has no value (given ${JSON.stringify(Object.keys(dimensionValues))})`);
        dimensions[key] = value;
      }
    }
    const key = JSON.stringify(v.dimensionSets);
    const group = directives.get(key) ?? [];
    let last = group.at(-1);
    if (!last || last.Metrics.length >= EMF_LIMITS.metricsPerDirective) {
      last = { Namespace: namespace, Dimensions: v.dimensionSets, Metrics: [] };
      group.push(last);
      directives.set(key, group);
    }
    last.Metrics.push({ Name: v.name, Unit: v.unit });
  }
  if (directives.size === 0) return undefined;
  for (const name of Object.keys(metrics)) if (name in dimensions) throw new RangeError(`EMF metric ${name} is also a dimension name (a root member holds one value)`);
  return JSON.stringify({ _aws: { Timestamp: Math.round(timestampMs), CloudWatchMetrics: [...directives.values()].flat() }, ...dimensions, ...metrics });
}
