// Debian's Chromium as the browser tests launch it: headless, on a profile of their own (service
// workers and IndexedDB need a persistent one), without the background work that would slow it.
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const QUIET = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** A context on `profile`; `options` (permissions, downloads) and `args` (fake devices) add to the defaults. */
export async function launchChromium(profile: string, options: Parameters<typeof chromium.launchPersistentContext>[1] = {}, args: string[] = []): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1200, height: 900 }, ...options, args: [...QUIET, ...args],
  });
  // Timeouts only end a stuck test: they are generous (a few times a normal run) so that a slow or
  // busy machine is not mistaken for a broken page.
  context.setDefaultTimeout(60_000);
  return context;
}
