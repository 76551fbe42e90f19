import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main, parseArgs } from '../../sim/cli.js';
import { scenarioInput } from './factories.js';

/** Runs `main` in-process and captures what it writes. */
function runCli(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function scenarioFile(overrides: Record<string, unknown>, ext = 'json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
  const path = join(dir, `scenario.${ext}`);
  writeFileSync(path, JSON.stringify({ ...scenarioInput({ durationMin: 3 }), ...overrides }));
  return path;
}

afterEach(() => vi.restoreAllMocks());

describe('sim CLI arguments', () => {
  it.each([
    [['--policy', 'spm'], '--scenario must be given (a built-in name or a .yaml/.json path) (given nothing)'],
    [['--scenario', 'hot-shift', '--seed', '-3'], '--seed must be a non-negative integer (given "-3")'],
    [['--scenario', 'hot-shift', '--policy', 'spm,best'], '--policy must be all or a comma-separated list of'],
    [['--scenario', 'hot-shift', '--fast'], 'argument must be one of --scenario, --policy, --seed, --seeds, --same-information, --json, --out, --help (given "--fast")'],
    [['--scenario', 'hot-shift', '--seeds', '10-1'], '--seeds must be a range like 1-10 or a comma-separated list of non-negative integers (given "10-1")'],
    [['--scenario', 'hot-shift', '--seeds', '1-3', '--out', '/tmp/x'], '--out must be used with a single --seed'],
    [['--scenario'], '--scenario must be followed by a value (given nothing)'],
    [['--scenario', '--json'], '--scenario must be followed by a value (given nothing)'],
    [['--scenario', 'hot-shift', 'extra'], 'argument must be one of --scenario, --policy, --seed, --seeds, --same-information, --json, --out, --help (given "extra")'],
    [['--scenario', 'hot-shift', '--json=no'], '--json must be given without a value (given "no")'],
  ])('%j is rejected naming the flag', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it('reads --x=v as --x v, as node:util parseArgs does', () => {
    expect(parseArgs(['--scenario=hot-shift', '--seed=7', '--policy', 'spm'])).toMatchObject({ scenario: 'hot-shift', seed: 7, policies: ['spm'] });
  });

  it('prints a negative seed as one line naming the value', () => {
    const { code, stderr } = runCli(['--scenario', 'hot-shift', '--seed', '-3']);
    expect(code).toBe(2);
    expect(stderr).toBe('error: --seed must be a non-negative integer (given "-3")\n');
  });
});

describe('sim CLI', () => {
  it('prints one table row per policy', () => {
    const { code, stdout } = runCli(['--scenario', scenarioFile({}), '--policy', 'static,spm', '--seed', '3']);
    expect(code).toBe(0);
    const rows = stdout.split('\n').filter((l) => /^\| (static|spm) /.test(l));
    expect(rows).toHaveLength(2);
    expect(stdout).toContain('overload s');
    expect(stdout).toMatch(/\| moves \| back \| pause s \|/);
  });

  it('reports the handoff pause of every policy in the JSON', () => {
    const { stdout } = runCli(['--scenario', scenarioFile({}), '--policy', 'static,spm', '--json']);
    const parsed = JSON.parse(stdout) as { reports: { policy: string; handoffPauseSeconds: number; parentWaitSeconds: number }[] };
    for (const r of parsed.reports) {
      expect(typeof r.handoffPauseSeconds).toBe('number');
      expect(r.parentWaitSeconds).toBeLessThanOrEqual(r.handoffPauseSeconds);
    }
  });

  it("marks a p99 ratio below the profile's latency floor as infeasible, in the JSON and in the target lines", () => {
    const path = scenarioFile({ category: 'gradual' });
    const json = JSON.parse(runCli(['--scenario', path, '--policy', 'static,spm', '--json']).stdout) as { targets: { target: string; met: boolean; feasible?: boolean; detail: string }[] };
    const p99 = json.targets.find((t) => t.target === 'p99 latency <= 0.5 x best baseline')!;
    expect(p99).toMatchObject({ met: false, feasible: false });
    expect(p99.detail).toContain("below the model's latency floor of 500 ms");
    expect(runCli(['--scenario', path, '--policy', 'static,spm']).stdout).toMatch(/\nNOT met, infeasible +p99 latency <= 0\.5 x best baseline /);
  });

  it('prints only JSON with --json', () => {
    const { code, stdout } = runCli(['--scenario', scenarioFile({}), '--policy', 'static', '--json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { reports: { policy: string; overloadSeconds: number }[]; seed: number };
    expect(parsed.seed).toBe(1);
    expect(parsed.reports.map((r) => r.policy)).toEqual(['static']);
  });

  it('keeps the single-seed JSON as it was: reports[] with policy, overloadSeconds, latencyMs.p99, predictionMapePercent, shadows, cost.usd.total', () => {
    const parsed = JSON.parse(runCli(['--scenario', scenarioFile({}), '--policy', 'spm,parallelization-factor', '--seed', '2', '--json']).stdout) as Record<string, unknown> & { reports: Record<string, unknown>[] };
    expect(Object.keys(parsed)).toEqual(['scenario', 'category', 'seed', 'reports', 'targets', 'violations']);
    for (const r of parsed.reports) {
      expect(r).toMatchObject({ policy: expect.any(String), overloadSeconds: expect.any(Number), latencyMs: { p99: expect.any(Number) }, shadows: expect.any(Number), cost: { usd: { total: expect.any(Number) } } });
      expect('predictionMapePercent' in r).toBe(true);
    }
  });

  it('prints median and worst per policy and the service-level table with --seeds', () => {
    const { code, stdout } = runCli(['--scenario', scenarioFile({}), '--policy', 'static,parallelization-factor', '--seeds', '1-3']);
    expect(code).toBe(0);
    expect(stdout).toContain('seeds 1-3: median / worst');
    expect(stdout).toMatch(/\| parallelization-factor \| \d+ \/ \d+ \|/);
    // 3-minute run: 1 % is 1.8 s.
    expect(stdout).toContain('meets it (overload ≤ 1.8 s, 0 dropped)');
    expect(stdout.split('\n').filter((l) => /^\| (static|parallelization-factor) \| (yes|\*\*no\*\*) \|/.test(l))).toHaveLength(2);
  });

  it('keeps reports[] per seed and adds the medians with --seeds --json; the median of 3 seeds is the middle run', () => {
    const path = scenarioFile({});
    const parsed = JSON.parse(runCli(['--scenario', path, '--policy', 'static', '--seeds', '1,2,3', '--json']).stdout) as {
      runs: { seed: number; reports: { policy: string; overloadSeconds: number; cost: { usd: { total: number } } }[] }[];
      medians: { policy: string; costUsd: { median: number; worst: number } }[];
      serviceLevel: { policies: { policy: string; seedsMeeting: number }[] };
    };
    expect(parsed.runs.map((r) => r.seed)).toEqual([1, 2, 3]);
    const costs = parsed.runs.map((r) => r.reports[0]!.cost.usd.total).sort((a, b) => a - b);
    expect(parsed.medians[0]).toMatchObject({ policy: 'static', costUsd: { median: costs[1], worst: costs[2] } });
    const single = JSON.parse(runCli(['--scenario', path, '--policy', 'static', '--seed', '2', '--json']).stdout) as { reports: unknown[] };
    expect(parsed.runs[1]!.reports).toEqual(single.reports);
  });

  it('writes the JSON and one SVG chart per policy with --out', () => {
    const out = mkdtempSync(join(tmpdir(), 'sim-out-'));
    expect(runCli(['--scenario', scenarioFile({}), '--policy', 'static,spm', '--out', out]).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['test.json', 'test.spm.svg', 'test.static.svg']);
    expect(readFileSync(join(out, 'test.spm.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>$/);
  });

  it('answers a malformed scenario with a one-line error and exit code 2', () => {
    const { code, stdout, stderr } = runCli(['--scenario', scenarioFile({ workers: [{ class: 'x', count: 1, speed: 1, slots: 1, memoryMb: 64 }] })]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe('error: scenario.workers[0].memoryMb must be a number at least 128 (given 64)');
  });

  it('answers a YAML syntax error with the file and a one-line reason', () => {
    const path = scenarioFile({}, 'yaml');
    writeFileSync(path, 'name: [unclosed\n');
    const { code, stderr } = runCli(['--scenario', path]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: scenario must be valid YAML \(.+\) \(given ".*scenario\.yaml"\)\n/);
  });

  it('exits with code 2 and no stack trace when run as a program', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'sim/cli.ts', '--scenario', 'nope'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error: --scenario must be a built-in scenario/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
