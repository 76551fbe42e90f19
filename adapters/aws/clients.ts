import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { processMeter, type Meter } from '../meter/meter.js';
import { addSdkMeter } from '../meter/sdk-meter.middleware.js';

/**
 * Where a client talks to. Without `endpoint` the SDK's defaults apply (region and credentials from the
 * Lambda environment). With an endpoint (kinesis-local, dynalite, a test server) the client uses plain
 * HTTP through `NodeHttpHandler` and dummy credentials, since the emulators accept any signature.
 */
export interface ClientOptions {
  /** e.g. `http://127.0.0.1:4568`. @default the AWS endpoint of the region */
  readonly endpoint?: string;
  /** @default the SDK's region resolution; `us-east-1` with an endpoint */
  readonly region?: string;
  /** SDK attempts per call, including the first. @default the SDK's default (3) */
  readonly maxAttempts?: number;
  /** Socket timeout per request, in ms. @default 0 (none) on AWS, 10000 with an endpoint */
  readonly requestTimeoutMs?: number;
  /**
   * Where the client's calls are counted when no invocation's meter scope is active (adapters/meter/meter.ts);
   * `false` counts nothing. @default processMeter
   */
  readonly meter?: Meter | false;
}

/** Credentials the emulators accept; never used against AWS. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'foreshadow-local', secretAccessKey: 'foreshadow-local' } as const;

function config(options: ClientOptions): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  if (options.maxAttempts !== undefined) base.maxAttempts = options.maxAttempts;
  if (options.region !== undefined) base.region = options.region;
  if (options.endpoint === undefined) {
    if (options.requestTimeoutMs !== undefined) base.requestHandler = new NodeHttpHandler({ requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true });
    return base;
  }
  return {
    ...base,
    endpoint: options.endpoint,
    region: options.region ?? 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: options.requestTimeoutMs ?? 10_000, throwOnRequestTimeout: true }),
  };
}

/** Every client counts its calls with the one SDK middleware of adapters/meter (STYLE 13b). */
function metered<C extends { middlewareStack: unknown }>(client: C, options: ClientOptions): C {
  if (options.meter !== false) addSdkMeter(client.middlewareStack as Parameters<typeof addSdkMeter>[0], options.meter ?? processMeter);
  return client;
}

export function kinesisClient(options: ClientOptions = {}): KinesisClient {
  return metered(new KinesisClient(config(options)), options);
}

export function dynamoDbClient(options: ClientOptions = {}): DynamoDBClient {
  return metered(new DynamoDBClient(config(options)), options);
}

export function cloudWatchClient(options: ClientOptions = {}): CloudWatchClient {
  return metered(new CloudWatchClient(config(options)), options);
}

export function lambdaClient(options: ClientOptions = {}): LambdaClient {
  return metered(new LambdaClient(config(options)), options);
}

export function sqsClient(options: ClientOptions = {}): SQSClient {
  return metered(new SQSClient(config(options)), options);
}
