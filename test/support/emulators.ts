import { afterAll, beforeAll } from 'vitest';
import { startDynalite, type Dynalite, type DynaliteOptions } from '../../adapters/local/dynalite.server.js';
import { startKinesisLocal, type KinesisLocal, type KinesisLocalOptions } from '../../adapters/local/kinesis-local.process.js';

/**
 * Starts kinesis-local for the calling test file (beforeAll) and stops it afterwards (afterAll). Read
 * `.endpoint` inside tests or hooks, not at module level (it is set once beforeAll has run).
 */
export function useKinesisLocal(options: KinesisLocalOptions = {}): { readonly endpoint: string } {
  let emulator: KinesisLocal | undefined;
  beforeAll(async () => {
    emulator = await startKinesisLocal(options);
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  return {
    get endpoint(): string {
      if (emulator === undefined) throw new Error('kinesis-local is not started yet: read endpoint inside a test or hook');
      return emulator.endpoint;
    },
  };
}

/** Same as `useKinesisLocal`, for dynalite (in-process). */
export function useDynalite(options: DynaliteOptions = {}): { readonly endpoint: string } {
  let emulator: Dynalite | undefined;
  beforeAll(async () => {
    emulator = await startDynalite(options);
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  return {
    get endpoint(): string {
      if (emulator === undefined) throw new Error('dynalite is not started yet: read endpoint inside a test or hook');
      return emulator.endpoint;
    },
  };
}

/** An emulator outside the test process that a script points the integration suite at. */
export type ExternalEngine = 'localstack' | 'moto';

/**
 * The external emulator of this run: `npm run test:moto` sets MOTO_ENDPOINT (test/support/moto/global-setup.ts),
 * `npm run test:localstack` reads LOCALSTACK_ENDPOINT. Undefined when neither is set: each test file then
 * starts kinesis-local and dynalite itself.
 */
export function externalEmulator(): { readonly endpoint: string; readonly engine: ExternalEngine } | undefined {
  const moto = process.env.MOTO_ENDPOINT;
  if (moto) return { endpoint: moto, engine: 'moto' };
  const localstack = process.env.LOCALSTACK_ENDPOINT;
  if (localstack) return { endpoint: localstack, engine: 'localstack' };
  return undefined;
}

/** A name unique within the run, so tests in one file never share a stream or table. */
let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}
