import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { EmulatorError } from '../aws/errors.js';
import { freePort } from './free-port.js';

export interface DynaliteOptions {
  /** Port on 127.0.0.1; a free one when omitted. */
  readonly port?: number;
  /** How long a new table stays CREATING. @default 0 (ms; dynalite's own default is 500) */
  readonly createTableMs?: number;
  /** @default 0 (ms) */
  readonly deleteTableMs?: number;
  /** @default 0 (ms) */
  readonly updateTableMs?: number;
  /** LevelDB directory to persist to. @default in memory */
  readonly path?: string;
}

export interface Dynalite {
  /** `http://127.0.0.1:<port>`, for clients built with `dynamoDbClient({ endpoint })`. */
  readonly endpoint: string;
  readonly port: number;
  /** Closes open connections and the server; idempotent. */
  stop(): Promise<void>;
}

type DynaliteFactory = (options: Record<string, unknown>) => Server;

function loadDynalite(): DynaliteFactory {
  try {
    return createRequire(import.meta.url)('dynalite') as DynaliteFactory;
  } catch (error) {
    throw new EmulatorError('dynalite', `the npm package dynalite is not installed or does not load (${String(error)}); run npm install`);
  }
}

/**
 * Starts dynalite (a DynamoDB emulator on LevelDB) in this process, listening on loopback only. Note that
 * dynalite has no transactions (TransactWriteItems) and no UpdateTimeToLive; the metadata adapter uses
 * neither.
 */
export async function startDynalite(options: DynaliteOptions = {}): Promise<Dynalite> {
  const dynalite = loadDynalite();
  // A free port can be taken before we bind it: with a port of our own choosing, try again on a fresh one.
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await listen(dynalite, options.port ?? (await freePort()), options);
    } catch (error) {
      if (!(error instanceof EmulatorError && error.portInUse) || attempt >= attempts) throw error;
    }
  }
}

async function listen(dynalite: DynaliteFactory, port: number, options: DynaliteOptions): Promise<Dynalite> {
  const server = dynalite({
    createTableMs: options.createTableMs ?? 0,
    deleteTableMs: options.deleteTableMs ?? 0,
    updateTableMs: options.updateTableMs ?? 0,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new EmulatorError(
          'dynalite',
          error.code === 'EADDRINUSE' ? `port ${port} is already in use` : `could not listen on 127.0.0.1:${port}: ${error.message}`,
          error.code === 'EADDRINUSE',
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop(): Promise<void> {
      stopped ??= new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error?: Error) => (error ? reject(new EmulatorError('dynalite', `stop failed: ${error.message}`)) : resolve()));
      });
      return stopped;
    },
  };
}
