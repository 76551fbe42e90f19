import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparedOutPath, formatComparison, runCompared } from '../../local/compare.js';
import { firstActionScenarioSec } from '../../local/twin.js';
import type { LocalRun, RunLocalOptions } from '../../local/orchestrator.js';

const BASE = { port: 0, dashboard: false } as const;

describe('npm start -- --policy a,b (a side-by-side comparison)', () => {
  it('writes one report per policy beside --out', () => {
    expect(comparedOutPath('out/local-report.json', 'spm')).toBe('out/local-report.spm.json');
    expect(comparedOutPath('out/report', 'static')).toBe('out/report.static');
  });

  it.each([[['spm']], [['spm', 'spm']], [['spm', 'static', 'kcl3-variance', 'reactive-threshold', 'alarm-autoscaler']]])('refuses %j in one line, before any run', async (policies) => {
    let runs = 0;
    const run = (): Promise<LocalRun> => {
      runs += 1;
      return Promise.reject(new Error('not expected'));
    };
    await expect(runCompared(policies, BASE, run)).rejects.toThrow(`--policy compares 2 to 4 different policies separated by commas (given "${policies.join(',')}")`);
    expect(runs).toBe(0);
  });

  it('checks every policy before the first run starts', async () => {
    let runs = 0;
    await expect(
      runCompared(['spm', 'parallelization-factor'], BASE, () => {
        runs += 1;
        return Promise.reject(new Error('not expected'));
      }),
    ).rejects.toThrow('--policy must be one of spm');
    expect(runs).toBe(0);
  });

  it('skips the policies not started once aborted', async () => {
    const abort = new AbortController();
    const played: string[] = [];
    const run = (o: RunLocalOptions): Promise<LocalRun> => {
      played.push(o.policy);
      abort.abort();
      return Promise.resolve({ report: { policy: o.policy } } as unknown as LocalRun);
    };
    const runs = await runCompared(['spm', 'static'], { ...BASE, signal: abort.signal }, run);
    expect(played).toEqual(['spm']);
    expect(runs).toHaveLength(1);
  });

  // The real path: each policy on its own kinesis-local and dynalite, the real handlers, the ledger checked.
  it('plays the quick-start with static, then spm, on fresh emulators, and reports them side by side', { timeout: 180_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fs-compare-')), 'report.json');
    const runs = await runCompared(['static', 'spm'], { ...BASE, durationSec: 8, timeScale: 15, out });
    expect(runs.map((r) => r.report.policy)).toEqual(['static', 'spm']);
    for (const r of runs) {
      expect(r.report.ledger).toMatchObject({ ok: true, drained: true, lost: 0, duplicated: 0 });
      expect(JSON.parse(readFileSync(comparedOutPath(out, r.report.policy), 'utf8'))).toMatchObject({ scenario: 'quick-start', policy: r.report.policy, seed: runs[0]!.report.seed });
    }
    expect(runs[0]!.report.local.kinesisLocalPid).not.toBe(runs[1]!.report.local.kinesisLocalPid);
    expect(firstActionScenarioSec(runs[0]!.report.timeline)).toEqual({});
    const text = formatComparison(runs, out);
    expect(text).toContain('scenario quick-start');
    expect(text).toMatch(/\| static +\|/);
    expect(text).toMatch(/\| spm +\|/);
    expect(text).toContain('no policy moved or split a shard, and no shard overloaded');
    // The per-shard table, from spm's report with a move and an overload as a longer run would have them.
    const spm = runs[1]!;
    const moved: LocalRun = {
      ...spm,
      report: { ...spm.report, timeline: [{ atSec: 40, scenarioSec: 600, kind: 'move', shardId: 'shardId-000000000000', applied: true, text: 'to fast-1' }], firstOverloadScenarioSec: { 'shardId-000000000000': 900 } },
    };
    const table = formatComparison([runs[0]!, moved]);
    expect(table).toContain('| shard | static: first action | static: first overload | spm: first action | spm: first overload |');
    expect(table).toContain('| shardId-000000000000 | — | — | 600 s | 900 s |');
    expect(text).toContain(`reports written to ${comparedOutPath(out, 'static')}, ${comparedOutPath(out, 'spm')}`);
  });
});
