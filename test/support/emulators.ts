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

/** A name unique within the run, so tests in one file never share a stream or table. */
let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}
