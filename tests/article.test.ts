// The article a message puts before a word it fills in: by the sound the word starts with.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withArticle } from '../src/article.js';
import { shownValue } from '../src/shown-value.js';
import { ConfigError, input, layers, model } from '../src/index.js';
import { throwsWith } from './throws-with.js';

test('"an" before a vowel sound (formats, layer classes, types, sizes), "a" before any other', () => {
  const an = ['AVIF', 'Add', 'Activation', 'InputLayer', 'Int32Array', 'UpSampling2D', 'undefined', 'object', 'int64', '8-D', '8×8', '11-D', '18×18', '80×80', '11000×1'];
  const a = ['GIF', 'WebP', 'HEIC', 'Dense', 'Uint8Array', 'uint8', 'float', 'bool', '1-D', '4-D', '110×110', '1100×1', '2×2', 'Float32Array'];
  for (const word of an) assert.is(withArticle(word), `an ${word}`);
  for (const word of a) assert.is(withArticle(word), `a ${word}`);
});

test('"a" where a vowel letter starts with a consonant sound: one, once, a capital U read as a letter, eu', () => {
  for (const word of ['one', 'OneHot', 'one-hot', 'once', 'UNet', 'U-Net', 'U', 'Euclidean', 'EuclideanDistance']) assert.is(withArticle(word), `a ${word}`);
  for (const word of ['onerous', 'ONNX', 'Upsample', 'unknown', 'Eye']) assert.is(withArticle(word), `an ${word}`);
});

test('capitals read letter by letter take the article of the first letter\'s name: "an MLP", "an SGDOptimizer", "a CNN"', () => {
  const an = ['MLP', 'NCHW', 'SGDOptimizer', 'RMSPropOptimizer', 'HTMLImageElement', 'SVGImageElement', 'LSTM', 'FPN', 'X-ray', 'ELU', 'EU'];
  const a = ['CNN', 'JPEG', 'PNG', 'BMP', 'GRU', 'PReLU', 'VGG16', 'T-shirt', 'HEIC'];
  for (const word of an) assert.is(withArticle(word), `an ${word}`);
  for (const word of a) assert.is(withArticle(word), `a ${word}`);
});

test('a TensorFlow.js optimizer passed where convas\'s belongs is "an SGDOptimizer object"', () => {
  class SGDOptimizer { learningRate = 0.1; }
  assert.is(shownValue(new SGDOptimizer()), 'an SGDOptimizer object');
});

test('a model message naming a layer class takes its article: "the output of an Activation"', () => {
  const x = input({ shape: [4] });
  const y = layers.activation({ activation: 'relu' }).apply(x);
  throwsWith(() => model({ inputs: y, outputs: layers.dense({ units: 2 }).apply(y) }), ConfigError, 'is the output of an Activation;');
});

test('a value shown by its kind takes its article: "an Int32Array", "an AdamOptimizer object"', () => {
  class AdamOptimizer { self = this; }
  assert.is(shownValue(new Int32Array(3)), 'an Int32Array of 3');
  assert.is(shownValue(new Float32Array(2)), 'a Float32Array of 2');
  assert.is(shownValue(new AdamOptimizer()), 'an AdamOptimizer object');
});

test.run();
