import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { loadInfraConfig, parseInfraConfig } from '../../infra/config/load-config.js';

const context = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });
const EXISTING = 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders';

describe('parseInfraConfig', () => {
  it('fills every default when nothing is given', () => {
    const config = parseInfraConfig(undefined);
    expect(config.workers.map((w) => [w.name, w.shadowSlots])).toEqual([
      ['small', 1],
      ['large', 1],
    ]);
    expect(config.eventSource).toMatchObject({ batchSize: 100, maxRetryAttempts: -1, startingPosition: 'LATEST', bisectOnError: true });
    expect(config.schedule.rateMinutes).toBe(1);
    expect(config.decision.tickIntervalMs).toBe(60_000);
    expect(config.stream.shardLevelMetrics).toEqual(['WriteProvisionedThroughputExceeded']);
  });

  it('gives a worker class given without shadowSlots one shadow slot', () => {
    expect(parseInfraConfig({ workers: [{ name: 'a', memoryMb: 512, slots: 4 }] }).workers[0]?.shadowSlots).toBe(1);
  });

  it('opens burst lanes after the batching window plus 2 s when their threshold is not given (3 s with the default 1 s window)', () => {
    expect(parseInfraConfig({}).decision.lanes.openAtAgeMs).toBe(3000);
    expect(parseInfraConfig({ eventSource: { maxBatchingWindowSeconds: 5 } }).decision.lanes.openAtAgeMs).toBe(7000);
  });

  it('accepts a long batching window with burst lanes opening later, or turned off', () => {
    expect(parseInfraConfig({ eventSource: { maxBatchingWindowSeconds: 5 }, decision: { lanes: { openAtAgeMs: 7000 } } }).decision.lanes.openAtAgeMs).toBe(7000);
    expect(parseInfraConfig({ eventSource: { maxBatchingWindowSeconds: 5 }, decision: { lanes: { max: 1 } } }).decision.lanes.max).toBe(1);
  });

  it('derives the decision tick interval from the schedule', () => {
    expect(parseInfraConfig({ schedule: { rateMinutes: 3 } }).decision.tickIntervalMs).toBe(180_000);
  });

  it.each([
    [{ workers: [{ name: 'a', memoryMb: 100, slots: 1 }] }, 'foreshadow.workers[0].memoryMb must be a number at least 128 (given 100)'],
    [{ workers: [] }, 'foreshadow.workers must be a list of length at least 1 (given [])'],
    [{ workers: [{ name: 'a', memoryMb: 512, slots: 1, shadowSlots: 0 }] }, 'foreshadow.workers[0].shadowSlots must be a number at least 1 (given 0)'],
    [{ workers: [{ name: 'a', memoryMb: 512, slots: 1, shadowSlots: 1.5 }] }, 'foreshadow.workers[0].shadowSlots must be of type int (given 1.5)'],
    [{ workers: [{ name: 'Big', memoryMb: 512, slots: 1 }] }, 'foreshadow.workers[0].name must be a lower-case name of 1-32 letters, digits or - starting with a letter (given "Big")'],
    [
      { workers: [{ name: 'a', memoryMb: 512, slots: 1 }, { name: 'a', memoryMb: 1024, slots: 2 }] },
      'foreshadow.workers[1].name must be unique among worker classes (duplicate: a) (given "a")',
    ],
    [
      { workers: [{ name: 'a', memoryMb: 512, slots: 1, timeoutSeconds: 300 }] },
      'foreshadow.workers[0].timeoutSeconds must be less than dispatcher.timeoutSeconds (120), because the dispatcher waits on the worker (given 300)',
    ],
    [{ eventSource: { batchSize: 0 } }, 'foreshadow.eventSource.batchSize must be a number at least 1 (given 0)'],
    [
      { eventSource: { maxRetryAttempts: 3 } },
      'foreshadow.eventSource.maxRetryAttempts must be -1 (unbounded; a bounded count would discard child-shard batches held while their parent drains) (given 3)',
    ],
    [{ eventSource: { maxRecordAgeSeconds: 5 } }, 'foreshadow.eventSource.maxRecordAgeSeconds must be either -1 or between 60 and 604800 (given 5)'],
    [{ eventSource: { startingPosition: 'AT_TIMESTAMP' } }, 'foreshadow.eventSource.startingPosition must be one of "LATEST", "TRIM_HORIZON" (given "AT_TIMESTAMP")'],
    [{ schedule: { rateMinutes: 0.5 } }, 'foreshadow.schedule.rateMinutes must be of type int (given 0.5)'],
    [{ spm: { timeoutSeconds: 60 } }, 'foreshadow.spm.timeoutSeconds must be less than the schedule (60 s), so ticks do not overlap (given 60)'],
    [{ stream: { shardCount: 0 } }, 'foreshadow.stream.shardCount must be a number at least 1 (given 0)'],
    [{ stream: { existingStreamArn: 'orders' } }, 'foreshadow.stream.existingStreamArn must be an arn:aws:kinesis:<region>:<account>:stream/<name> (given "orders")'],
    [{ stream: { existingStreamArn: EXISTING, shardCount: 4 } }, 'foreshadow.stream.shardCount must be absent when stream.existingStreamArn is set (the stream exists) (given 4)'],
    [{ stream: { shardLevelMetrics: ['IncomingBytes'] } }, 'foreshadow.stream.shardLevelMetrics must be a list including WriteProvisionedThroughputExceeded (the SPM reads them) (given ["IncomingBytes"])'],
    [{ alarms: { email: 'ops' } }, 'foreshadow.alarms.email must be an e-mail address (given "ops")'],
    [{ policy: 'round-robin' }, 'foreshadow.policy must be one of "spm", "static", "reactive-threshold", "kcl3-variance", "alarm-autoscaler" (given "round-robin")'],
    [{ shards: 4 }, 'foreshadow must be free of unknown keys (unknown: shards) (given {"shards":4})'],
    [{ decision: { spm: { hotThreshold: 0 } } }, 'foreshadow.decision.spm.hotThreshold must be a number greater than 0 (given 0)'],
    [{ decision: { tickIntervalMs: 5000 } }, 'foreshadow.decision.tickIntervalMs must be absent or equal to schedule.rateMinutes × 60000 (60000) on AWS (given 5000)'],
    [
      { eventSource: { maxBatchingWindowSeconds: 5 }, decision: { lanes: { openAtAgeMs: 3000 } } },
      'foreshadow.decision.lanes.openAtAgeMs must be at least eventSource.maxBatchingWindowSeconds × 1000 + 2000 (7000), the age of a batch that does not lag, or lanes.max 1 (given 3000)',
    ],
  ])('rejects %j: %s', (input, message) => {
    expect(() => parseInfraConfig(input)).toThrow(ValidationError);
    expect(() => parseInfraConfig(input)).toThrow(message);
  });
});

describe('loadInfraConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'foreshadow-config-'));

  it('reads a JSON string given with -c foreshadow=...', () => {
    expect(loadInfraConfig(context({ foreshadow: '{"stream":{"shardCount":4}}' })).stream.shardCount).toBe(4);
  });

  it('reads an object from cdk.json context', () => {
    expect(loadInfraConfig(context({ foreshadow: { schedule: { rateMinutes: 2 } } })).schedule.rateMinutes).toBe(2);
  });

  it('reads a YAML file named by foreshadowConfigFile', () => {
    const file = join(dir, 'foreshadow.yaml');
    writeFileSync(file, 'workers:\n  - name: only\n    memoryMb: 1024\n    slots: 6\n');
    expect(loadInfraConfig(context({ foreshadowConfigFile: file })).workers).toEqual([{ name: 'only', memoryMb: 1024, slots: 6, shadowSlots: 1, timeoutSeconds: 60 }]);
  });

  it('names the file and the key when a file holds a bad value', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ alarms: { iteratorAgeMs: 10 } }));
    expect(() => loadInfraConfig(context({ foreshadowConfigFile: file }))).toThrow('foreshadow.alarms.iteratorAgeMs must be a number at least 1000 (given 10)');
  });

  it.each([
    [{ foreshadow: '{"stream":', foreshadowConfigFile: undefined }, /^context foreshadow must be valid JSON/],
    [{ foreshadow: {}, foreshadowConfigFile: 'x.yaml' }, /^context foreshadowConfigFile must be absent when context foreshadow is set/],
    [{ foreshadowConfigFile: 'config.toml' }, /^context foreshadowConfigFile must be a path to a \.json, \.yaml or \.yml file \(given "config\.toml"\)/],
    [{ foreshadowConfigFile: '/nonexistent/foreshadow.yaml' }, /^context foreshadowConfigFile must be a readable file/],
  ])('rejects context %j', (values, message) => {
    expect(() => loadInfraConfig(context(values))).toThrow(message);
  });
});

describe('cdk synth with an invalid configuration', () => {
  it('fails with one line naming the key and the allowed values, and no stack trace', async () => {
    const run = promisify(execFile);
    const failure = await run(join('node_modules', '.bin', 'tsx'), ['infra/app.ts'], {
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ foreshadow: { workers: [{ name: 'small', memoryMb: 512, slots: 0 }] } }) },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toBe('Invalid Foreshadow configuration: foreshadow.workers[0].slots must be a number at least 1 (given 0)\n');
  });
});
