import type { Template } from 'aws-cdk-lib/assertions';

/** One statement of a synthesized IAM policy, as CloudFormation holds it (resources may be intrinsics). */
export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

/** A DynamoDB request as IAM sees it: the action, the table ARN (as the template writes it) and the partition keys it touches. */
export interface DynamoRequest {
  readonly action: string;
  readonly table: unknown;
  /** `dynamodb:LeadingKeys`: the partition-key values of the request; empty for a Scan. */
  readonly leadingKeys: readonly string[];
}

/** Every statement of the policies attached to the role with this logical id. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleLogicalId }] } })).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

/** IAM's wildcard match (`*` any run of characters, `?` one character), case-sensitive as for condition values. */
function like(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(value);
}

/**
 * Whether one statement's conditions hold for the request. Only the operator this project uses is modelled
 * (`ForAllValues:StringLike` on `dynamodb:LeadingKeys`, true for an empty key set, as in IAM); any other
 * condition throws, so a policy change the model does not understand fails the test instead of passing it.
 */
function conditionsHold(statement: Statement, request: DynamoRequest): boolean {
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, values] of Object.entries(keys)) {
      if (operator !== 'ForAllValues:StringLike' || key !== 'dynamodb:LeadingKeys') throw new Error(`condition ${operator} on ${key} is not modelled`);
      const patterns = [values].flat();
      if (!request.leadingKeys.every((k) => patterns.some((p) => like(p, k)))) return false;
    }
  }
  return true;
}

/**
 * IAM's decision for one request against a role's identity policies: allowed when an Allow statement
 * matches action, resource and conditions and no Deny statement does. Resources compare as the template
 * writes them (the same `Fn::GetAtt`), or `*`.
 */
export function allows(statements: readonly Statement[], request: DynamoRequest): boolean {
  const matches = (s: Statement): boolean =>
    [s.Action].flat().some((a) => like(a, request.action)) &&
    [s.Resource].flat().some((r) => r === '*' || JSON.stringify(r) === JSON.stringify(request.table)) &&
    conditionsHold(s, request);
  return statements.some((s) => s.Effect === 'Allow' && matches(s)) && !statements.some((s) => s.Effect === 'Deny' && matches(s));
}
