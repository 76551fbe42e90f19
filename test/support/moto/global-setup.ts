import { startMoto } from './moto-server.js';

/**
 * Vitest global setup of `npm run test:moto`: one moto server for the whole run, its endpoint in
 * MOTO_ENDPOINT (read by test/support/emulators.ts externalEmulator), test credentials and region set. Test
 * files name their streams and tables uniquely, so they share the server as they would share an account.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const moto = await startMoto();
  process.env.MOTO_ENDPOINT = moto.endpoint;
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  process.env.AWS_REGION ??= 'us-east-1';
  return () => moto.stop();
}
