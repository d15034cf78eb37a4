// Code written as TensorFlow.js's tutorials and guides write it (the digits CNN codelab, the layers
// API guide, save and load), each a habit that failed here with a TypeError or a refusal where
// convas has the same thing under TF.js's name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, layerToConfig, layers } from '../../src/index.js';

test('layers.maxPooling2d and averagePooling2d, the names TF.js\'s digits codelab uses, make the pooling layers', async () => {
  await init();
  const max = layerToConfig(layers.maxPooling2d({ poolSize: [2, 2], strides: [2, 2] }));
  assert.equal([max.className, max.poolSize, max.strides], ['MaxPooling2D', [2, 2], [2, 2]]);
  const average = layerToConfig(layers.averagePooling2d({ poolSize: 3 }));
  assert.equal([average.className, average.poolSize, average.strides], ['AveragePooling2D', [3, 3], [3, 3]]);
});

test.run();
