import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRun } from '../../local/run-plan.js';
import { scenarioShadowSlots, scenarioTimeoutsMs, scenarioWorkers } from '../../local/runtime/system.js';

function scenarioFile(workers: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fs-workers-')), 's.yaml');
  writeFileSync(path, `name: x\ndurationMin: 1\nshards: {count: 1, rate: {kind: constant, value: 1}, cost: {kind: constant, value: 1}}\nworkers: ${workers}\n`);
  return path;
}

describe('the local workers of a scenario', () => {
  it("give each worker its class's shadow slots, one when the class gives none", () => {
    const plan = planRun({
      policy: 'spm',
      scenario: scenarioFile('[{class: big, count: 2, speed: 2, slots: 4, shadowSlots: 3, memoryMb: 1769}, {class: small, count: 1, speed: 1, slots: 2, memoryMb: 512}]'),
    });
    expect(scenarioWorkers(plan).map((w) => [w.workerId, w.slots])).toEqual([
      ['big-1', 4],
      ['big-2', 4],
      ['small-1', 2],
    ]);
    expect([...scenarioShadowSlots(plan)]).toEqual([
      ['big-1', 3],
      ['big-2', 3],
      ['small-1', 1],
    ]);
  });

  it("give each worker its class's function timeout stretched as its records are (÷ rate scale, not ÷ time scale), 60 s when the class gives none", () => {
    const plan = planRun({
      policy: 'spm',
      timeScale: 10,
      scenario: scenarioFile('[{class: big, count: 1, speed: 2, slots: 4, memoryMb: 1769, timeoutSeconds: 30}, {class: small, count: 1, speed: 1, slots: 2, memoryMb: 512}]'),
    });
    // 1 record/s needs no rate scale; the time scale (10) does not shorten a batch, so neither the timeout.
    expect(plan.rateScale).toBe(1);
    expect([...scenarioTimeoutsMs(plan)]).toEqual([
      ['big-1', 30_000],
      ['small-1', 60_000],
    ]);
  });

  it('let a batch finish locally that Lambda would let finish (hot-shift: 100 records on the slowest class)', () => {
    const plan = planRun({ policy: 'spm', scenario: 'hot-shift' });
    const small = plan.scenario.workers.find((c) => c.class === 'small')!;
    // 1.5 ms a record at speed 1 in the scenario; locally ÷ rate scale (0.05) and ÷ the class's speed (0.5): 6 s.
    const batchWallMs = 100 * (1.5 / plan.rateScale / small.speed);
    expect(batchWallMs).toBeCloseTo(6000, 0);
    expect(batchWallMs).toBeLessThan(scenarioTimeoutsMs(plan).get('small-1')!);
  });
});
