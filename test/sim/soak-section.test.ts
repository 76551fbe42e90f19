import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { soakSection } from '../../sim/soak-section.js';

describe('the soak section of docs/BENCHMARKS.md', () => {
  it('is empty without a soak summary', () => {
    expect(soakSection(join(tmpdir(), 'no-such-soak.json'))).toEqual([]);
  });

  it('states the command, the totals and the target it misses', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'soak-')), 'summary.json');
    const run = { scenario: 'quick-start', seed: 1, wallSec: 120, moves: 1, splits: 2, totalFaults: 210, produced: 9800, ledgerOk: true, deadLettered: 0, drained: false };
    writeFileSync(
      path,
      JSON.stringify({
        options: { minutes: 30, seed: 1, rate: 0.02, policy: 'spm' },
        totals: { runs: 1, wallMin: 2, movesAndSplits: 3, faults: { 'spm-crash': 1 }, totalFaults: 210, produced: 9800, ledgerOk: true, deadLettered: 0 },
        runs: [run],
      }),
    );
    const text = soakSection(path).join('\n');
    expect(text).toContain(`npm run soak -- --minutes 30 --seed 1 --rate 0.02 --out ${path}`);
    expect(text).toContain('1 runs, 2 min; 3 moves and splits; 210 faults injected; 9800 records; ledger OK in every run; 0 dead-lettered; no shard behind at the end in 0 of 1 runs.');
    expect(text).toContain('faults met, moves and splits not met (3), ledger met, caught up not met.');
    expect(text).toContain('| 1 | quick-start | 1 | 120 | 1 | 2 | 210 | 9800 | OK | 0 |');
  });
});
