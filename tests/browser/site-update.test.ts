// A new build of the site reaching returning users: its service worker installs the new files
// (from the server, though the host lets browsers cache them), waits while a page of the old build
// is open, so that page never gets the new build's files beside its own, says a new version is
// ready, and takes over once every page of the old build is closed.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { browserTestsRun, launchChromium } from './chromium.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

if (browserTestsRun()) {
  const temp = mkdtempSync(join(tmpdir(), 'convas-site-update-'));
  const live = join(temp, 'live');
  let server: import('node:http').Server;
  let base: string;
  let context: BrowserContext;

  const MARK = "\n;globalThis.siteBuild = 'new';\n";
  type SiteServer = { serveStatic(root: string, port: number, headers: Record<string, string>): Promise<{ server: import('node:http').Server; url: string }> };

  /** Which build a page's scripts came from: the new one marks itself. */
  const buildOf = (page: Page) => page.evaluate(() => ((globalThis as { siteBuild?: string }).siteBuild ?? 'old'));
  const workerBuildOf = (page: Page) => page.evaluate(async () => ((await (await fetch('./worker.js')).text()).includes('siteBuild') ? 'new' : 'old'));

  test.before(async () => {
    const { buildSite } = await import(pathToFileURL('scripts/www-build.mjs').href) as { buildSite(outdir: string): Promise<void> };
    await buildSite(join(temp, 'old'));
    // The new build: two files marked, and the service worker of another version, as a real rebuild makes.
    cpSync(join(temp, 'old'), join(temp, 'new'), { recursive: true });
    for (const file of ['train-page.js', 'worker.js']) writeFileSync(join(temp, 'new', file), readFileSync(join(temp, 'old', file), 'utf8') + MARK);
    const worker = join(temp, 'new', 'service-worker.js');
    writeFileSync(worker, readFileSync(worker, 'utf8').replace(/convas-site-\$\{"[0-9a-f]+"\}/, 'convas-site-${"0000000000ff"}'));
    assert.ok(readFileSync(worker, 'utf8').includes('0000000000ff'), 'the new build has its own cache name');
    cpSync(join(temp, 'old'), live, { recursive: true });
    // Served as static hosts serve it: browsers may keep each file ten minutes.
    const { serveStatic } = await import(pathToFileURL('scripts/www-serve.mjs').href) as SiteServer;
    ({ server, url: base } = await serveStatic(live, 0, { 'Cache-Control': 'max-age=600' }));
    context = await launchChromium(join(temp, 'profile'));
  });

  test.after(async () => {
    await context?.close();
    server?.close();
    rmSync(temp, { recursive: true, force: true });
  });

  test('an open page keeps its own build; the new one, fetched past the browser\'s cache, loads once the old pages are closed', async () => {
    const first = await context.newPage();
    await first.goto(base);
    await first.waitForFunction(() => navigator.serviceWorker.controller !== null);
    assert.is(await buildOf(first), 'old');

    cpSync(join(temp, 'new'), live, { recursive: true }); // the deploy
    const second = await context.newPage();
    await second.goto(base); // the browser checks for a new service worker, which installs and waits
    await second.waitForFunction(async () => (await navigator.serviceWorker.getRegistration())?.waiting !== null);
    await second.waitForSelector('.update-notice');
    assert.match(await second.textContent('.update-notice') ?? '', 'once every tab of this site is closed');
    for (const page of [first, second]) {
      assert.is(await buildOf(page), 'old', 'an open build is not mixed with the new one');
      assert.is(await workerBuildOf(page), 'old', 'nor are the files its pages fetch later (the training worker)');
    }

    for (const page of context.pages()) await page.close();
    // The new service worker activates once the last old page has gone, on its own time: a page
    // opened before that is still answered by the old one, as the browser would answer a user.
    const activated = () => Promise.all(context.serviceWorkers().map((worker) => worker.evaluate(() => {
      const { registration } = self as unknown as { registration: ServiceWorkerRegistration };
      return registration.waiting === null && registration.active?.state === 'activated';
    }).catch(() => false))); // a worker stopped as the other takes over: not yet
    for (let tries = 0; !(await activated()).every(Boolean) && tries < 200; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    const returning = await context.newPage();
    await returning.goto(base);
    assert.is(await buildOf(returning), 'new', 'the first page after the old ones closed is the new build');
    assert.is(await workerBuildOf(returning), 'new');
    assert.equal(await returning.evaluate(() => caches.keys()), ['convas-site-0000000000ff'], 'the old build\'s cache is gone');
  });
}

test.run();
