import type { TestContext } from 'vitest';
import { externalEmulator } from '../emulators.js';

/**
 * Where moto 5.2.1 behaves unlike AWS in a way a test depends on: the reason a test is skipped on moto,
 * with the moto source that shows it. A test skipped here still runs on kinesis-local (npm test) and on
 * LocalStack.
 */
export const MOTO_INFIDELITIES = {
  splitShardRePutsParentRecords:
    "moto 5.2.1 SplitShard moves the parent's records into the children (re-put with new sequence numbers, parent left empty: " +
    'moto/kinesis/models.py, Stream.split_shard, lines 284-289); real Kinesis keeps them in the closed parent until retention ends, ' +
    'which is what a parent-before-children test reads',
  putRecordsRouteToClosedShards:
    'moto 5.2.1 routes PutRecords to the first shard whose hash range holds the key, closed ones included, so records put after a ' +
    'split land in the closed parent (moto/kinesis/models.py, Stream.get_shard_for_key, lines 407-409); real Kinesis writes only to open shards',
  closedShardNeverEnds:
    'moto 5.2.1 GetRecords always returns a NextShardIterator, also for a closed shard read to its end (moto/kinesis/models.py, ' +
    'KinesisBackend.get_records, lines 684-690), so a mapping that reads parents first never starts the children; real Kinesis returns none',
} as const;

export type MotoInfidelity = keyof typeof MOTO_INFIDELITIES;

/** Skips the calling test when the suite runs on moto (npm run test:moto), printing the infidelity as the skip note. */
export function skipOnMoto(context: Pick<TestContext, 'skip'>, infidelity: MotoInfidelity): void {
  context.skip(externalEmulator()?.engine === 'moto', MOTO_INFIDELITIES[infidelity]);
}
