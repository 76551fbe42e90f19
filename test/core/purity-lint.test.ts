import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function lintCore(code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: 'core/policies/example.ts' });
  return (result?.messages ?? []).map((m) => m.message);
}

describe('the core purity lint rule', () => {
  it.each([
    ['the wall clock', 'export const t = Date.now();'],
    ['new Date()', 'export const t = new Date();'],
    ['randomness', 'export const r = Math.random();'],
    ['the environment', 'export const e = process.env.X;'],
    ['an AWS SDK import', "import { KinesisClient } from '@aws-sdk/client-kinesis';\nexport const k = KinesisClient;"],
    ['a file-system import', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;"],
  ])('rejects %s in core/', async (_what, code) => {
    const messages = await lintCore(code);
    expect(messages.some((m) => m.includes('core/ is pure'))).toBe(true);
  });

  it('accepts pure code in core/', async () => {
    expect(await lintCore('export const double = (x: number): number => x * 2;\n')).toEqual([]);
  });

  it('does not apply outside core/', async () => {
    const [result] = await eslint.lintText('export const t = Date.now();\n', { filePath: 'adapters/aws/clock.ts' });
    expect(result?.messages ?? []).toEqual([]);
  });
});
