import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isSdkNodeVersionWarning } from '../../local/sdk-node-warning.js';

/** Runs a script in a fresh Node (so the SDK's once-per-process warning is not already spent) and returns its stderr. */
function stderrOf(script: string): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(0);
  return r.stderr;
}

const makeClient = `const { KinesisClient } = await import('@aws-sdk/client-kinesis'); new KinesisClient({ region: 'us-east-1' });`;
const nodeMajor = Number(process.versions.node.split('.')[0]);

describe('the AWS SDK Node-version warning during npm start', () => {
  it('is recognised as the SDK emits it: a plain Warning whose message starts with its name', () => {
    const emitted = new Error('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\nversions published after…');
    emitted.name = 'Warning';
    expect(isSdkNodeVersionWarning(emitted)).toBe(true);
    expect(isSdkNodeVersionWarning(Object.assign(new Error('Buffer() is deprecated'), { name: 'DeprecationWarning' }))).toBe(false);
  });

  it.skipIf(nodeMajor >= 22)('reaches stderr from a real SDK client when nothing filters it (the control)', { timeout: 60_000 }, () => {
    expect(stderrOf(makeClient)).toContain('NodeVersionSupportWarning');
  });

  it('never reaches stderr once quieted, while other warnings still print', { timeout: 60_000 }, () => {
    const stderr = stderrOf(
      `const { quietSdkNodeWarning } = await import('./local/sdk-node-warning.ts'); quietSdkNodeWarning(); ${makeClient} process.emitWarning('something else'); await new Promise((r) => setTimeout(r, 50));`,
    );
    expect(stderr).not.toContain('NodeVersionSupportWarning');
    expect(stderr).toContain('something else');
  });
});
