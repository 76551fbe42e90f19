import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Lambda's Invoke on loopback, speaking the protocol the real SDK v3 client uses (REST-JSON:
 * `POST /2015-03-31/functions/{name}/invocations`, `X-Amz-Invocation-Type`, the payload as the raw body).
 * Each function is a behaviour; the server enforces the payload limits, so an adapter that sends too much
 * gets Lambda's 413, and records every call for assertions.
 */
export type FunctionBehaviour =
  | { readonly kind: 'respond'; readonly respond: (payload: unknown) => unknown }
  | { readonly kind: 'function-error'; readonly errorType: string; readonly errorMessage: string }
  | { readonly kind: 'throttle' }
  | { readonly kind: 'throttle-after'; readonly calls: number }
  /** Never answers (until the server stops): a worker running past the caller's patience. */
  | { readonly kind: 'hang' };

export interface RecordedInvoke {
  readonly functionName: string;
  readonly invocationType: string;
  readonly bytes: number;
  readonly payload: unknown;
}

export interface FakeLambda {
  readonly endpoint: string;
  readonly invokes: RecordedInvoke[];
  stop(): Promise<void>;
}

export interface FakeLambdaOptions {
  /** @default 6_000_000 */
  readonly syncLimitBytes?: number;
  /** @default 1_000_000 */
  readonly asyncLimitBytes?: number;
}

function error(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': 'req' });
  res.end(JSON.stringify({ Type: 'User', message }));
}

export async function startFakeLambda(functions: Readonly<Record<string, FunctionBehaviour>>, options: FakeLambdaOptions = {}): Promise<FakeLambda> {
  const invokes: RecordedInvoke[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
    if (req.method !== 'POST' || match === null) {
      error(res, 404, 'UnknownOperationException', `unexpected ${req.method} ${req.url}`);
      return;
    }
    const functionName = decodeURIComponent(match[1]!);
    const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const behaviour = functions[functionName];
    if (behaviour === undefined) {
      error(res, 404, 'ResourceNotFoundException', `Function not found: arn:aws:lambda:us-east-1:000000000000:function:${functionName}`);
      return;
    }
    const limit = invocationType === 'Event' ? (options.asyncLimitBytes ?? 1_000_000) : (options.syncLimitBytes ?? 6_000_000);
    if (body.length > limit) {
      error(res, 413, 'RequestTooLargeException', `Request must be smaller than ${limit} bytes for the ${invocationType} invocation type`);
      return;
    }
    const payload: unknown = JSON.parse(body.toString('utf8'));
    const previous = invokes.filter((i) => i.functionName === functionName).length;
    invokes.push({ functionName, invocationType, bytes: body.length, payload });
    if (behaviour.kind === 'throttle' || (behaviour.kind === 'throttle-after' && previous >= behaviour.calls)) {
      error(res, 429, 'TooManyRequestsException', 'Rate Exceeded.');
      return;
    }
    if (behaviour.kind === 'hang') return;
    if (invocationType === 'Event') {
      res.writeHead(202, { 'x-amzn-requestid': 'req' });
      res.end();
      return;
    }
    if (behaviour.kind === 'function-error') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' });
      res.end(JSON.stringify({ errorType: behaviour.errorType, errorMessage: behaviour.errorMessage, trace: [] }));
      return;
    }
    const answer = behaviour.kind === 'respond' ? behaviour.respond(payload) : {};
    res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
    res.end(JSON.stringify(answer));
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    invokes,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
