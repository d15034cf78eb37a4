// A Resizing's scales map coordinates (ONNX's formulas); its height and width are the sizes they go
// with. Scales that give another size are refused when the model is built, naming the layer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, init, layers, sequential } from '../../src/index.js';
import { throwsWith } from '../throws-with.js';

const build = (scales: [number, number], height: number, width: number) =>
  sequential({ inputShape: [7, 5, 3], layers: [layers.resizing({ name: 'rs', height, width, scales })] });

test('scales that go with the sizes are taken, others refused when the model is built', async () => {
  await init();
  // ONNX: floor(7·1.5) = 10, floor(5·0.7) = 3.
  assert.equal(build([1.5, 0.7], 10, 3).outputShapes[0], [10, 3, 3]);
  throwsWith(() => build([0.1, 0.1], 10, 10), ConfigError, 'rs', 'scales [0.1,0.1] of a 7×5 input give', 'not the 10×10 of height and width');
  throwsWith(() => build([1.5, 2], 10, 3), ConfigError, 'rs', 'not the 10×3');
});

test.run();
