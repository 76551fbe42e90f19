import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { dynamoDbClient, kinesisClient } from '../../adapters/aws/clients.js';
import { EmulatorError } from '../../adapters/aws/errors.js';
import { createStream } from '../../adapters/aws/stream-admin.kinesis.js';
import { ensureTable } from '../../adapters/aws/tables.dynamodb.js';
import { startDynalite, type Dynalite } from '../../adapters/local/dynalite.server.js';
import { startKinesisLocal, type KinesisLocal, type KinesisLocalDurations } from '../../adapters/local/kinesis-local.process.js';
import { TABLES } from '../../definitions/resources.js';
import { LocalRunError } from '../errors.js';

/** Names of the local resources; the tables follow definitions/resources.ts, as the CDK app's do. */
export const LOCAL_NAMES = {
  stream: 'foreshadow-local',
  tables: { metadata: 'foreshadow-local-metadata', audit: 'foreshadow-local-audit', output: 'foreshadow-local-output' },
} as const satisfies { stream: string; tables: Record<keyof typeof TABLES, string> };

export interface Emulators {
  readonly kinesis: KinesisClient;
  readonly dynamo: DynamoDBClient;
  readonly kinesisEndpoint: string;
  readonly dynamoEndpoint: string;
  /** Pid of the kinesis-local child process (for the no-leftover-process check). */
  readonly kinesisPid: number;
  /** Stops both emulators and destroys the clients; idempotent. */
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  readonly shardCount: number;
  /** How long kinesis-local keeps the stream UPDATING after a split or merge (wall ms). */
  readonly durations?: KinesisLocalDurations;
  /** Where kinesis-local is installed (tests point it elsewhere to see the "missing" message). @default node_modules */
  readonly kinesisLocalDir?: string;
}

/**
 * Starts kinesis-local (child process, free ports) and dynalite (in-process, free port), then creates the
 * stream and the three tables from the shared definitions. Any failure stops what was started and becomes
 * one LocalRunError: `emulator-missing` when a package is not installed, `emulator-failed` otherwise.
 */
export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  let kl: KinesisLocal | undefined;
  let dl: Dynalite | undefined;
  let kinesis: KinesisClient | undefined;
  let dynamo: DynamoDBClient | undefined;
  const stop = async (): Promise<void> => {
    kinesis?.destroy();
    dynamo?.destroy();
    await Promise.allSettled([kl?.stop(), dl?.stop()]);
  };
  try {
    [kl, dl] = await Promise.all([
      startKinesisLocal({ ...options.durations, ...(options.kinesisLocalDir === undefined ? {} : { packageDir: options.kinesisLocalDir }) }),
      startDynalite(),
    ]);
    kinesis = kinesisClient({ endpoint: kl.endpoint, maxAttempts: 3 });
    dynamo = dynamoDbClient({ endpoint: dl.endpoint, maxAttempts: 5 });
    await createStream(kinesis, LOCAL_NAMES.stream, options.shardCount);
    for (const [table, definition] of Object.entries(TABLES)) await ensureTable(dynamo, LOCAL_NAMES.tables[table as keyof typeof TABLES], definition);
  } catch (error) {
    await stop();
    throw asLocalError(error);
  }
  let stopped: Promise<void> | undefined;
  return {
    kinesis,
    dynamo,
    kinesisEndpoint: kl.endpoint,
    dynamoEndpoint: dl.endpoint,
    kinesisPid: kl.pid,
    stop: () => (stopped ??= stop()),
  };
}

function asLocalError(error: unknown): unknown {
  if (error instanceof EmulatorError) {
    const missing = /not installed|missing in|does not load/.test(error.message);
    return new LocalRunError(missing ? 'emulator-missing' : 'emulator-failed', `${error.message}${missing ? '' : ' (the local emulators could not start)'}`);
  }
  if (error instanceof Error && error.name === 'AwsCallError') return new LocalRunError('emulator-failed', `could not create the local resources: ${error.message}`);
  return error;
}
