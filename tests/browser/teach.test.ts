// The Teach page in Chromium: a MobileNetV2 saved by tfjs-layers (tests/model/mobilenet-base.ts) is
// loaded by URL and cached; stripes and dots are added from files and a frame from Chromium's fake
// webcam; the head trains in the worker with live loss and accuracy, names held-out pictures right
// (≥ 90%) and the webcam live; both exports load (TF.js's in TF.js, predicting as convas does); a
// base picked as files and pictures dropped on a class are taken; and offline, on a second visit,
// the cached base teaches again.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { BrowserContext, Download, Page } from 'playwright-core';
import { browserTestsRun, launchChromium } from './chromium.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { imageToTensor, init, loadModel } from '../../src/index.js';
import { assertClose } from '../helpers.js';
import { loadInTfjs } from '../io/tfjs-files.js';
import { FEATURE_LAYER, mobileNetBase } from '../model/mobilenet-base.js';
import { TEXTURES, encodePicture, stripesAndDots } from '../model/patterns.js';

const SIZE = 64;
const script = <T>(file: string): Promise<T> => import(pathToFileURL(resolve('scripts', file)).href);

/** Pictures at the base's size (the command line's test resizes them), as the page's file inputs take them, named by texture. */
const files = (perClass: number, seed: number) => stripesAndDots(perClass, SIZE, seed).map((picture, i) => ({
  name: `${i}-${TEXTURES[picture.label]}.png`, mimeType: 'image/png', buffer: Buffer.from(encodePicture(picture, 'png')), label: picture.label,
}));

/** The gradient as GIF, WebP, BMP and AVIF files (scripts/make-image-fixtures.py), as the file picker gives them. */
const OTHER_FORMATS = ['gif', 'webp', 'bmp', 'avif'].map((format) => ({
  name: `gradient.${format}`, mimeType: `image/${format}`, buffer: readFileSync(`tests/fixtures/images/gradient.${format}`),
}));

if (browserTestsRun()) {
  let context: BrowserContext;
  let server: import('node:http').Server;
  let site: string;
  const temp = mkdtempSync(join(tmpdir(), 'convas-teach-'));
  const siteDir = join(temp, 'site');
  const pageErrors: string[] = [];

  async function open(): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${site}teach.html`);
    return page;
  }

  const statusIs = (page: Page, selector: string, start: string) =>
    page.waitForFunction(([s, t]) => document.querySelector(s)!.textContent!.startsWith(t), [selector, start] as const, { timeout: 120_000 });

  /** Names the two classes, adds `perClass` pictures to each from files, trains and waits for the end. */
  async function teach(page: Page, perClass: number, epochs: number): Promise<void> {
    await page.selectOption('#cut', FEATURE_LAYER);
    await page.fill('#epochs', String(epochs));
    await page.fill('#learning-rate', '0.01');
    await page.fill('#hidden-units', '32');
    const pictures = files(perClass, 31);
    for (const [label, name] of TEXTURES.entries()) {
      const taughtClass = page.locator('.teach-class').nth(label);
      await taughtClass.locator('.class-name').fill(name);
      await taughtClass.locator('.class-files').setInputFiles(pictures.filter((p) => p.label === label));
      await page.waitForFunction(([i, n]) => parseInt(document.querySelectorAll('.class-count')[i].textContent!) >= n, [label, perClass] as const);
    }
    await page.click('#train');
    await statusIs(page, '#status', 'Done: ');
  }

  /** Classifies held-out pictures on the page: the share named right. */
  async function heldOutAccuracy(page: Page): Promise<number> {
    const heldOut = files(30, 32);
    await page.setInputFiles('#try-files', heldOut);
    await page.waitForFunction((n) => document.querySelectorAll('#predictions li').length === n, heldOut.length);
    const named = await page.$$eval('#predictions li', (items) => items.map((item) => (item as HTMLElement).dataset.class));
    const accuracy = named.filter((name, i) => name === TEXTURES[heldOut[i].label]).length / heldOut.length;
    console.log(`  held-out pictures named right: ${(100 * accuracy).toFixed(1)}%`);
    return accuracy;
  }

  test.before(async () => {
    await (await script<{ buildSite(outdir: string): Promise<void> }>('www-build.mjs')).buildSite(siteDir);
    cpSync((await mobileNetBase(SIZE)).dir, join(siteDir, 'base'), { recursive: true });
    ({ server, url: site } = await (await script<{ serveStatic(root: string): Promise<{ server: import('node:http').Server; url: string }> }>('www-serve.mjs')).serveStatic(siteDir));
    context = await launchChromium(join(temp, 'profile'), { permissions: ['camera'], acceptDownloads: true },
      ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
  });

  test.after(async () => {
    await context?.close();
    server?.close();
    rmSync(temp, { recursive: true, force: true });
  });

  test('Teach: a base by URL (an empty field said so), pictures from files and the webcam, the head trained in the worker names held-out pictures (≥ 90%) and the webcam live; exports load', async () => {
    const page = await open();
    await statusIs(page, '#base-status', 'Load a base');
    await page.fill('#base-url', '  ');
    await page.click('#load-base');
    await statusIs(page, '#base-status', 'Type the URL of a base model (its model.json) first');
    await page.fill('#base-url', `${site}base/model.json`);
    await page.click('#load-base');
    await statusIs(page, '#base-status', 'Loaded: ');
    assert.match(await page.textContent('#base-status') ?? '', '156 layers, 64×64 pictures');
    assert.is(await page.inputValue('#cut'), 'out_relu', 'a MobileNetV2 is cut at out_relu unless told otherwise');

    await page.click('#camera-start');
    await page.waitForFunction(() => (document.querySelector('#camera') as HTMLVideoElement).videoWidth > 0);
    await page.locator('.teach-class').nth(1).locator('.class-camera').click();
    await page.waitForFunction(() => document.querySelectorAll('.class-count')[1].textContent === '1 picture');

    await teach(page, 80, 100);
    const loss = Number(await page.textContent('#stat-loss'));
    assert.ok(loss >= 0 && loss < 0.3, `the live loss at the end: ${loss}`);
    assert.match(await page.textContent('#status') ?? '', 'Done: 100 epochs on 161 pictures of 2 classes');
    const accuracy = await heldOutAccuracy(page);
    assert.ok(accuracy >= 0.9, `held-out pictures named right: ${accuracy}`);
    await page.waitForFunction(() => /^Webcam: (stripes|dots) \(\d+\.\d%\)$/.test(document.querySelector('#live')!.textContent!));

    // Both exports: TF.js loads the TF.js one and predicts as convas does with the convas one.
    const folder = join(temp, 'exports');
    for (const format of ['tfjs', 'convas']) {
      const downloads: Download[] = [];
      const both = page.waitForEvent('download', { predicate: (download) => downloads.push(download) === 2 });
      await page.click(`#export-${format}`);
      await both;
      assert.equal(downloads.map((d) => d.suggestedFilename()).sort(), [`teachable-${format}.json`, `teachable-${format}.weights.bin`]);
      for (const download of downloads) await download.saveAs(join(folder, format, download.suggestedFilename()));
      renameSync(join(folder, format, `teachable-${format}.json`), join(folder, format, 'model.json'));
    }
    await init();
    await tf.setBackend('cpu');
    const ours = await loadModel(join(folder, 'convas'));
    assert.equal(ours.getUserDefinedMetadata(), { classNames: ['stripes', 'dots'], imageInput: { size: [SIZE, SIZE], channels: 3, normalize: '[-1,1]', crop: 'center' } });
    const x = imageToTensor(stripesAndDots(3, SIZE, 33), { size: SIZE, normalize: '[-1,1]' });
    const theirs = (await loadInTfjs(join(folder, 'tfjs'))).predict(tf.tensor4d(x.dataSync(), [6, SIZE, SIZE, 3])) as tf.Tensor;
    assertClose(theirs.dataSync() as Float32Array, ours.predict(x).dataSync(), 1e-4, 'TF.js on the TF.js export, convas on the convas export');
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: join('test-artifacts', 'teach.png'), fullPage: true });
    await page.close();
  });

  test('Teach: a base picked as its files; pictures dropped on a class, those the system gives no type too (before, left out); other files named as skipped', async () => {
    const page = await open();
    await statusIs(page, '#base-status', 'From this browser: ');
    await page.setInputFiles('#base-files', readdirSync(join(siteDir, 'base')).map((file) => join(siteDir, 'base', file)));
    await statusIs(page, '#base-status', 'Loaded: ');
    const pictures = files(2, 34).map(({ name, buffer }) => ({ name, type: 'image/png', bytes: [...buffer] }));
    const untyped = [{ name: 'scan', type: '', bytes: pictures[0].bytes }, { name: 'photo.avif', type: '', bytes: [...OTHER_FORMATS.find((f) => f.name.endsWith('.avif'))!.buffer] }];
    const dropped = [...pictures, ...untyped, { name: 'notes.txt', type: 'text/plain', bytes: [104, 105] }];
    const dataTransfer = await page.evaluateHandle((pictures) => {
      const transfer = new DataTransfer();
      for (const { name, type, bytes } of pictures) transfer.items.add(new File([Uint8Array.from(bytes)], name, { type }));
      return transfer;
    }, dropped);
    await page.locator('.teach-class').nth(0).dispatchEvent('drop', { dataTransfer });
    await page.waitForFunction(() => document.querySelectorAll('.class-count')[0].textContent === '6 pictures');
    assert.match(await page.locator('#status').textContent() ?? '', /^notes\.txt skipped: .*not an image convas reads/);
    await page.close();
  });

  test('Teach with a few pictures (fewer than a batch), fields checked, pictures and a class removed; GIF, WebP, BMP and AVIF pictures taught and predicted; a file that cannot be read (a HEIC Chromium does not decode) is said so among the predictions', async () => {
    const page = await open();
    await statusIs(page, '#base-status', 'From this browser: ');
    await page.fill('#epochs', '0');
    await teachFew(page);
    await statusIs(page, '#status', 'Epochs must be a whole number of at least 1 (it is 0)');
    // A third class with pictures, one taken back, then all, then the class: training takes the two left.
    await page.click('#add-class');
    const third = page.locator('.teach-class').nth(2);
    await third.locator('.class-files').setInputFiles(files(2, 37));
    await page.waitForFunction(() => document.querySelectorAll('.class-count')[2].textContent === '4 pictures');
    await third.locator('.class-undo').click();
    assert.is(await third.locator('.class-count').textContent(), '3 pictures');
    await third.locator('.class-clear').click();
    assert.is(await third.locator('.class-count').textContent(), '0 pictures');
    await page.locator('.teach-class').nth(0).locator('.class-files').setInputFiles(files(1, 38).slice(0, 1));
    await page.waitForFunction(() => document.querySelectorAll('.class-count')[0].textContent === '4 pictures');
    await page.locator('.teach-class').nth(0).locator('.class-undo').click();
    await third.locator('.class-remove').click();
    assert.is(await page.locator('.teach-class').count(), 2);
    // Pictures in the formats only the browser decodes are taught too (before, each was skipped: "not a JPEG, PNG or PGM image").
    await page.locator('.teach-class').nth(1).locator('.class-files').setInputFiles(OTHER_FORMATS);
    await page.waitForFunction(() => document.querySelectorAll('.class-count')[1].textContent === '7 pictures');
    assert.not.match(await page.textContent('#status') ?? '', 'skipped');
    await page.fill('#epochs', '20');
    await page.click('#train');
    await statusIs(page, '#status', 'Done: 20 epochs on 10 pictures of 2 classes');
    const [one] = files(1, 35);
    const heic = { name: 'photo.heic', mimeType: 'image/heic', buffer: Buffer.from(OTHER_FORMATS[3].buffer) };
    heic.buffer.write('heic', 8, 'latin1'); // an AVIF's brands made HEIC's: a format Chromium does not decode
    heic.buffer.write('heic', 16, 'latin1');
    await page.setInputFiles('#try-files', [one, OTHER_FORMATS[1], { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from([137, 80, 78, 71]) }, heic]);
    await page.waitForFunction(() => document.querySelectorAll('#predictions li').length === 4);
    const lines = await page.$$eval('#predictions li', (items) => items.map((item) => item.textContent!));
    assert.match(lines[0], new RegExp(`^${one.name}: (stripes|dots) \\(`));
    assert.match(lines[1], /^gradient.webp: (stripes|dots) \(/);
    assert.match(lines[2], /^broken.png: /);
    assert.match(lines[3], /^photo.heic: .*HEIC, or one this browser does not decode/);
    await page.close();
  });

  /** Names the classes and adds three pictures to each, then asks to train (with the fields as they are). */
  async function teachFew(page: Page): Promise<void> {
    await page.selectOption('#cut', FEATURE_LAYER);
    const pictures = files(3, 36);
    for (const [label, name] of TEXTURES.entries()) {
      const taughtClass = page.locator('.teach-class').nth(label);
      await taughtClass.locator('.class-name').fill(name);
      await taughtClass.locator('.class-files').setInputFiles(pictures.filter((p) => p.label === label));
      await page.waitForFunction(([i]) => document.querySelectorAll('.class-count')[i].textContent === '3 pictures', [label] as const);
    }
    await page.click('#train');
  }

  test('Teach offline: on a second visit the base comes from the browser, and the page teaches again', async () => {
    const first = await open();
    await first.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await first.close();
    await context.setOffline(true);
    try {
      const page = await open();
      await statusIs(page, '#base-status', 'From this browser: ');
      await teach(page, 80, 100);
      assert.ok(await heldOutAccuracy(page) >= 0.9, 'taught offline');
      await page.close();
    } finally {
      await context.setOffline(false);
    }
    assert.equal(pageErrors, [], 'no errors in the page');
  });
}

test.run();
