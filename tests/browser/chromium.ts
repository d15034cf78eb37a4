// Debian's Chromium as the browser tests launch it: headless, on a profile of their own (service
// workers and IndexedDB need a persistent one), without the background work that would slow it.
import { existsSync } from 'node:fs';
import { type BrowserContext, chromium } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

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

/**
 * Whether the browser tests can run here: with Chromium, and what `lacking` finds missing besides.
 * Outside CI they are skipped, with a line saying why; in CI a failing test says what to install.
 */
export function browserTestsRun(lacking?: () => string | undefined): boolean {
  const why = existsSync(CHROMIUM) ? lacking?.() : `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`;
  if (!why) return true;
  if (process.env.CI === 'true') test('what the browser tests need is installed (CI runs them)', () => assert.unreachable(why));
  else console.log(`browser tests skipped: ${why}`);
  return false;
}
