// Run as a child process by the launcher test: starts kinesis-local, prints its pid, then waits to be killed.
import { startKinesisLocal } from '../../adapters/local/kinesis-local.process.js';

const kinesis = await startKinesisLocal();
process.stdout.write(`${kinesis.pid}\n`);
setInterval(() => undefined, 60_000);
