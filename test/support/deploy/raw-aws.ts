/**
 * Calls to the AWS APIs the project has no SDK client for (CloudFormation, SNS, IAM, EventBridge, CloudWatch
 * Logs, KMS), in their wire protocols, for the deploy check against moto only. The SDK clients the project
 * depends on (Kinesis, DynamoDB, Lambda, SQS, CloudWatch) are used wherever they cover a check; these few
 * read-only calls spare four more packages. moto ignores signatures but routes by the service named in the
 * Authorization header's credential scope, so the header names the service and carries no real signature.
 */
export class AwsApiError extends Error {
  override readonly name = 'AwsApiError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function authorization(service: string): string {
  return `AWS4-HMAC-SHA256 Credential=foreshadow-local/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

/** An AWS query-protocol call (form-encoded POST, XML answer); returns the XML text. */
export async function queryCall(endpoint: string, service: string, version: string, action: string, params: Record<string, string> = {}): Promise<string> {
  const body = new URLSearchParams({ Action: action, Version: version, ...params });
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', authorization: authorization(service) },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new AwsApiError(xmlValue(text, 'Code') ?? String(response.status), `${service}.${action}(${JSON.stringify(params)}): ${xmlValue(text, 'Message') ?? text.slice(0, 300)}`);
  return text;
}

/** An AWS JSON 1.1 call (`X-Amz-Target: <prefix>.<action>`); returns the parsed answer. */
export async function jsonCall<T>(endpoint: string, service: string, targetPrefix: string, action: string, input: object): Promise<T> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${targetPrefix}.${action}`, authorization: authorization(service) },
    body: JSON.stringify(input),
  });
  const text = await response.text();
  if (!response.ok) {
    const error = (text ? JSON.parse(text) : {}) as { __type?: string; message?: string; Message?: string };
    throw new AwsApiError(error.__type?.split('#').pop() ?? String(response.status), `${service}.${action}(${JSON.stringify(input)}): ${error.message ?? error.Message ?? text.slice(0, 300)}`);
  }
  return (text ? JSON.parse(text) : {}) as T;
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&#39;': "'", '&#34;': '"', '&amp;': '&' };

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#39|#34);/g, (entity) => ENTITIES[entity] ?? entity);
}

/** The text of the first `<tag>` in `xml`, unescaped; undefined when absent. */
export function xmlValue(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return match ? unescapeXml(match[1]!) : undefined;
}

/** Every `<member>` element's text (list answers of the query protocol; members must not nest). */
export function xmlMembers(xml: string, tag = 'member'): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
}
