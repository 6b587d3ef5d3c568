/**
 * The result page in a real browser: Debian's Chromium driven by playwright-core against the
 * app served by @hono/node-server on a free local port. The page must render its SVG plots
 * with no console errors and no failed requests (its CSP forbids any script). A screenshot
 * is left in test-output/result-page.png.
 *
 * Without /usr/bin/chromium the tests are skipped with a message, except in CI (CI set),
 * where they fail: .ci/run installs Chromium.
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { launchChromium, skipBrowser } from '../helpers/chromium.js';


describe.skipIf(skipBrowser)('the result page in Chromium', () => {
  let server: ServerType;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    const app = createApp(fileStore('likelihoods'));
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(info.port));
    });
    expect((server.address() as AddressInfo).port).toBe(port);
    base = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  /** A page that records console errors, uncaught errors and failed or unsuccessful requests. */
  async function openPage(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    return { page, problems };
  }

  it('draws the scans as SVG paths, with no console errors and no failed requests', async () => {
    const { page, problems } = await openPage();
    const response = await page.goto(`${base}/likelihoods/gaussian-toy-truth`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
    await expect(page.title()).resolves.toContain('Two-Gaussian toy');

    const paths = await page.locator('svg path').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('d') ?? ''));
    expect(paths.length).toBeGreaterThan(2);
    for (const d of paths) expect(d.trim()).not.toBe('');
    // the scan plot's curves span the plot: their bounding boxes are not degenerate
    const box = await page.locator('svg').first().boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(await page.evaluate(() => document.scripts.length)).toBe(0);
    expect(await page.locator('section.parameter table').first().textContent()).toContain('observed');
    expect(await page.locator('#query ~ pre').first().textContent()).toContain('"theta"');

    await mkdir('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/result-page.png', fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('reaches the result page from the catalogue', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${base}/`, { waitUntil: 'load' });
    await page.locator('a[href="/likelihoods/gaussian-toy-truth"]').first().click();
    await page.waitForURL(`${base}/likelihoods/gaussian-toy-truth`);
    expect(await page.locator('h1').textContent()).toContain('Two-Gaussian toy');
    expect(problems).toEqual([]);
    await page.close();
  });
});
