import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup: every temporary file of the run (CDK's cdk.out* assembly of each synth, emulator and
 * bundle scratch) goes into one directory that is removed when the run ends, instead of piling up in the
 * system's temporary directory. The test processes inherit TMPDIR, which os.tmpdir() reads at each call.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'foreshadow-test-'));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
