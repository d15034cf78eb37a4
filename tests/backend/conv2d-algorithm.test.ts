// The choice between the direct and the Winograd convolution kernels, pass by pass.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Conv2dPass, usesWinograd } from '../../src/backend/conv2d-algorithm.js';
import { type Padding, conv2dGeometry } from '../../src/window.js';

const PASSES: Conv2dPass[] = ['forward', 'backwardInput', 'backwardFilter'];

/** Which passes use Winograd, as a string of three marks: W (Winograd) or d (direct) for forward, backward input, backward filter. */
function decisions([h, w, inC]: number[], kernel: number | [number, number], outC: number, stride = 1, padding: Padding = 'same'): string {
  const g = conv2dGeometry([1, h, w, inC], typeof kernel === 'number' ? [kernel, kernel] : kernel, outC, [stride, stride], padding, 'test');
  return PASSES.map((pass) => (usesWinograd(g, pass) ? 'W' : 'd')).join('');
}

test('the layers of the bench nets: Winograd everywhere but on 1 to 3 input channels', () => {
  assert.is(decisions([28, 28, 1], 5, 8), 'dWd', 'LeNet conv1: one channel in (its backward input never runs)');
  assert.is(decisions([14, 14, 8], 5, 16), 'WWW', 'LeNet conv2');
  assert.is(decisions([28, 28, 1], 5, 16), 'dWd', 'the 5×5 net, conv1');
  assert.is(decisions([14, 14, 16], 5, 32), 'WWW', 'the 5×5 net, conv2');
  assert.is(decisions([32, 32, 3], 3, 32), 'dWd', 'VGG conv1: 3 channels in');
  assert.is(decisions([32, 32, 32], 3, 32), 'WWW', 'VGG conv2');
  assert.is(decisions([16, 16, 32], 3, 64), 'WWW', 'VGG conv3');
  assert.is(decisions([16, 16, 64], 3, 64), 'WWW', 'VGG conv4');
  assert.is(decisions([56, 56, 64], 3, 64), 'WWW', 'the bench\'s large conv');
});

test('only stride 1 and square 3×3 or 5×5 kernels', () => {
  assert.is(decisions([28, 28, 32], 3, 32, 2), 'ddd', 'stride 2');
  assert.is(decisions([28, 28, 32], 1, 32), 'ddd', '1×1');
  assert.is(decisions([28, 28, 32], 7, 32), 'ddd', '7×7');
  assert.is(decisions([28, 28, 32], [3, 5], 32), 'ddd', '3×5');
  assert.is(decisions([28, 28, 32], [1, 3], 32), 'ddd', '1×3');
  assert.is(decisions([28, 28, 32], 3, 32, 1, 'valid'), 'WWW', "'valid' padding: 26×26 outputs");
  assert.is(decisions([28, 28, 32], 5, 32, 1, 'full'), 'WWW', "'full' padding: 32×32 outputs");
});

test('channel thresholds: 8 summed over forward and backward input (4 for backward filter) on well-tiled maps', () => {
  assert.is(decisions([28, 28, 7], 3, 7), 'ddW', '7 channels each side');
  assert.is(decisions([28, 28, 8], 3, 7), 'WdW', '8 in, 7 out: backward input sums over the 7');
  assert.is(decisions([28, 28, 7], 3, 8), 'dWW', '7 in, 8 out');
  assert.is(decisions([28, 28, 3], 3, 64), 'dWd', 'backward filter needs 4 channels in');
  assert.is(decisions([28, 28, 4], 3, 2), 'ddW');
});

test('tile waste: a map the 4×4 tiles cover badly needs twice the channels, and a worse one never uses Winograd', () => {
  // 14×14 is covered by 16×16 (waste 1.31); 6×6 by 8×8 (1.78); 2×2 by 4×4 (4).
  assert.is(decisions([14, 14, 8], 3, 8), 'WWW', '14×14');
  assert.is(decisions([6, 6, 8], 3, 8), 'ddW', '6×6, 8 channels');
  assert.is(decisions([6, 6, 16], 3, 16), 'WWW', '6×6, 16 channels');
  assert.is(decisions([6, 6, 4], 3, 4), 'ddd', '6×6, 4 channels');
  assert.is(decisions([2, 2, 64], 3, 64), 'ddd', '2×2: never');
  assert.is(decisions([1, 1, 64], 3, 64), 'ddd', '1×1 maps: never');
  // Backward input tiles the input map: 'valid' 3×3 on 8×8 gives 6×6 outputs, but dx is 8×8.
  assert.is(decisions([8, 8, 8], 3, 8, 1, 'valid'), 'dWW', "'valid' on 8×8: forward's 6×6 tiles badly, backward input's 8×8 well");
});

test.run();
