/**
 * Turns a CloudFormation string value (a literal, or `Fn::Join` of literals and references) into text,
 * writing each reference as `<ref:LogicalId>` or `<att:LogicalId.Attr>`, so a test can parse the JSON a
 * dashboard body or an environment variable holds without knowing logical ids in advance.
 */
export function cfnText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v['Fn::Join'])) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(cfnText).join(separator);
    }
    if (typeof v['Ref'] === 'string') return `<ref:${v['Ref']}>`;
    if (Array.isArray(v['Fn::GetAtt'])) return `<att:${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  }
  throw new Error(`not a CloudFormation string: ${JSON.stringify(value)}`);
}
