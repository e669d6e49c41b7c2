import { requireExecutable } from '@homeiq/core/testing/dependency';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium; `skip` says why a test cannot run without it (a failure instead under CI=true). */
export const { path: chromiumPath, skip: skipWithoutChromium } = requireExecutable('Chromium', [
  '/usr/bin/chromium',
  'chromium',
]);

/** Headless Chromium with a fresh profile folder and none of its background traffic. */
export function launchChromium(profileDir: string, viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport,
  });
}
