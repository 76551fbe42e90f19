import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runLocal } from '../local/orchestrator.js';
import { startEmulators } from '../local/runtime/emulators.js';
import { defineBenchmarks } from './bench.js';

/**
 * The local path (`npm start`) measured on this machine:
 * - kinesis-local's own PutRecords and GetRecords throughput, without any of Foreshadow in the way;
 * - the whole local path's sustained records/s (producer → kinesis-local → ESM → dispatcher → worker →
 *   dynalite, ledger checked) on a cheap-record scenario, so the plumbing is what is measured;
 * - spm against kcl3-variance on the quick-start scenario, each run locally the same way.
 * One timed run each (they take tens of seconds); the figures are in the printed extras.
 */
const RECORDS = 8000;
const RECORD_BYTES = 400;

function throughputScenario(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fs-bench-')), 'throughput.yaml');
  writeFileSync(
    path,
    [
      'name: local-throughput',
      'description: Four shards of cheap records, to measure the plumbing of the local path.',
      'profile: aws',
      'durationMin: 10',
      'shards: { count: 4, rate: { kind: constant, value: 900 }, cost: { kind: constant, value: 0.01 } }',
      'recordSizeBytes: 400',
      'keys: { poolSize: 8 }',
      'workers: [{ class: std, count: 2, speed: 1, slots: 2, memoryMb: 1024 }]',
      '',
    ].join('\n'),
  );
  return path;
}

async function kinesisLocalThroughput(): Promise<Record<string, number>> {
  const emulators = await startEmulators({ shardCount: 4 });
  try {
    const k = emulators.kinesis;
    const stream = 'foreshadow-local';
    const data = Buffer.alloc(RECORD_BYTES - 8, 120);
    const t0 = performance.now();
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < RECORDS; i += 500) {
      calls.push(k.send(new PutRecordsCommand({ StreamName: stream, Records: Array.from({ length: 500 }, (_, j) => ({ PartitionKey: `k-${i + j}`, Data: data })) })));
      if (calls.length >= 4) await Promise.all(calls.splice(0));
    }
    await Promise.all(calls);
    const putSec = (performance.now() - t0) / 1000;
    const shards = (await k.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
    const t1 = performance.now();
    let read = 0;
    await Promise.all(
      shards.map(async (s) => {
        let it = (await k.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: s.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
        for (;;) {
          const page = await k.send(new GetRecordsCommand({ ShardIterator: it!, Limit: 10_000 }));
          read += page.Records?.length ?? 0;
          it = page.NextShardIterator;
          if ((page.Records?.length ?? 0) === 0 || page.MillisBehindLatest === 0) break;
        }
      }),
    );
    const getSec = (performance.now() - t1) / 1000;
    return { putRecordsPerSec: Math.round(RECORDS / putSec), getRecordsPerSec: Math.round(read / getSec), read };
  } finally {
    await emulators.stop();
  }
}

async function quickStart(policy: string): Promise<Record<string, number | string>> {
  const { report } = await runLocal({ policy, durationSec: 60, timeScale: 30, port: 0, dashboard: false });
  const r = report.report;
  return {
    overloadS: r.overloadSeconds,
    p50ms: r.latencyMs.p50,
    p99ms: r.latencyMs.p99,
    maxIterAgeS: Math.round(r.maxIteratorAgeMs / 100) / 10,
    moves: r.moves,
    splits: r.splits,
    shadows: r.shadows,
    shadowOvhPct: r.shadowOverheadPercent,
    ledger: report.ledger.ok ? 'ok' : 'FAILED',
  };
}

export default defineBenchmarks([
  { name: 'kinesis-local alone: PutRecords then GetRecords, 8,000 x 400 B', iterations: 1, warmup: false, run: kinesisLocalThroughput },
  {
    name: 'local path sustained: producer → kinesis-local → ESM → dispatcher → worker → dynalite',
    iterations: 1,
    warmup: false,
    run: async () => {
      const { report } = await runLocal({ scenario: throughputScenario(), policy: 'static', durationSec: 30, port: 0, dashboard: false, peakRecordsPerSec: 600, drainTimeoutMs: 120_000 });
      return {
        offeredPerSec: 600,
        acceptedPerSec: report.local.sustainedRecordsPerSec,
        appliedPerSecUntilDrained: Math.round(report.ledger.applied / report.wallSec),
        p99ms: report.report.latencyMs.p99,
        maxIterAgeS: Math.round(report.report.maxIteratorAgeMs / 100) / 10,
        ledger: report.ledger.ok ? 'ok' : 'FAILED',
      };
    },
  },
  { name: 'quick-start locally (60 s at x30): spm', iterations: 1, warmup: false, run: () => quickStart('spm') },
  { name: 'quick-start locally (60 s at x30): kcl3-variance', iterations: 1, warmup: false, run: () => quickStart('kcl3-variance') },
]);
