/**
 * The result page in a real browser: Debian's Chromium driven by playwright-core against the
 * app served by @hono/node-server on a free local port. The page must render its SVG plots
 * with no console errors and no failed requests (its CSP forbids any script), each with
 * accessible text (role img and a title). A screenshot
 * is left in test-output/result-page.png, and one of every page kind in test-output/pages/.
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

  /**
   * Every kind of page, screenshotted into test-output/pages/: what a reader must find on it,
   * no raw sub/superscript notation in its text, legend entries that do not overlap, and a
   * download next to every plot.
   */
  const PAGE_KINDS = [
    { kind: 'catalogue', path: '/', expect: ['Published likelihoods'] },
    { kind: 'learned-unbinned', path: '/likelihoods/dy-smeft-run3', expect: ['TeV⁻²', '@misc{dy_smeft_run3_1_1_0', 'inside the selection'] },
    { kind: 'binned-with-edges', path: '/likelihoods/dy-smeft-run3-mll', expect: ['TeV⁻²', '150–200', '2500–∞'] },
    { kind: 'imported-pyhf', path: '/likelihoods/atlas-sbottom-regiona', expect: ['Agreement with pyhf', 'largest relative difference', 'Fit diagnostics', 'Pulls and constraints', 'Impacts on mu_SIG', 'Pre- and post-fit yields'] },
    { kind: 'many-channels', path: '/likelihoods/tttt-cp', expect: ['channels, each with its plot'] },
    { kind: 'api-docs', path: '/docs', expect: ['/v1/likelihoods'] },
  ] as const;

  for (const { kind, path, expect: wanted } of PAGE_KINDS) {
    it(`renders the ${kind} page (${path}) readably`, async () => {
      const { page, problems } = await openPage();
      const response = await page.goto(`${base}${path}`, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      const text = (await page.locator('body').textContent()) ?? '';
      for (const w of wanted) expect(text, `${path} should show "${w}"`).toContain(w);

      // the manifests' notation is drawn, not shown: no E_T^miss or C_lq^(1) in headings, prose or plots
      // (identifiers users type, in <code>, keep their spelling)
      const prose = await page.locator('h1, main p, td, figcaption, svg text').evaluateAll((nodes) =>
        nodes.map((n) => {
          const copy = n.cloneNode(true) as Element;
          copy.querySelectorAll('code, pre').forEach((c) => c.remove());
          return copy.textContent ?? '';
        }),
      );
      for (const line of prose) expect(line, `raw notation on ${path}`).not.toMatch(/(?<![\w.\/-])\p{L}_[\p{L}\d{]|\^[(\w{-]/u);

      // legend entries of one plot never overlap
      const overlaps = await page.locator('svg g.legend').evaluateAll((legends) =>
        legends.flatMap((g) => {
          // every label against every other label and every swatch (line, box, marker) of the legend
          const boxes = Array.from(g.querySelectorAll('text')).map((t) => ({ label: t.textContent, box: t.getBoundingClientRect() }));
          const swatches = Array.from(g.children).filter((c) => c.tagName !== 'text').map((c) => ({ label: `a ${c.tagName} swatch`, box: c.getBoundingClientRect() }));
          const found: string[] = [];
          for (let i = 0; i < boxes.length; i++)
            for (const other of [...boxes.slice(i + 1), ...swatches]) {
              const [a, b] = [boxes[i].box, other.box];
              if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) found.push(`${boxes[i].label} × ${other.label}`);
            }
          // and stay inside their plot
          const frame = (g as SVGGElement).ownerSVGElement!.getBoundingClientRect();
          for (const { label, box } of boxes) if (box.right > frame.right + 0.5) found.push(`${label} leaves the plot`);
          return found;
        }),
      );
      expect(overlaps, path).toEqual([]);

      // axis labels clear the tick labels
      const crowded = await page.locator('svg').evaluateAll((plots) =>
        plots.flatMap((svg) => {
          const ticks = Array.from(svg.querySelectorAll('text.tick')).map((t) => ({ label: t.textContent, box: t.getBoundingClientRect() }));
          return Array.from(svg.querySelectorAll('text.axis-label')).flatMap((axis) => {
            const a = axis.getBoundingClientRect();
            return ticks.filter(({ box: b }) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5).map((t) => `${axis.textContent} × tick ${t.label}`);
          });
        }),
      );
      expect(crowded, path).toEqual([]);

      // every figure is announced to a screen reader: role img and a non-empty title
      const untitled = await page.locator('div.plot svg').evaluateAll((svgs) => svgs.filter((s) => s.getAttribute('role') !== 'img' || !s.querySelector('title')?.textContent?.trim()).length);
      expect(untitled, `figures without accessible text on ${path}`).toBe(0);

      // a download next to every plot on a result page
      if (path.startsWith('/likelihoods/')) {
        const plots = await page.locator('div.plot').count();
        expect(plots).toBeGreaterThan(0);
        expect(await page.locator('div.plot + a.download').count()).toBe(plots);
      }

      await mkdir('test-output/pages', { recursive: true });
      await page.screenshot({ path: `test-output/pages/${kind}.png`, fullPage: true });
      expect(problems).toEqual([]);
      await page.close();
    }, 60_000);
  }

  it('renders the page of a workspace sent with POST /v1/pyhf/page: no console errors, a title for every figure', async () => {
    const workspace = await (await fetch(`${base}/v1/likelihoods/pyhf-2bin-shapesys/workspace`)).json();
    const response = await fetch(`${base}/v1/pyhf/page`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workspace }) });
    expect(response.status).toBe(200);
    const { page, problems } = await openPage();
    await page.setContent(await response.text(), { waitUntil: 'load' });
    const text = (await page.locator('body').textContent()) ?? '';
    for (const w of ['A pyhf workspace, as this service reads it', 'Fit diagnostics', 'Pulls and constraints']) expect(text).toContain(w);
    // every figure is announced: role img with a title (and a description) a screen reader reads
    const untitled = await page.locator('div.plot svg').evaluateAll((svgs) => svgs.filter((s) => s.getAttribute('role') !== 'img' || !s.querySelector('title')?.textContent).length);
    expect(untitled).toBe(0);
    expect(await page.locator('div.plot svg').count()).toBeGreaterThan(4);
    await mkdir('test-output/pages', { recursive: true });
    await page.screenshot({ path: 'test-output/pages/inline-workspace.png', fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

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
