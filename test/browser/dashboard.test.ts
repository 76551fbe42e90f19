import { existsSync, mkdirSync, statSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { runLocal, type LocalRun } from '../../local/orchestrator.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = 'artifacts/dashboard.png';

/** Reads a figure of the totals panel, e.g. "produced" → 1234. */
async function total(page: import('playwright-core').Page, name: string): Promise<number> {
  const text = await page.locator(`[data-testid="total-${name}"] b`).innerText();
  return Number(text.replace(/,/g, ''));
}

describe.skipIf(!existsSync(CHROMIUM))(`the live dashboard in headless Chromium (skipped: ${CHROMIUM} is missing; apt-get install -y chromium)`, () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  it('shows shards and workers and figures that change while the run goes on', { timeout: 180_000 }, async () => {
    let resolveUrl: (url: string) => void = () => undefined;
    const url = new Promise<string>((resolve) => (resolveUrl = resolve));
    const abort = new AbortController();
    const run: Promise<LocalRun> = runLocal({ policy: 'spm', durationSec: 40, timeScale: 45, port: 0, dashboard: true, onDashboard: resolveUrl, signal: abort.signal });
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(await url);
      await expect.poll(() => page.locator('[data-testid="phase"]').innerText(), { timeout: 60_000, interval: 500 }).toBe('running');

      await expect.poll(() => page.locator('[data-testid="shard-row"]').count(), { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(4);
      await expect.poll(() => page.locator('[data-testid="worker-row"]').count(), { timeout: 10_000, interval: 500 }).toBe(3);
      expect(await page.locator('[data-testid="shards"]').innerText()).toContain('std-1');
      expect(await page.locator('[data-testid="workers"]').innerText()).toContain('fast-1');

      const before = await total(page, 'produced');
      await expect.poll(() => total(page, 'produced'), { timeout: 20_000, interval: 500 }).toBeGreaterThan(before);
      await expect.poll(() => total(page, 'applied'), { timeout: 20_000, interval: 500 }).toBeGreaterThan(0);
      // The utilization chart draws lines (a path with segments), and they grow while the run goes on.
      const segments = () => page.locator('#util-chart path').evaluateAll((paths) => Math.max(0, ...paths.map((p) => (p.getAttribute('d') ?? '').split('L').length - 1)));
      await expect.poll(segments, { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(3);
      const drawn = await segments();
      await expect.poll(segments, { timeout: 30_000, interval: 500 }).toBeGreaterThan(drawn + 5);

      mkdirSync('artifacts', { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    } finally {
      abort.abort();
      await run;
    }
  });
});
