import { describe, expect, it } from 'vitest';
import type { WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import { TelemetryTap } from '../../local/telemetry-tap.js';

const answer: WorkerResponse = { batchItemFailures: [], processed: 0, busyMs: 0 };
const batch = (mode: WorkerRequest['mode']): WorkerRequest => ({ mode, shardId: 's0', epoch: 1, records: [] });

describe('the telemetry tap', () => {
  it("counts running owner batches as the worker's busy slots, and not shadow batches (they have their own slots)", async () => {
    const tap = new TelemetryTap(() => 0);
    const gates: (() => void)[] = [];
    const handle = tap.wrapWorker('w1', () => new Promise<WorkerResponse>((resolve) => gates.push(() => resolve(answer))));
    const running = [handle(batch('primary')), handle(batch('shadow')), handle(batch('shadow'))];
    expect(tap.workers.get('w1')?.running).toBe(1);
    for (const open of gates) open();
    await Promise.all(running);
    expect(tap.workers.get('w1')?.running).toBe(0);
  });
});
