import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalRunError } from '../../local/errors.js';
import { peakRecordsPerSec, planRun } from '../../local/run-plan.js';

function scenarioFile(text: string, ext = 'yaml'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fs-plan-')), `s.${ext}`);
  writeFileSync(path, text);
  return path;
}

function failure(run: () => unknown): LocalRunError {
  try {
    run();
  } catch (error) {
    if (error instanceof LocalRunError) return error;
    throw error;
  }
  throw new Error('expected a LocalRunError');
}

describe('the run plan', () => {
  it('plays the built-in quick-start in about two minutes by default', () => {
    const plan = planRun({ policy: 'spm' });
    expect(plan).toMatchObject({ scenarioName: 'quick-start', timeScale: 15, durationSec: 120 });
  });

  it('fits the whole scenario into --duration when no time scale is given', () => {
    expect(planRun({ policy: 'spm', durationSec: 60 })).toMatchObject({ timeScale: 30, durationSec: 60 });
  });

  it('plays --duration at --time-scale when both are given', () => {
    expect(planRun({ policy: 'spm', durationSec: 10, timeScale: 60 })).toMatchObject({ timeScale: 60, durationSec: 10 });
  });

  it("divides the configuration's durations by the time scale", () => {
    const plan = planRun({ policy: 'spm', timeScale: 15 });
    expect(plan.config.tickIntervalMs).toBe(plan.scenarioConfig.tickIntervalMs / 15);
    expect(plan.config.spm.horizonMs).toBe(plan.scenarioConfig.spm.horizonMs / 15);
    expect(plan.config.spm.replication.measurementWindowMs).toBe(plan.scenarioConfig.spm.replication.measurementWindowMs / 15);
    expect(plan.config.spm.hotThreshold).toBe(plan.scenarioConfig.spm.hotThreshold);
  });

  it('scales rates so that the peak stays within the local budget', () => {
    const plan = planRun({ policy: 'spm', peakRecordsPerSec: 100 });
    expect(peakRecordsPerSec(plan.world) * plan.rateScale).toBeCloseTo(100, 6);
  });

  it('rejects a time scale that compresses the timing below what the configuration allows', () => {
    const error = failure(() => planRun({ policy: 'spm', timeScale: 5000 }));
    expect(error.code).toBe('bad-option');
    expect(error.message).toContain('--time-scale 5000 compresses');
  });

  it.each([
    ['a missing file', 'no/such/file.yaml', '--scenario must be a built-in scenario'],
    ['invalid YAML', scenarioFile('name: [unclosed'), 'scenario must be valid YAML'],
    ['a bad field', scenarioFile('name: x\ndurationMin: 0\nshards: {count: 1, rate: {kind: constant, value: 1}, cost: {kind: constant, value: 1}}\nworkers: [{class: a, count: 1, speed: 1, slots: 1, memoryMb: 128}]\n'), 'scenario.durationMin must be a number greater than 0 (given 0)'],
  ])('reports %s as a bad scenario naming the problem', (_what, path, message) => {
    const error = failure(() => planRun({ policy: 'spm', scenario: path }));
    expect(error.code).toBe('bad-scenario');
    expect(error.message).toContain(message);
  });

  it('reports an unknown policy as a bad option listing the known ones', () => {
    const error = failure(() => planRun({ policy: 'magic' }));
    expect(error.code).toBe('bad-option');
    expect(error.message).toMatch(/^--policy must be one of spm, static.* \(given "magic"\)$/);
  });

  it('refuses a policy that runs without Foreshadow (a plain mapping, on-demand): the simulator compares those', () => {
    const error = failure(() => planRun({ policy: 'parallelization-factor' }));
    expect(error.code).toBe('bad-option');
    expect(error.message).toBe(
      '--policy must be one of spm, static, reactive-threshold, kcl3-variance, alarm-autoscaler locally (parallelization-factor runs without Foreshadow: compare it with npm run sim) (given "parallelization-factor")',
    );
  });
});
