// Bootstrap of a worker thread that runs a TypeScript module in tests: registers tsx in the thread (the
// test runner's own loader does not reach worker threads), then imports `workerData.script`.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.script);
