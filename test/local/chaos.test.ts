import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { InjectedCrash } from '../../core/ports/index.js';
import type { WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { EXIT_CODES } from '../../local/errors.js';
import { Chaos, ChaosCrash } from '../../local/runtime/chaos.js';

const request = (mode: WorkerRequest['mode']): WorkerRequest => ({ mode, shardId: 's', epoch: 1, records: [] }) as unknown as WorkerRequest;
const response: WorkerResponse = { batchItemFailures: [] } as unknown as WorkerResponse;

describe('chaos (npm run soak)', () => {
  it('decides the same faults for the same seed and order of calls, and counts each', () => {
    const decide = (seed: number) => {
      const chaos = new Chaos({ seed, rate: 0.3 });
      return { hits: Array.from({ length: 50 }, () => chaos.strikes('dynamodb-throttle')), chaos };
    };
    const a = decide(7);
    expect(decide(7).hits).toEqual(a.hits);
    expect(decide(8).hits).not.toEqual(a.hits);
    expect(a.chaos.counts['dynamodb-throttle']).toBe(a.hits.filter(Boolean).length);
    expect(a.chaos.total).toBe(a.chaos.counts['dynamodb-throttle']);
  });

  it('kills a worker before or after an owner batch, never a shadow batch', async () => {
    const chaos = new Chaos({ seed: 1, rate: 1 });
    let ran = 0;
    const handle = chaos.wrapWorker(async () => {
      ran += 1;
      return response;
    });
    await expect(handle(request('primary'))).rejects.toBeInstanceOf(ChaosCrash);
    expect(ran).toBe(0);
    await expect(handle(request('shadow'))).resolves.toBe(response);
    expect(chaos.counts['worker-crash-before']).toBe(1);
  });

  it('dies after the wrapped dispatcher applied the batch when the "after" fault strikes', async () => {
    const chaos = new Chaos({ seed: 3, rate: 0.5 });
    let applied = 0;
    const dispatch = chaos.wrapDispatch(async () => {
      applied += 1;
      return 'ok';
    });
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => dispatch({}, {}).then(() => 'ok', () => 'crash')));
    expect(applied).toBe(40 - chaos.counts['dispatcher-crash-before']);
    expect(outcomes.filter((x) => x === 'crash')).toHaveLength(chaos.counts['dispatcher-crash-before'] + chaos.counts['dispatcher-crash-after']);
    expect(chaos.counts['dispatcher-crash-after']).toBeGreaterThan(0);
  });

  it('throws an InjectedCrash at an SPM crash point, and nothing once stopped', () => {
    const chaos = new Chaos({ seed: 1, rate: 0.1 }); // × 10 at crash points: always
    expect(() => chaos.crashPoint('spm.split.after-split-shard', 'shardId-1')).toThrow(InjectedCrash);
    chaos.stop();
    expect(() => chaos.crashPoint('spm.split.after-split-shard', 'shardId-1')).not.toThrow();
    expect(chaos.strikes('dynamodb-throttle', 10)).toBe(false);
  });

  it('npm run soak refuses a bad option in one line', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'local/soak.ts', '--rate', '2'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(EXIT_CODES['bad-option']);
    expect(r.stderr).toContain('foreshadow: --rate must be a number between 0 and 0.2 (given "2")');
  });
});
