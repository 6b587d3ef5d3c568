/**
 * Debian's Chromium for the browser tests, driven by playwright-core. Without
 * /usr/bin/chromium the tests are skipped with a message, except in CI (CI set), where its
 * absence fails them: .ci/run installs it.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);

/** Skip the browser tests here: no Chromium, and not in CI. */
export const skipBrowser = missing && !process.env.CI;
if (skipBrowser) console.warn(`SKIPPED test/browser: ${CHROMIUM} is missing (install it with: apt-get install -y chromium). In CI these tests fail instead.`);

/** Headless Chromium with nothing reaching out to the network (background networking, updates, sync off). */
export function launchChromium(): Promise<Browser> {
  if (missing) throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium (.ci/run installs it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
