// The browser's decoding, checked where Node can check it: the size of the bitmap the browser
// decodes counts against maxPixels, not only the size the header declares, since a hostile file can
// make the browser's reading of it larger (a GIF frame placed far off its screen was one).
// tests/browser/site.test.ts decodes real files in Chromium.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FileFormatError } from '../../src/index.js';
import { decodeInBrowser } from '../../src/data/image-decoder-browser.js';
import { expectError } from './expect-error.js';

test('a bitmap the browser decodes larger than maxPixels is refused before a canvas of it is made, and closed', async () => {
  const closed: string[] = [];
  const decodesTo = (width: number, height: number) => async () => ({ width, height, close: () => closed.push(`${width}×${height}`) });
  const global = globalThis as { createImageBitmap?: unknown };
  try {
    global.createImageBitmap = decodesTo(3001, 2001);
    await expectError(() => decodeInBrowser(new Uint8Array(8), { format: 'gif', width: 1, height: 1 }, 'tiny.gif', 1e6), FileFormatError, 'tiny.gif',
      /the GIF decodes to 3001×2001 pixels \(6\.0 megapixels\), more than the 1 megapixels allowed/);
    global.createImageBitmap = decodesTo(0, 0);
    await expectError(() => decodeInBrowser(new Uint8Array(8), { format: 'webp', width: 1, height: 1 }, 'empty.webp', 1e6), FileFormatError, 'empty.webp',
      /the WebP is 0×0 pixels; expected at least 1×1/);
  } finally {
    delete global.createImageBitmap;
  }
  assert.equal(closed, ['3001×2001', '0×0']);
});

test.run();
