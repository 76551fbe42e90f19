/**
 * A checker for the CloudWatch embedded metric format specification
 * (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * returns what is wrong with one log line, empty when it is a valid EMF document.
 *
 * A line may hold several MetricDirectives (`_aws.CloudWatchMetrics` is an array), all referring to members of
 * the one root object: a metric shared by two directives has one value and is extracted under the dimension
 * sets of both. Two checks go beyond the specification's wording, because CloudWatch would accept the line
 * and count wrong: the same metric under the same namespace and dimension set twice (in one directive or two)
 * is extracted twice, a Sum doubled; and one root value given two units in two directives.
 */
export const EMF_UNITS = new Set([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits', 'Megabits',
  'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second',
  'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
]);

export function emfViolations(line: string): string[] {
  const problems: string[] = [];
  let root: Record<string, unknown>;
  try {
    root = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return ['the line is not JSON'];
  }
  const aws = root._aws as Record<string, unknown> | undefined;
  if (typeof aws !== 'object' || aws === null) return ['root has no _aws object'];
  if (typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp) || aws.Timestamp < 1e12) problems.push(`_aws.Timestamp must be epoch milliseconds (given ${String(aws.Timestamp)})`);
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0) return [...problems, '_aws.CloudWatchMetrics must be a non-empty array'];
  const series = new Set<string>();
  const units = new Map<string, string>();
  for (const [d, directive] of directives.entries()) {
    const at = `CloudWatchMetrics[${d}]`;
    if (typeof directive.Namespace !== 'string' || directive.Namespace.length === 0 || directive.Namespace.length > 1024) problems.push(`${at}.Namespace must be a non-empty string`);
    if (!Array.isArray(directive.Dimensions)) problems.push(`${at}.Dimensions must be an array of dimension sets`);
    for (const [s, set] of (Array.isArray(directive.Dimensions) ? directive.Dimensions : []).entries()) {
      if (!Array.isArray(set)) {
        problems.push(`${at}.Dimensions[${s}] must be an array`);
        continue;
      }
      if (set.length > 30) problems.push(`${at}.Dimensions[${s}] has ${set.length} keys (at most 30)`);
      for (const key of set) if (typeof root[key] !== 'string') problems.push(`dimension ${String(key)} must be a root member with a string value (given ${JSON.stringify(root[key])})`);
    }
    if (!Array.isArray(directive.Metrics) || directive.Metrics.length === 0 || directive.Metrics.length > 100) problems.push(`${at}.Metrics must hold 1 to 100 metric definitions`);
    for (const metric of Array.isArray(directive.Metrics) ? directive.Metrics : []) {
      if (typeof metric.Name !== 'string' || metric.Name.length === 0 || metric.Name.length > 1024) {
        problems.push(`${at}.Metrics[].Name must be a non-empty string`);
        continue;
      }
      if (metric.Unit !== undefined && !EMF_UNITS.has(metric.Unit)) problems.push(`metric ${metric.Name} has unit ${metric.Unit}, not a CloudWatch unit`);
      if (metric.StorageResolution !== undefined && metric.StorageResolution !== 1 && metric.StorageResolution !== 60) problems.push(`metric ${metric.Name} StorageResolution must be 1 or 60`);
      const unit = String(metric.Unit ?? 'None');
      const seenUnit = units.get(metric.Name);
      if (seenUnit !== undefined && seenUnit !== unit) problems.push(`metric ${metric.Name} has units ${seenUnit} and ${unit} in different directives (one root value has one unit)`);
      units.set(metric.Name, unit);
      const sets: unknown[] = Array.isArray(directive.Dimensions) && directive.Dimensions.length > 0 ? directive.Dimensions : [[]];
      for (const set of sets) {
        const key = `${String(directive.Namespace)}|${metric.Name}|${Array.isArray(set) ? [...(set as unknown[])].map(String).sort().join(',') : ''}`;
        if (series.has(key)) problems.push(`metric ${metric.Name} is published twice under dimension set ${JSON.stringify(set)} (CloudWatch would extract it twice)`);
        series.add(key);
      }
      const value = root[metric.Name];
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0 || values.length > 100 || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        problems.push(`metric ${metric.Name} must have a root member with a number or an array of at most 100 numbers (given ${JSON.stringify(value)})`);
      }
    }
  }
  return problems;
}
