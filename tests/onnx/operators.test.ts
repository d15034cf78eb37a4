// Every operator and attribute convas reads, on small graphs written by hand: the loaded model
// predicts as ONNX Runtime does on the same file (which defines ONNX's semantics here), for
// random weights and inputs, with images given to convas channels-last.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, loadModel, tensor } from '../../src/index.js';
import '../../src/onnx/index.js';
import { assertClose, random } from '../helpers.js';
import { type Initializer, type ModelSpec, type NodeSpec, onnxModel } from './builder.js';
import { assertAgreesWithOrt, runOrt } from './ort.js';

const rng = random(31);
const weight = (dims: number[], options: Partial<Initializer> = {}): Initializer => ({ dims, data: rng.array(dims.reduce((a, b) => a * b, 1)), ...options });
const ints = (values: number[]): Initializer => ({ dims: [values.length], data: values });

/** A one-input graph of `nodes` from 'x' (NCHW dims, batch 'N') to `outputs`, checked against ONNX Runtime at batch 3. */
async function agrees(what: string, dims: number[], nodes: NodeSpec[], initializers: Record<string, Initializer> = {},
  { opset = 13, outputs = ['y'], batch = 3 } = {}) {
  const spec: ModelSpec = { opset, inputs: [{ name: 'x', dims: ['N', ...dims] }], outputs, nodes, initializers };
  const bytes = onnxModel(spec);
  const model = await loadModel(bytes);
  try {
    await assertAgreesWithOrt(model, bytes, [[batch, ...dims]], what);
  } finally {
    model.dispose();
  }
  return model;
}

test.before(async () => {
  await init();
});

test('Conv: pads, strides, a non-square kernel, auto_pad SAME_UPPER / SAME_LOWER / VALID, with and without bias', async () => {
  const w = weight([4, 5, 3, 2]), b = weight([4]);
  await agrees('pads and strides', [5, 9, 8], [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { pads: [1, 0, 2, 1], strides: [2, 1] } }], { w, b });
  // 8×7 at strides 2×3: SAME pads one zero on each axis, before (LOWER) or after (UPPER).
  for (const autoPad of ['SAME_UPPER', 'SAME_LOWER', 'VALID']) {
    await agrees(autoPad, [5, 8, 7], [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes: { auto_pad: autoPad, strides: [2, 3], kernel_shape: [3, 2] } }], { w });
  }
});

test('Conv and Gemm take the activation only their output reads; one that is also a graph output stays apart', async () => {
  const w = weight([3, 2, 3, 3]);
  for (const op of ['Relu', 'Sigmoid', 'Tanh']) {
    const model = await agrees(`Conv → ${op}`, [2, 6, 6], [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] }, { op, inputs: ['c'], outputs: ['y'] }], { w });
    assert.equal(model.layers.map((l) => l.getConfig().className), ['InputLayer', 'Conv2D'], `${op} fused into the convolution`);
  }
  const model = await agrees('Conv → Relu, both outputs', [2, 6, 6], [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] }, { op: 'Relu', inputs: ['c'], outputs: ['y'] }],
    { w }, { outputs: ['c', 'y'] });
  assert.equal(model.layers.map((l) => l.getConfig().className), ['InputLayer', 'Conv2D', 'Activation']);
  const fused = await agrees('Gemm → Softmax', [6], [{ op: 'Gemm', inputs: ['x', 'g'], outputs: ['z'] }, { op: 'Softmax', inputs: ['z'], outputs: ['y'], attributes: { axis: 1 } }],
    { g: weight([6, 4]) });
  assert.equal(fused.layers.map((l) => l.getConfig().activation), [undefined, 'softmax']);
});

test('Pad (zeros) before a Conv joins its padding: pads as an input (opset 13) and as an attribute (opset 9)', async () => {
  const w = weight([2, 3, 3, 3]);
  await agrees('Pad input → Conv', [3, 5, 7], [
    { op: 'Pad', inputs: ['x', 'pads'], outputs: ['p'] },
    { op: 'Conv', inputs: ['p', 'w'], outputs: ['y'], attributes: { pads: [1, 1, 0, 0] } },
  ], { w, pads: ints([0, 0, 2, 1, 0, 0, 0, 3]) });
  await agrees('Pad attribute → Conv', [3, 5, 7], [
    { op: 'Pad', inputs: ['x'], outputs: ['p'], attributes: { pads: [0, 0, 1, 0, 0, 0, 2, 1] } },
    { op: 'Conv', inputs: ['p', 'w'], outputs: ['y'] },
  ], { w }, { opset: 9 });
});

test('Gemm: transB, alpha and beta, C per unit, [1, units] or one number, or none; MatMul by a constant', async () => {
  await agrees('Gemm transB', [6], [{ op: 'Gemm', inputs: ['x', 'b', 'c'], outputs: ['y'], attributes: { transB: 1, alpha: 0.5, beta: { float: 2 } } }],
    { b: weight([4, 6]), c: weight([4]) });
  await agrees('Gemm C [1, 4]', [6], [{ op: 'Gemm', inputs: ['x', 'b', 'c'], outputs: ['y'] }], { b: weight([6, 4]), c: weight([1, 4]) });
  await agrees('Gemm C scalar', [6], [{ op: 'Gemm', inputs: ['x', 'b', 'c'], outputs: ['y'] }], { b: weight([6, 4]), c: weight([]) });
  await agrees('Gemm without C', [6], [{ op: 'Gemm', inputs: ['x', 'b'], outputs: ['y'], attributes: { transB: 1 } }], { b: weight([3, 6]) });
  await agrees('MatMul', [6], [{ op: 'MatMul', inputs: ['x', 'b'], outputs: ['y'] }], { b: weight([6, 5]) });
});

test('MaxPool and AveragePool: pads, strides, ceil_mode, auto_pad, count_include_pad 0 and 1; the global pools', async () => {
  const dims = [3, 9, 10];
  const pool = (op: string, attributes: NodeSpec['attributes']) => agrees(`${op} ${JSON.stringify(attributes)}`, dims, [{ op, inputs: ['x'], outputs: ['y'], attributes }]);
  for (const op of ['MaxPool', 'AveragePool']) {
    await pool(op, { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
    await pool(op, { kernel_shape: [3, 2], strides: [2, 3], ceil_mode: 1 });
    await pool(op, { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 1, 1], ceil_mode: 1 });
    await pool(op, { kernel_shape: [2, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' });
    await pool(op, { kernel_shape: [2, 2] });
  }
  await pool('AveragePool', { kernel_shape: [3, 3], strides: [1, 2], pads: [1, 1, 1, 0], count_include_pad: 1 });
  await pool('AveragePool', { kernel_shape: [3, 2], strides: [3, 2], pads: [0, 0, 0, 0], count_include_pad: 1, ceil_mode: 1 });
  await agrees('Pad → AveragePool', dims, [
    { op: 'Pad', inputs: ['x', 'pads'], outputs: ['p'] },
    { op: 'AveragePool', inputs: ['p'], outputs: ['y'], attributes: { kernel_shape: [2, 3], strides: [2, 2] } },
  ], { pads: ints([0, 0, 1, 1, 0, 0, 1, 1]) });
  await pool('GlobalAveragePool', {});
  await pool('GlobalMaxPool', {});
});

test('Relu, Sigmoid, Tanh on images and features; Softmax over the channels (opset 13) and features (opset 11); Clip from 0', async () => {
  for (const op of ['Relu', 'Sigmoid', 'Tanh']) {
    await agrees(`${op} image`, [3, 4, 5], [{ op, inputs: ['x'], outputs: ['y'] }]);
    await agrees(`${op} features`, [7], [{ op, inputs: ['x'], outputs: ['y'] }]);
  }
  await agrees('Softmax axis 1 of an image', [4, 3, 5], [{ op: 'Softmax', inputs: ['x'], outputs: ['y'], attributes: { axis: 1 } }]);
  await agrees('Softmax of features, opset 11', [6], [{ op: 'Softmax', inputs: ['x'], outputs: ['y'] }], {}, { opset: 11 });
  await agrees('Clip [0, ∞) from inputs', [6], [{ op: 'Clip', inputs: ['x', 'low'], outputs: ['y'] }], { low: { dims: [], data: Float32Array.of(0) } }, { opset: 11 });
  await agrees('Clip [0, ∞) from attributes', [6], [{ op: 'Clip', inputs: ['x'], outputs: ['y'], attributes: { min: { float: 0 } } }], {}, { opset: 9 });
});

test('Add, Sub, Mul, Div with constants (one number or one per channel, either side) and between tensors; Sum, Mean, Max', async () => {
  const perChannel = weight([3, 1, 1]), nonZero = { dims: [1, 3, 1, 1], data: Float32Array.of(0.5, -2, 4) };
  const one = (op: string, inputs: string[], initializers: Record<string, Initializer>, dims = [3, 4, 5]) =>
    agrees(`${op}(${inputs})`, dims, [{ op, inputs, outputs: ['y'] }], initializers);
  await one('Add', ['x', 'c'], { c: perChannel });
  await one('Sub', ['c', 'x'], { c: perChannel });
  await one('Sub', ['x', 'c'], { c: weight([]) });
  await one('Mul', ['c', 'x'], { c: nonZero });
  await one('Div', ['x', 'c'], { c: nonZero });
  await one('Add', ['x', 'c'], { c: weight([6]) }, [6]);
  await one('Mul', ['x', 'c'], { c: weight([1, 6]) }, [6]);
  for (const op of ['Add', 'Sub', 'Mul']) {
    await agrees(`${op} of two tensors`, [3, 4, 5], [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op, inputs: ['x', 'r'], outputs: ['y'] }]);
  }
  for (const op of ['Sum', 'Mean', 'Max']) {
    await agrees(`${op} of three tensors`, [3, 4, 5], [{ op: 'Tanh', inputs: ['x'], outputs: ['t'] }, { op: 'Relu', inputs: ['x'], outputs: ['r'] },
      { op, inputs: ['x', 'r', 't'], outputs: ['y'] }]);
  }
});

test('Concat along channels, height and width of images, and along features', async () => {
  for (const axis of [1, 2, 3, -1]) {
    await agrees(`Concat axis ${axis}`, [3, 4, 4], [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Concat', inputs: ['x', 'r', 'x'], outputs: ['y'], attributes: { axis } }]);
  }
  await agrees('Concat features', [5], [{ op: 'Sigmoid', inputs: ['x'], outputs: ['s'] }, { op: 'Concat', inputs: ['s', 'x'], outputs: ['y'], attributes: { axis: 1 } }]);
});

test('Flatten keeps PyTorch\'s order; so do Reshape [0, −1], Reshape by Shape arithmetic and Squeeze', async () => {
  await agrees('Flatten of an image', [3, 4, 5], [{ op: 'Flatten', inputs: ['x'], outputs: ['y'] }]);
  await agrees('Flatten of a 1×1 image', [6, 1, 1], [{ op: 'Flatten', inputs: ['x'], outputs: ['y'] }]);
  await agrees('Flatten of one channel', [1, 3, 4], [{ op: 'Flatten', inputs: ['x'], outputs: ['y'] }]);
  await agrees('Flatten of [N, 3, 4]', [3, 4], [{ op: 'Flatten', inputs: ['x'], outputs: ['y'] }]);
  await agrees('Reshape [0, -1]', [3, 4, 5], [{ op: 'Reshape', inputs: ['x', 's'], outputs: ['y'] }], { s: ints([0, -1]) });
  await agrees('Reshape [-1, 60]', [3, 4, 5], [{ op: 'Reshape', inputs: ['x', 's'], outputs: ['y'] }], { s: ints([-1, 60]) });
  // x.view(x.size(0), -1) as torch.onnx.export writes it with a dynamic batch.
  await agrees('Reshape by Shape → Gather → Unsqueeze → Concat', [3, 4, 5], [
    { op: 'Shape', inputs: ['x'], outputs: ['shape'] },
    { op: 'Gather', inputs: ['shape', 'zero'], outputs: ['n'], attributes: { axis: 0 } },
    { op: 'Unsqueeze', inputs: ['n', 'axes'], outputs: ['n1'] },
    { op: 'Concat', inputs: ['n1', 'rest'], outputs: ['target'], attributes: { axis: 0 } },
    { op: 'Reshape', inputs: ['x', 'target'], outputs: ['y'] },
  ], { zero: { dims: [], data: [0] }, axes: ints([0]), rest: ints([-1]) });
  await agrees('Squeeze (axes input)', [6, 1, 1], [{ op: 'Squeeze', inputs: ['x', 'axes'], outputs: ['y'] }], { axes: ints([2, 3]) });
  await agrees('Squeeze (axes attribute)', [6, 1, 1], [{ op: 'Squeeze', inputs: ['x'], outputs: ['y'], attributes: { axes: [2, 3] } }], {}, { opset: 11 });
});

test('Reshape to the batch the model was exported with', async () => {
  const spec: ModelSpec = { inputs: [{ name: 'x', dims: [2, 3, 4, 5] }], outputs: ['y'], nodes: [{ op: 'Reshape', inputs: ['x', 's'], outputs: ['y'] }], initializers: { s: ints([2, 60]) } };
  const bytes = onnxModel(spec);
  await assertAgreesWithOrt(await loadModel(bytes), bytes, [[2, 3, 4, 5]], 'Reshape [2, 60]');
});

test('Transpose of a tensor: every order of an image\'s axes, and of [N, A, B]', async () => {
  const perms = [[0, 1, 2, 3], [0, 1, 3, 2], [0, 2, 1, 3], [0, 2, 3, 1], [0, 3, 1, 2], [0, 3, 2, 1]];
  for (const perm of perms) {
    // (The first order leaves the input as it is: a model needs a layer between input and output.)
    if (perm !== perms[0]) await agrees(`Transpose ${perm}`, [2, 3, 4], [{ op: 'Transpose', inputs: ['x'], outputs: ['y'], attributes: { perm } }]);
    await agrees(`Transpose ${perm}, flattened`, [2, 3, 4], [
      { op: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm } }, { op: 'Flatten', inputs: ['t'], outputs: ['y'] }]);
  }
  await agrees('Transpose [0, 2, 1]', [3, 5], [{ op: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm: [0, 2, 1] } },
    { op: 'Flatten', inputs: ['t'], outputs: ['y'] }]);
});

test('Dropout (ratio as an input and as an attribute) and Identity pass values on at inference', async () => {
  await agrees('Dropout opset 13', [5], [{ op: 'Dropout', inputs: ['x', 'r'], outputs: ['y'] }], { r: { dims: [], data: Float32Array.of(0.3) } });
  const model = await agrees('Dropout opset 11', [5], [{ op: 'Dropout', inputs: ['x'], outputs: ['y'], attributes: { ratio: 0.25 } }], {}, { opset: 11 });
  assert.is(model.layers[1].getConfig().rate, 0.25);
  await agrees('Identity', [5], [{ op: 'Identity', inputs: ['x'], outputs: ['i'] }, { op: 'Relu', inputs: ['i'], outputs: ['y'] }]);
});

test('constants evaluated at load time: Constant, Cast, Slice, Transpose, ConstantOfShape, Concat, arithmetic on shapes', async () => {
  // A Pad whose pads are computed as torch's F.pad writes them at opset 13.
  await agrees('computed pads', [2, 5, 6], [
    { op: 'Constant', inputs: [], outputs: ['four'], attributes: { value: { tensor: { dims: [1], data: [4] } } } },
    { op: 'ConstantOfShape', inputs: ['four'], outputs: ['zeros'], attributes: { value: { tensor: { dims: [1], data: [0] } } } },
    { op: 'Concat', inputs: ['given', 'zeros'], outputs: ['all'], attributes: { axis: 0 } },
    { op: 'Reshape', inputs: ['all', 'shape'], outputs: ['pairs'] },
    { op: 'Slice', inputs: ['pairs', 'start', 'end', 'axis', 'step'], outputs: ['reversed'] },
    { op: 'Transpose', inputs: ['reversed'], outputs: ['t'], attributes: { perm: [1, 0] } },
    { op: 'Reshape', inputs: ['t', 'flat'], outputs: ['flatPads'] },
    { op: 'Cast', inputs: ['flatPads'], outputs: ['pads'], attributes: { to: 7 } },
    { op: 'Pad', inputs: ['x', 'pads'], outputs: ['p'] },
    { op: 'Conv', inputs: ['p', 'w'], outputs: ['y'] },
  ], {
    given: ints([1, 2, 0, 1]), shape: ints([-1, 2]), start: ints([-1]), end: ints([-1e9]), axis: ints([0]), step: ints([-1]),
    flat: ints([-1]), w: weight([3, 2, 2, 2]),
  });
  await agrees('constant arithmetic', [4], [
    { op: 'Mul', inputs: ['a', 'b'], outputs: ['ab'] }, { op: 'Sub', inputs: ['ab', 'a'], outputs: ['c'] },
    { op: 'Div', inputs: ['c', 'b'], outputs: ['d'] }, { op: 'Add', inputs: ['x', 'd'], outputs: ['y'] },
  ], { a: weight([4]), b: { dims: [1], data: Float32Array.of(2.5) } });
  await agrees('Gather of a constant, Unsqueeze', [6], [
    { op: 'Gather', inputs: ['table', 'i'], outputs: ['row'], attributes: { axis: 0 } },
    { op: 'Unsqueeze', inputs: ['row', 'axes'], outputs: ['row1'] }, { op: 'Add', inputs: ['x', 'row1'], outputs: ['y'] },
  ], { table: weight([3, 6]), i: { dims: [], data: [-2] }, axes: ints([0]) });
});

test('initializers as float_data, float16 (raw and int32_data, behind a Cast), double, and INT32 shapes', async () => {
  const data = Float32Array.from(rng.array(24), (v) => Math.round(v * 64) / 64); // exact in float16
  await agrees('float_data', [3, 4, 4], [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'] }], { w: { dims: [2, 3, 2, 2], data, typedField: true } });
  await agrees('double', [3, 4, 4], [{ op: 'Cast', inputs: ['w64'], outputs: ['w'], attributes: { to: 1 } }, { op: 'Conv', inputs: ['x', 'w'], outputs: ['y'] }],
    { w64: { dims: [2, 3, 2, 2], data, type: 'double' } });
  for (const typedField of [false, true]) {
    await agrees(`float16${typedField ? ' in int32_data' : ''}`, [3, 4, 4], [
      { op: 'Cast', inputs: ['w16'], outputs: ['w'], attributes: { to: 1 } }, { op: 'Conv', inputs: ['x', 'w'], outputs: ['y'] },
    ], { w16: { dims: [2, 3, 2, 2], data, type: 'float16', typedField } });
  }
  await agrees('INT32 target of a Reshape, through a Cast', [3, 4, 5], [
    { op: 'Cast', inputs: ['s32'], outputs: ['s'], attributes: { to: 7 } }, { op: 'Reshape', inputs: ['x', 's'], outputs: ['y'] },
  ], { s32: { dims: [2], data: [0, -1], type: 'int32' } });
});

test('two inputs and two outputs; inputLayout NCHW takes and gives PyTorch-shaped tensors', async () => {
  const spec: ModelSpec = {
    inputs: [{ name: 'a', dims: ['N', 2, 4, 3] }, { name: 'b', dims: ['N', 2, 4, 3] }], outputs: ['sum', 'flat'],
    nodes: [
      { op: 'Conv', inputs: ['a', 'w'], outputs: ['c'], attributes: { pads: [1, 1, 1, 1] } },
      { op: 'Add', inputs: ['c', 'b'], outputs: ['sum'] }, { op: 'Flatten', inputs: ['sum'], outputs: ['flat'] },
    ],
    initializers: { w: weight([2, 2, 3, 3]) },
  };
  const bytes = onnxModel(spec);
  await assertAgreesWithOrt(await loadModel(bytes), bytes, [[2, 2, 4, 3], [2, 2, 4, 3]], 'NHWC');
  const nchw = await loadModel(bytes, { inputLayout: 'NCHW' });
  assert.equal(nchw.inputShapes, [[2, 4, 3], [2, 4, 3]]);
  assert.equal(nchw.outputShapes, [[2, 4, 3], [24]]);
  const inputs = [0, 1].map(() => ({ values: rng.array(48), dims: [2, 2, 4, 3] }));
  const expected = await runOrt(bytes, inputs);
  const outputs = nchw.predictOutputs(inputs.map((i) => tensor(i.values, i.dims)));
  expected.forEach((e, k) => assertClose(outputs[k].dataSync(), e.values, 1e-4, `NCHW output ${k}`));
});

test.run();
