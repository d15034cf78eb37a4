// A layer driven on its own (as the bench and the layer tests drive them) is planned for the passes
// it runs: backward before planBackward, or forward in training before planTraining where training
// has buffers of its own, is refused rather than left to write through null addresses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { type Layer, StateError, init, layers, sequential } from '../../src/index.js';
import { seededRandom } from '../../src/random.js';
import { throwsWith } from '../throws-with.js';

/** Builds `layer` for [inputShape], plans it for `batch` and runs it forward in inference on ones; returns the gradient's address (ones too). */
function forwardOnce(layer: Layer, inputShape: number[], batch: number): { x: number; dy: number } {
  const memory = getBackend().memory;
  layer.build([inputShape], seededRandom(1));
  layer.plan(batch);
  const inLength = batch * layer.inputSize, outLength = batch * layer.outputSize;
  const x = memory.alloc(inLength * 4), dy = memory.alloc(outLength * 4);
  memory.f32(x, inLength).fill(1);
  memory.f32(dy, outLength).fill(1);
  layer.forward([x], batch, false);
  return { x, dy };
}

test('backward before planBackward is a StateError naming the layer, and writes nothing', async () => {
  await init();
  const memory = getBackend().memory;
  const cases: Array<[Layer, number[]]> = [
    [layers.dense({ units: 5, name: 'unplanned_dense' }), [7]],
    [layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'unplanned_conv' }), [6, 6, 2]],
    [layers.maxPool2d({ name: 'unplanned_pool' }), [4, 4, 3]],
    [layers.batchNormalization({ name: 'unplanned_norm' }), [3, 3, 2]],
  ];
  for (const [layer, shape] of cases) {
    const { x, dy } = forwardOnce(layer, shape, 2);
    // What lies at the null address (the kernels' own data) must stay as it was.
    const low = memory.f32(0, 1024).slice();
    throwsWith(() => layer.backward(dy, 2, true), StateError, layer.name, 'planBackward');
    assert.equal(memory.f32(0, 1024), low, `${layer.name}: memory at address 0 untouched`);
    memory.free(x);
    memory.free(dy);
    layer.release();
  }
});

test('weight gradients asked of a layer planned without them are refused; planned, backward runs', async () => {
  await init();
  const memory = getBackend().memory;
  const dense = layers.dense({ units: 3, name: 'inputs_only' });
  const { x, dy } = forwardOnce(dense, [4], 2);
  dense.planBackward(false);
  dense.plan(2);
  dense.forward([x], 2, true);
  const [dx] = dense.backward(dy, 2, true, false);
  assert.ok(dx !== 0, 'input gradients without weight gradients');
  throwsWith(() => dense.backward(dy, 2, true, true), StateError, 'inputs_only', 'planBackward(true, true)');
  dense.planBackward(true);
  dense.forward([x], 2, true);
  dense.backward(dy, 2, true, true);
  assert.ok(dense.params.every((p) => p.grad !== 0), 'planned: the gradients exist');
  memory.free(x);
  memory.free(dy);
  dense.release();
});

test('input gradients asked of a layer planned without them are refused, writing nothing; weight gradients alone run', async () => {
  await init();
  const memory = getBackend().memory;
  const cases: Array<[Layer, number[]]> = [
    [layers.dense({ units: 3, name: 'weights_only_dense' }), [4]],
    [layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'weights_only_conv' }), [6, 6, 2]],
    [layers.depthwiseConv2d({ kernelSize: 3, name: 'weights_only_depthwise' }), [5, 5, 3]],
    [layers.separableConv2d({ filters: 4, kernelSize: 3, name: 'weights_only_separable' }), [5, 5, 3]],
    [layers.layerNormalization({ name: 'weights_only_norm' }), [3, 5]],
  ];
  for (const [layer, shape] of cases) {
    const { x, dy } = forwardOnce(layer, shape, 2);
    layer.planBackward(true, false);
    layer.plan(2);
    const values = memory.f32(x, 2 * layer.inputSize);
    values.forEach((_, i) => (values[i] = Math.sin(i)));
    layer.forward([x], 2, true);
    const low = memory.f32(0, 1024).slice();
    throwsWith(() => layer.backward(dy, 2, true, true), StateError, layer.name, 'planBackward(true, true)');
    assert.equal(layer.backward(dy, 2, false, true), [0], `${layer.name}: no input gradient`);
    assert.equal(memory.f32(0, 1024), low, `${layer.name}: memory at address 0 untouched`);
    assert.ok(layer.params.every((p) => p.grad !== 0 && memory.f32(p.grad, p.size).some((g) => g !== 0)), `${layer.name}: the weight gradients`);
    memory.free(x);
    memory.free(dy);
    layer.release();
  }
});

test('forward in training of a layer whose training buffers wait for planTraining is a StateError; planned, it runs', async () => {
  await init();
  const memory = getBackend().memory;
  const cases: Array<[Layer, number[]]> = [
    [layers.dropout({ rate: 0.5, name: 'untrained_dropout' }), [6]],
    [layers.gaussianNoise({ stddev: 0.1, name: 'untrained_noise' }), [6]],
    [layers.randomFlip({ name: 'untrained_flip' }), [4, 4, 2]],
    [layers.randomZoom({ heightFactor: 0.2, name: 'untrained_zoom' }), [4, 4, 2]],
    [layers.randomContrast({ factor: 0.2, name: 'untrained_contrast' }), [4, 4, 2]],
  ];
  for (const [layer, shape] of cases) {
    const { x, dy } = forwardOnce(layer, shape, 2);
    const low = memory.f32(0, 1024).slice();
    throwsWith(() => layer.forward([x], 2, true), StateError, layer.name, 'planTraining');
    assert.equal(memory.f32(0, 1024), low, `${layer.name}: memory at address 0 untouched`);
    layer.planTraining();
    assert.ok(layer.forward([x], 2, true) !== x, `${layer.name}: planned, it draws`);
    memory.free(x);
    memory.free(dy);
    layer.release();
  }
});

test('a model driven as a layer needs prepareBackward before backward', async () => {
  await init();
  const memory = getBackend().memory;
  const m = sequential({ inputShape: [4], seed: 1, name: 'driven_model', layers: [layers.dense({ units: 3 }), layers.dense({ units: 2 })] });
  m.plan(2);
  const x = memory.alloc(8 * 4), dy = memory.alloc(4 * 4);
  memory.f32(x, 8).fill(1);
  memory.f32(dy, 4).fill(1);
  m.forward([x], 2, true);
  throwsWith(() => m.backward(dy, 2, true), StateError, 'driven_model', 'planBackward');
  m.prepareBackward(new Set(m.trainableWeights), true);
  m.forward([x], 2, true);
  assert.ok(m.backward(dy, 2, true)[0] !== 0, 'prepared: the input gradient');
  memory.free(x);
  memory.free(dy);
  m.dispose();
});

test.run();
