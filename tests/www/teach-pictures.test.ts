// The Teach page keeps every picture until it trains: a phone photo is kept at 512 pixels a side at
// most (its aspect and colours kept), a small picture as it is.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init } from '../../src/index.js';
import { keptPicture } from '../../www/src/teach-model.js';

test('a 4000×3000 photo is kept at 512×384 with its colours; a 64×48 picture as it is', async () => {
  await init();
  const width = 4000, height = 3000;
  const data = new Uint8Array(4 * width * height);
  for (let i = 0; i < width * height; i++) data.set([200, 40, 90, 255], 4 * i);
  const kept = keptPicture({ width, height, data, greyscale: false });
  assert.equal([kept.width, kept.height], [512, 384]);
  assert.equal(Array.from(kept.data.subarray(4 * 1000, 4 * 1001)), [200, 40, 90, 255]);
  const small = { width: 64, height: 48, data: new Uint8Array(4 * 64 * 48), greyscale: true };
  assert.is(keptPicture(small), small);
});

test.run();
