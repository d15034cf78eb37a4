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

test('Conv: group = channels as a depthwise convolution (depthMultiplier 1 and 2), other groups, dilations', async () => {
  const classes = (m: { layers: Array<{ getConfig(): { className: string } }> }) => m.layers.map((l) => l.getConfig().className);
  const depthwise = await agrees('depthwise', [6, 7, 8], [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { group: 6, pads: [1, 1, 1, 1], strides: [2, 1] } }],
    { w: weight([6, 1, 3, 3]), b: weight([6]) });
  assert.equal(classes(depthwise), ['InputLayer', 'DepthwiseConv2D']);
  const multiplied = await agrees('depthwise ×2', [3, 7, 6], [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes: { group: 3, kernel_shape: [3, 2] } }],
    { w: weight([6, 1, 3, 2]) });
  assert.is(multiplied.layers[1].getConfig().depthMultiplier, 2);
  const grouped = await agrees('group 2 of 6 channels', [6, 5, 5], [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { group: 2, pads: [1, 0, 1, 2] } }],
    { w: weight([4, 3, 3, 3]), b: weight([4]) });
  assert.equal(classes(grouped), ['InputLayer', 'Conv2D']);
  await agrees('dilated, padded', [3, 9, 8], [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes: { dilations: [2, 3], pads: [2, 1, 0, 3] } }], { w: weight([4, 3, 3, 2]) });
  await agrees('dilated depthwise', [4, 9, 8], [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes: { dilations: [2, 1], group: 4, pads: [2, 1, 2, 1] } }], { w: weight([4, 1, 3, 3]) });
});

test('ConvTranspose: strides, pads, output_padding, groups, with and without bias, its activation fused', async () => {
  await agrees('PyTorch\'s stride 2, padding 1, output_padding 1', [4, 5, 4], [{ op: 'ConvTranspose', inputs: ['x', 'w', 'b'], outputs: ['y'],
    attributes: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] } }], { w: weight([4, 6, 3, 3]), b: weight([6]) });
  await agrees('uneven pads and strides, a non-square kernel', [3, 4, 5], [{ op: 'ConvTranspose', inputs: ['x', 'w'], outputs: ['y'],
    attributes: { strides: [3, 2], pads: [0, 2, 1, 1], output_padding: [1, 0], kernel_shape: [2, 3] } }], { w: weight([3, 2, 2, 3]) });
  await agrees('group 2', [4, 3, 3], [{ op: 'ConvTranspose', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { group: 2, strides: [2, 2] } }],
    { w: weight([4, 3, 3, 3]), b: weight([6]) });
  const fused = await agrees('→ Relu', [2, 4, 4], [{ op: 'ConvTranspose', inputs: ['x', 'w'], outputs: ['c'], attributes: { strides: [2, 2] } },
    { op: 'Relu', inputs: ['c'], outputs: ['y'] }], { w: weight([2, 3, 2, 2]) });
  assert.equal(fused.layers.map((l) => l.getConfig().activation), [undefined, 'relu']);
});

test('weights reordered from odd, non-square shapes: kernels, groups, depthwise multipliers, Gemm\'s transpose, per-element slopes', async () => {
  // Every axis of every weight a different odd size, so that a reorder mixing any two up reads the wrong values.
  await agrees('Conv 5 → 7, 3×5', [5, 9, 11], [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'] }], { w: weight([7, 5, 3, 5]), b: weight([7]) });
  await agrees('Conv, 3 groups of 3 → 5, 5×3', [9, 7, 5], [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes: { group: 3 } }], { w: weight([15, 3, 5, 3]) });
  await agrees('depthwise ×3, 1×3', [5, 7, 9], [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes: { group: 5 } }], { w: weight([15, 1, 1, 3]) });
  await agrees('ConvTranspose, 3 groups of 3 → 5, 3×1', [9, 5, 7], [{ op: 'ConvTranspose', inputs: ['x', 'w'], outputs: ['y'], attributes: { group: 3, strides: [2, 1] } }],
    { w: weight([9, 5, 3, 1]) });
  await agrees('Gemm transB, 13 → 7', [13], [{ op: 'Gemm', inputs: ['x', 'b'], outputs: ['y'], attributes: { transB: 1 } }], { b: weight([7, 13]) });
  await agrees('PRelu per element of [3, 5, 7]', [3, 5, 7], [{ op: 'PRelu', inputs: ['x', 's'], outputs: ['y'] }], { s: weight([3, 5, 7]) });
});

test('Resize and Upsample as UpSampling2D: nearest (every mode that repeats pixels), linear with half-pixel centres; scales and sizes', async () => {
  const f = (values: number[]): Initializer => ({ dims: [values.length], data: Float32Array.from(values) });
  const resize = (what: string, attributes: NodeSpec['attributes'], inputs: Record<string, Initializer>, opset = 13) =>
    agrees(what, [3, 4, 5], [{ op: 'Resize', inputs: ['x', ...Object.keys(inputs).map((k) => (k.startsWith('none') ? '' : k))], outputs: ['y'], attributes }],
      Object.fromEntries(Object.entries(inputs).filter(([k]) => !k.startsWith('none'))), { opset });
  await resize('nearest asymmetric floor ×2×3 (PyTorch)', { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
    { none: f([]), scales: f([1, 1, 2, 3]) });
  await resize('nearest half_pixel round_prefer_floor ×3×2', { mode: 'nearest' }, { none: f([]), scales: f([1, 1, 3, 2]) });
  await resize('nearest asymmetric round_prefer_floor ×2', { mode: 'nearest', coordinate_transformation_mode: 'asymmetric' }, { none: f([]), scales: f([1, 1, 2, 2]) });
  await resize('linear half_pixel ×2×3', { mode: 'linear' }, { none: f([]), scales: f([1, 1, 2, 3]) });
  await resize('linear pytorch_half_pixel by sizes', { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' },
    { none: f([]), none2: f([]), sizes: ints([3, 3, 8, 15]) });
  await resize('opset 11, roi and scales', { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }, { roi: f([]), scales: f([1, 1, 2, 2]) }, 11);
  await resize('opset 10, nearest ×3', { mode: 'nearest' }, { scales: f([1, 1, 3, 3]) }, 10);
  await agrees('Upsample, opset 9', [3, 4, 5], [{ op: 'Upsample', inputs: ['x', 's'], outputs: ['y'], attributes: { mode: 'nearest' } }], { s: f([1, 1, 3, 2]) }, { opset: 9 });
});

test('Resize and Upsample to any size as Resizing: linear in every coordinate mode, nearest as PyTorch and Keras round, up and down', async () => {
  const f = (values: number[]): Initializer => ({ dims: [values.length], data: Float32Array.from(values) });
  const resize = async (what: string, attributes: NodeSpec['attributes'], inputs: Record<string, Initializer>, opset = 13) => {
    const model = await agrees(what, [3, 4, 5], [{ op: 'Resize', inputs: ['x', ...Object.keys(inputs).map((k) => (k.startsWith('none') ? '' : k))], outputs: ['y'], attributes }],
      Object.fromEntries(Object.entries(inputs).filter(([k]) => !k.startsWith('none'))), { opset });
    assert.equal(model.layers.map((l) => l.getConfig().className), ['InputLayer', 'Resizing'], what);
  };
  const sizes = (h: number, w: number) => ({ none: f([]), none2: f([]), sizes: ints([3, 3, h, w]) });
  for (const coordinate_transformation_mode of ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric']) {
    await resize(`linear ${coordinate_transformation_mode} to 9×7`, { mode: 'linear', coordinate_transformation_mode }, sizes(9, 7));
    await resize(`linear ${coordinate_transformation_mode} to 3×1`, { mode: 'linear', coordinate_transformation_mode }, sizes(3, 1));
  }
  await resize('linear align_corners ×2 (whole, but no UpSampling2D)', { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, { none: f([]), scales: f([1, 1, 2, 2]) });
  await resize('nearest asymmetric floor to 11×7 (PyTorch)', { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, sizes(11, 7));
  await resize('nearest asymmetric floor to 3×2 (PyTorch)', { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, sizes(3, 2));
  await resize('nearest half_pixel round_prefer_ceil to 7×13 (Keras)', { mode: 'nearest', nearest_mode: 'round_prefer_ceil' }, sizes(7, 13));
  await resize('nearest align_corners round_prefer_ceil to 5×3', { mode: 'nearest', coordinate_transformation_mode: 'align_corners', nearest_mode: 'round_prefer_ceil' }, sizes(5, 3));
  await resize('scales 1.5×0.4 (whole sizes)', { mode: 'linear' }, { none: f([]), scales: f([1, 1, 1.5, 0.4]) });
  await resize('opset 10, nearest ×1.5×2.4', { mode: 'nearest' }, { scales: f([1, 1, 1.5, 2.4]) }, 10);
  const model = await agrees('Upsample, opset 9, linear ×1.5', [3, 4, 5], [{ op: 'Upsample', inputs: ['x', 's'], outputs: ['y'], attributes: { mode: 'linear' } }],
    { s: f([1, 1, 1.5, 2]) }, { opset: 9 });
  // Coordinates mapped by the node's scales, as ONNX maps them; the cubic settings are the layer's defaults, unused.
  assert.equal(model.layers.at(-1)!.getConfig(), { className: 'Resizing', name: model.layers.at(-1)!.name, height: 6, width: 10, interpolation: 'bilinear',
    coordinates: 'asymmetric', scales: [1.5, 2], cubicCoefficient: -0.5, cubicExcludeOutside: true, cubicTable: true });
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

test('Pad reflect and edge (PyTorch\'s ReflectionPad2d, ReplicationPad2d) as a BorderPadding2D: opsets 9 to 18, uneven sides, an output or a Conv\'s input', async () => {
  const w = weight([2, 3, 3, 2]);
  const padded = (opset: number, mode: string, pads: number[]): NodeSpec => (opset >= 11
    ? { op: 'Pad', inputs: ['x', 'pads'], outputs: ['p'], attributes: { mode } } : { op: 'Pad', inputs: ['x'], outputs: ['p'], attributes: { mode, pads } });
  for (const opset of [9, 11, 13, 18]) {
    // Reflect reaches at most size − 1 rows or columns (5×7 here); edge repeats its pixel any distance.
    for (const [mode, pads] of [['reflect', [0, 0, 2, 1, 0, 0, 4, 6]], ['edge', [0, 0, 6, 0, 0, 0, 1, 9]], ['reflect', [0, 0, 0, 3, 0, 0, 1, 0]]] as const) {
      const what = `${mode} ${JSON.stringify(pads)}, opset ${opset}`;
      const model = await agrees(`Pad ${what}`, [3, 5, 7], [{ ...padded(opset, mode, [...pads]), outputs: ['y'] }], { pads: ints([...pads]) }, { opset });
      assert.equal(model.layers.map((l) => l.getConfig().className), ['InputLayer', 'BorderPadding2D'], what);
      await agrees(`Pad ${what} → Conv → Relu`, [3, 5, 7], [padded(opset, mode, [...pads]), { op: 'Conv', inputs: ['p', 'w'], outputs: ['c'], attributes: { strides: [2, 1] } },
        { op: 'Relu', inputs: ['c'], outputs: ['y'] }], { w, pads: ints([...pads]) }, { opset });
    }
  }
  // Opset 18: pads for the listed axes only.
  await agrees('Pad reflect, axes [3, 2]', [3, 5, 7], [{ op: 'Pad', inputs: ['x', 'pads', '', 'axes'], outputs: ['y'], attributes: { mode: 'reflect' } }],
    { pads: ints([2, 1, 3, 4]), axes: ints([3, 2]) }, { opset: 18 });
});

test('Gemm: transB, alpha and beta, C per unit, [1, units] or one number, or none; MatMul by a constant', async () => {
  await agrees('Gemm transB', [6], [{ op: 'Gemm', inputs: ['x', 'b', 'c'], outputs: ['y'], attributes: { transB: 1, alpha: 0.5, beta: { float: 2 } } }],
    { b: weight([4, 6]), c: weight([4]) });
  await agrees('Gemm C [1, 4]', [6], [{ op: 'Gemm', inputs: ['x', 'b', 'c'], outputs: ['y'] }], { b: weight([6, 4]), c: weight([1, 4]) });
  await agrees('Gemm C scalar', [6], [{ op: 'Gemm', inputs: ['x', 'b', 'c'], outputs: ['y'] }], { b: weight([6, 4]), c: weight([]) });
  await agrees('Gemm without C', [6], [{ op: 'Gemm', inputs: ['x', 'b'], outputs: ['y'], attributes: { transB: 1 } }], { b: weight([3, 6]) });
  await agrees('MatMul', [6], [{ op: 'MatMul', inputs: ['x', 'b'], outputs: ['y'] }], { b: weight([6, 5]) });
});

test('DepthToSpace in modes CRD (PyTorch\'s PixelShuffle) and DCR (TensorFlow\'s), and SpaceToDepth, by blocks of 2 and 3: Reshape and Permute layers', async () => {
  for (const [channels, r] of [[3, 2], [2, 3], [1, 3], [5, 2]]) {
    for (const mode of ['CRD', 'DCR']) {
      await agrees(`DepthToSpace ${mode} of ${channels} channels by ${r}`, [channels * r * r, 4, 5],
        [{ op: 'DepthToSpace', inputs: ['x'], outputs: ['y'], attributes: { blocksize: r, mode } }]);
    }
    await agrees(`SpaceToDepth of ${channels} channels by ${r}`, [channels, 2 * r, 3 * r], [{ op: 'SpaceToDepth', inputs: ['x'], outputs: ['y'], attributes: { blocksize: r } }]);
  }
  // DCR is ONNX's default mode; PixelShuffle after a convolution, then a convolution of its output.
  await agrees('DepthToSpace, mode by default', [8, 3, 2], [{ op: 'DepthToSpace', inputs: ['x'], outputs: ['y'], attributes: { blocksize: 2 } }]);
  const between = await agrees('Conv → DepthToSpace CRD → Conv', [3, 4, 5], [
    { op: 'Conv', inputs: ['x', 'w1'], outputs: ['c'], attributes: { pads: [1, 1, 1, 1] } },
    { op: 'DepthToSpace', inputs: ['c'], outputs: ['s'], attributes: { blocksize: 2, mode: 'CRD' } },
    { op: 'Conv', inputs: ['s', 'w2'], outputs: ['y'] },
  ], { w1: weight([12, 3, 3, 3]), w2: weight([2, 3, 3, 3]) });
  assert.equal(between.layers.map((l) => l.getConfig().className), ['InputLayer', 'Conv2D', 'Reshape', 'Permute', 'Reshape', 'Permute', 'Reshape', 'Conv2D']);
});

test('MatMul of a sequence [N, T, F] by a constant (nn.Linear on a sequence): a Dense that takes in the Add of its bias, on either side, and the activation after it', async () => {
  const classes = (m: { layers: Array<{ getConfig(): { className: string } }> }) => m.layers.map((l) => l.getConfig().className);
  const plain = await agrees('MatMul [N, 4, 6] × [6, 5]', [4, 6], [{ op: 'MatMul', inputs: ['x', 'b'], outputs: ['y'] }], { b: weight([6, 5]) });
  assert.equal(classes(plain), ['InputLayer', 'Dense']);
  const linear = await agrees('MatMul, Add of the bias, Relu, MatMul, bias first', [4, 6], [
    { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['m1'] }, { op: 'Add', inputs: ['m1', 'b1'], outputs: ['h'] }, { op: 'Relu', inputs: ['h'], outputs: ['r'] },
    { op: 'MatMul', inputs: ['r', 'w2'], outputs: ['m2'] }, { op: 'Add', inputs: ['b2', 'm2'], outputs: ['y'] },
  ], { w1: weight([6, 5]), b1: weight([5]), w2: weight([5, 3]), b2: weight([1, 1, 3]) });
  assert.equal(classes(linear), ['InputLayer', 'Dense', 'Dense']);
  assert.equal(linear.layers.map((l) => l.getConfig().useBias), [undefined, true, true]);
  assert.equal(linear.layers.map((l) => l.getConfig().activation), [undefined, 'relu', 'linear'], 'the Relu after the bias Add fused into the first Dense');
  // On features [N, F] as on sequences, through a chain of two bias Adds, and x·σ(x) (PyTorch's SiLU) as swish.
  const activations = (m: { layers: Array<{ getConfig(): { className: string; activation?: string } }> }) => m.layers.map((l) => l.getConfig().activation ?? l.getConfig().className);
  for (const dims of [[6], [4, 6]]) {
    const sigmoid = await agrees(`MatMul ${JSON.stringify(dims)}, two Adds, Sigmoid`, dims, [
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'] }, { op: 'Add', inputs: ['m', 'b'], outputs: ['h'] },
      { op: 'Add', inputs: ['h', 'c'], outputs: ['k'] }, { op: 'Sigmoid', inputs: ['k'], outputs: ['y'] },
    ], { w: weight([6, 5]), b: weight([5]), c: weight([]) });
    assert.equal(activations(sigmoid), ['InputLayer', 'sigmoid']);
    const silu = await agrees(`MatMul ${JSON.stringify(dims)}, Add, x·σ(x)`, dims, [
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'] }, { op: 'Add', inputs: ['b', 'm'], outputs: ['h'] },
      { op: 'Sigmoid', inputs: ['h'], outputs: ['s'] }, { op: 'Mul', inputs: ['h', 's'], outputs: ['y'] },
    ], { w: weight([6, 5]), b: weight([5]) });
    assert.equal(activations(silu), ['InputLayer', 'swish']);
  }
  // The biased product is also a graph output: the activation stays a layer of its own.
  const both = await agrees('MatMul, Add, Relu, both outputs', [4, 6], [
    { op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'] }, { op: 'Add', inputs: ['m', 'b'], outputs: ['h'] }, { op: 'Relu', inputs: ['h'], outputs: ['y'] },
  ], { w: weight([6, 5]), b: weight([5]) }, { outputs: ['h', 'y'] });
  assert.equal(classes(both), ['InputLayer', 'Dense', 'Activation']);
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

test('GELU as PyTorch exports nn.GELU, (x·(1 + erf(x/√2)))·½, on images and features; x/√2 alone stays a rescaling', async () => {
  const gelu = (first: 'Div' | 'Mul'): NodeSpec[] => [
    { op: first, inputs: ['x', 'c'], outputs: ['s'] }, { op: 'Erf', inputs: ['s'], outputs: ['e'] },
    { op: 'Add', inputs: ['e', 'one'], outputs: ['a'] }, { op: 'Mul', inputs: ['x', 'a'], outputs: ['m'] },
    { op: 'Mul', inputs: ['m', 'half'], outputs: ['y'] },
  ];
  const constants = (c: number) => ({ c: { dims: [], data: Float32Array.of(c) }, one: { dims: [], data: Float32Array.of(1) }, half: { dims: [], data: Float32Array.of(0.5) } });
  for (const dims of [[3, 4, 5], [7]]) {
    const model = await agrees(`GELU ${JSON.stringify(dims)}`, dims, gelu('Div'), constants(Math.SQRT2));
    assert.ok(model.layers.some((l) => l.getConfig().activation === 'gelu'), 'read as one GELU activation');
    await agrees(`GELU by 1/√2 ${JSON.stringify(dims)}`, dims, gelu('Mul'), constants(Math.SQRT1_2));
  }
  // x/√2 read by something else than Erf is a plain rescaling.
  const model = await agrees('x/√2 then Relu', [6], [{ op: 'Div', inputs: ['x', 'c'], outputs: ['s'] }, { op: 'Relu', inputs: ['s'], outputs: ['y'] }], { c: { dims: [], data: Float32Array.of(Math.SQRT2) } });
  assert.ok(model.layers.some((l) => l.className === 'Rescaling'));
});

test('ReduceMean and ReduceMax over height and width (x.mean([2, 3])): kept dims or not, axes as an attribute (opset 13) or an input (opset 18), noop_with_empty_axes', async () => {
  const dims = [5, 6, 7];
  for (const op of ['ReduceMean', 'ReduceMax']) {
    for (const [axes, keepdims] of [[[2, 3], 1], [[-1, -2], 0], [[3, 2], undefined]] as const) {
      const attributes = { axes: [...axes], ...(keepdims === undefined ? {} : { keepdims }) };
      await agrees(`${op} ${JSON.stringify(attributes)}`, dims, [{ op, inputs: ['x'], outputs: ['y'], attributes }]);
    }
    await agrees(`${op} opset 18, axes as an input, no kept dims`, dims, [{ op, inputs: ['x', 'axes'], outputs: ['y'], attributes: { keepdims: 0 } }],
      { axes: ints([2, 3]) }, { opset: 18 });
    // Opset 18's noop_with_empty_axes changes only a node with no axes: spelt out, it is read.
    for (const noop of [0, 1]) {
      await agrees(`${op} opset 18, noop_with_empty_axes ${noop}, axes listed`, dims, [{ op, inputs: ['x', 'axes'], outputs: ['y'], attributes: { noop_with_empty_axes: noop } }],
        { axes: ints([2, 3]) }, { opset: 18 });
    }
    await agrees(`${op} opset 18, noop_with_empty_axes 1 and no axes: the input passed on`, dims, [
      { op, inputs: ['x'], outputs: ['r'], attributes: { noop_with_empty_axes: 1 } }, { op: 'Relu', inputs: ['r'], outputs: ['y'] }], {}, { opset: 18 });
    // keepdims written beside it, as PyTorch always writes it: read, and of no effect on a node that reduces nothing.
    for (const keepdims of [0, 1]) {
      await agrees(`${op} opset 18, noop_with_empty_axes 1, keepdims ${keepdims} and no axes`, dims, [
        { op, inputs: ['x'], outputs: ['r'], attributes: { noop_with_empty_axes: 1, keepdims } }, { op: 'Relu', inputs: ['r'], outputs: ['y'] }], {}, { opset: 18 });
    }
  }
  // The global mean feeding a classifier, as torchvision's MNASNet and ConvNeXt end.
  await agrees('mean then Gemm', dims, [
    { op: 'ReduceMean', inputs: ['x'], outputs: ['m'], attributes: { axes: [2, 3], keepdims: 0 } },
    { op: 'Gemm', inputs: ['m', 'w', 'b'], outputs: ['y'], attributes: { transB: 1 } },
  ], { w: weight([4, 5]), b: weight([4]) });
});

test('Relu, Sigmoid, Tanh on images and features; Softmax over the channels (opset 13) and features (opset 11); Clip from 0', async () => {
  for (const op of ['Relu', 'Sigmoid', 'Tanh']) {
    await agrees(`${op} image`, [3, 4, 5], [{ op, inputs: ['x'], outputs: ['y'] }]);
    await agrees(`${op} features`, [7], [{ op, inputs: ['x'], outputs: ['y'] }]);
  }
  await agrees('Softmax axis 1 of an image', [4, 3, 5], [{ op: 'Softmax', inputs: ['x'], outputs: ['y'], attributes: { axis: 1 } }]);
  await agrees('Softmax of features, opset 11', [6], [{ op: 'Softmax', inputs: ['x'], outputs: ['y'] }], {}, { opset: 11 });
  // Before opset 13 PyTorch writes softmax(dim=1) of an image as Transpose(0, 3, 2, 1), Softmax over
  // the last axis, Transpose back: one Softmax over the channels, no Permute. Over ConvNeXt's
  // channels-last order too; and read channels-last by anything else, each order is moved as it is.
  const classes = (m: { layers: Array<{ getConfig(): { className: string } }> }) => m.layers.map((l) => l.getConfig().className);
  for (const [perm, opset] of [[[0, 3, 2, 1], 11], [[0, 3, 2, 1], 9], [[0, 2, 3, 1], 13], [[0, 2, 3, 1], 11]] as const) {
    const around = await agrees(`Transpose ${perm} → Softmax → back, opset ${opset}`, [4, 3, 5], [
      { op: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm: [...perm] } },
      { op: 'Softmax', inputs: ['t'], outputs: ['s'], attributes: { axis: 3 } },
      { op: 'Transpose', inputs: ['s'], outputs: ['y'], attributes: { perm: perm[1] === 3 ? [0, 3, 2, 1] : [0, 3, 1, 2] } },
    ], {}, { opset });
    assert.equal(classes(around), ['InputLayer', 'Activation'], `${perm}, opset ${opset}`);
    await agrees(`Transpose ${perm} → Softmax → Relu, flattened and as an output, then a Linear on each pixel`, [4, 3, 5], [
      { op: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm: [...perm] } },
      { op: 'Softmax', inputs: ['t'], outputs: ['s'], attributes: { axis: -1 } }, { op: 'Relu', inputs: ['s'], outputs: ['r'] },
      { op: 'Flatten', inputs: ['r'], outputs: ['f'] }, { op: 'MatMul', inputs: ['r', 'w'], outputs: ['m'] },
    ], { w: weight([4, 2]) }, { opset: 13, outputs: ['f', 'r', 'm'] });
  }
  await agrees('Clip [0, ∞) from inputs', [6], [{ op: 'Clip', inputs: ['x', 'low'], outputs: ['y'] }], { low: { dims: [], data: Float32Array.of(0) } }, { opset: 11 });
  await agrees('Clip [0, ∞) from attributes', [6], [{ op: 'Clip', inputs: ['x'], outputs: ['y'], attributes: { min: { float: 0 } } }], {}, { opset: 9 });
});

test('LogSoftmax over features and an image\'s channels at opsets 9 to 17, fused into a Gemm or a Conv, around Transposes before opset 13', async () => {
  const classes = (m: { layers: Array<{ getConfig(): { className: string; activation?: string } }> }) => m.layers.map((l) => l.getConfig().activation ?? l.getConfig().className);
  // Before opset 13 the axis defaults to 1 and covers every axis after it: all of a [N, F] tensor's features.
  for (const opset of [9, 11, 13, 17]) {
    await agrees(`LogSoftmax of 7 features, default axis, opset ${opset}`, [7], [{ op: 'LogSoftmax', inputs: ['x'], outputs: ['y'] }], {}, { opset, batch: 5 });
    // The PyTorch MNIST example's head: Linear, then F.log_softmax(x, dim=1).
    const head = await agrees(`Gemm → LogSoftmax axis 1, opset ${opset}`, [9], [
      { op: 'Gemm', inputs: ['x', 'g', 'c'], outputs: ['z'], attributes: { transB: 1 } }, { op: 'LogSoftmax', inputs: ['z'], outputs: ['y'], attributes: { axis: 1 } },
    ], { g: weight([5, 9]), c: weight([5]) }, { opset });
    assert.equal(classes(head), ['InputLayer', 'logSoftmax'], `opset ${opset}: fused into the dense layer`);
  }
  for (const opset of [13, 17]) {
    await agrees(`LogSoftmax axis 1 of an image, opset ${opset}`, [5, 3, 7], [{ op: 'LogSoftmax', inputs: ['x'], outputs: ['y'], attributes: { axis: 1 } }], {}, { opset });
    await agrees(`LogSoftmax axis −1 of [N, 3, 5] (a sequence's features), opset ${opset}`, [3, 5], [{ op: 'LogSoftmax', inputs: ['x'], outputs: ['y'] }], {}, { opset });
    const conv = await agrees(`Conv → LogSoftmax over the channels, opset ${opset}`, [3, 5, 7], [
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] }, { op: 'LogSoftmax', inputs: ['c'], outputs: ['y'], attributes: { axis: 1 } },
    ], { w: weight([6, 3, 2, 3]) }, { opset });
    assert.equal(classes(conv), ['InputLayer', 'logSoftmax']);
  }
  // Before opset 13 PyTorch writes log_softmax(dim=1) of an image as Transpose, LogSoftmax over the last axis, Transpose back.
  for (const opset of [9, 11]) {
    const around = await agrees(`Transpose → LogSoftmax → back, opset ${opset}`, [4, 3, 5], [
      { op: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm: [0, 3, 2, 1] } },
      { op: 'LogSoftmax', inputs: ['t'], outputs: ['s'], attributes: { axis: 3 } },
      { op: 'Transpose', inputs: ['s'], outputs: ['y'], attributes: { perm: [0, 3, 2, 1] } },
    ], {}, { opset });
    assert.equal(classes(around), ['InputLayer', 'logSoftmax']);
    // An image of one pixel: over axes 1 to 3 together is over its channels alone.
    await agrees(`LogSoftmax axis 1 of [N, 6, 1, 1], opset ${opset}`, [6, 1, 1], [{ op: 'LogSoftmax', inputs: ['x'], outputs: ['y'], attributes: { axis: 1 } }], {}, { opset });
  }
  // Logits far apart: no probability rounds to 0 before its logarithm.
  const far = Float32Array.from(rng.array(7 * 4), (v) => 60 * v);
  await agrees('Gemm → LogSoftmax, logits ±100s apart', [7], [{ op: 'Gemm', inputs: ['x', 'g'], outputs: ['z'] }, { op: 'LogSoftmax', inputs: ['z'], outputs: ['y'] }],
    { g: { dims: [7, 4], data: far } }, { opset: 13 });
});

test('LeakyRelu, PRelu (one slope, per channel, per element), Elu, Selu, Softplus, Softsign, HardSigmoid (Keras\'s and PyTorch\'s), HardSwish, Clip to [0, max]', async () => {
  const one = (op: string, dims: number[], extra: Partial<NodeSpec> = {}, initializers: Record<string, Initializer> = {}, opset = 13) =>
    agrees(`${op} ${JSON.stringify(extra)} ${JSON.stringify(dims)}`, dims, [{ op, inputs: ['x'], outputs: ['y'], ...extra }], initializers, { opset });
  for (const dims of [[3, 4, 5], [7]]) {
    await one('LeakyRelu', dims);
    await one('LeakyRelu', dims, { attributes: { alpha: { float: 0.3 } } });
    await one('Elu', dims);
    await one('Elu', dims, { attributes: { alpha: { float: 0.5 } } });
    for (const op of ['Selu', 'Softplus', 'Softsign', 'HardSigmoid']) await one(op, dims);
    await one('HardSigmoid', dims, { attributes: { alpha: { float: 1 / 6 }, beta: { float: 0.5 } } });
    await one('HardSigmoid', dims, { attributes: { alpha: { float: 0.3 }, beta: { float: 0.4 } } });
    await one('HardSwish', dims, {}, {}, 14);
    await one('Clip', dims, { inputs: ['x', 'low', 'high'] }, { low: { dims: [], data: Float32Array.of(0) }, high: { dims: [], data: Float32Array.of(6) } });
    await one('Clip', dims, { inputs: ['x', 'low', 'high'] }, { low: { dims: [], data: Float32Array.of(0) }, high: { dims: [], data: Float32Array.of(0.5) } });
    await one('PRelu', dims, { inputs: ['x', 's'] }, { s: weight([1]) });
    await one('PRelu', dims, { inputs: ['x', 's'] }, { s: weight(dims) });
  }
  await one('PRelu', [3, 4, 5], { inputs: ['x', 's'] }, { s: weight([3, 1, 1]) });
  await one('PRelu', [7], { inputs: ['x', 's'] }, { s: weight([7]) });
});

test('x·σ(x) and x·hardσ(x) (PyTorch\'s SiLU and Hardswish at opset 13) are swish and hardSwish; Conv takes them, BatchNormalization and Clip(0, 6) on its way out', async () => {
  const gated = (gate: NodeSpec['op'], attributes: NodeSpec['attributes'] = {}, first: NodeSpec[] = [], from = 'x') => [...first,
    { op: gate, inputs: [from], outputs: ['g'], attributes }, { op: 'Mul', inputs: [from, 'g'], outputs: ['y'] }];
  const swish = await agrees('x·σ(x)', [3, 4, 5], gated('Sigmoid'));
  assert.equal(swish.layers.map((l) => l.getConfig().activation), [undefined, 'swish']);
  const pytorch = { alpha: { float: 1 / 6 }, beta: { float: 0.5 } };
  const hardSwish = await agrees('x·hardσ(x)', [3, 4, 5], gated('HardSigmoid', pytorch));
  assert.equal(hardSwish.layers.map((l) => l.getConfig().activation), [undefined, 'hardSwish']);
  const conv: NodeSpec[] = [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attributes: { pads: [1, 1, 1, 1] } }];
  const convSwish = await agrees('Conv → x·hardσ(x)', [3, 4, 5], gated('HardSigmoid', pytorch, conv, 'c'), { w: weight([4, 3, 3, 3]) });
  assert.equal(convSwish.layers.map((l) => l.getConfig().activation), [undefined, 'hardSwish'], 'hardSwish fused into the convolution');
  const relu6 = await agrees('Conv → Clip(0, 6)', [3, 4, 5], [...conv, { op: 'Clip', inputs: ['c', 'low', 'high'], outputs: ['y'] }],
    { w: weight([4, 3, 3, 3], { data: rng.array(108).map((v) => 20 * v) }), low: { dims: [], data: Float32Array.of(0) }, high: { dims: [], data: Float32Array.of(6) } });
  assert.equal(relu6.layers.map((l) => l.getConfig().activation), [undefined, 'relu6'], 'relu6 fused into the convolution');
  // A Mul of x by a gate that does not read x is an ordinary product of two tensors.
  await agrees('x·σ(relu(x))', [3, 4, 5], [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Sigmoid', inputs: ['r'], outputs: ['g'] }, { op: 'Mul', inputs: ['x', 'g'], outputs: ['y'] }]);
});

test('a Clip from below 0 of a Relu\'s output clips from 0: F.relu6 before opset 11 and clamp(relu(x), max=m), Relu then a Clip with a max alone', async () => {
  const wide = { w: weight([4, 3, 3, 3], { data: rng.array(108).map((v) => 20 * v) }) };
  const relu: NodeSpec[] = [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attributes: { pads: [1, 1, 1, 1] } }, { op: 'Relu', inputs: ['c'], outputs: ['r'] }];
  for (const opset of [9, 10]) {
    await agrees(`Conv → Relu → Clip(max 6), opset ${opset}`, [3, 4, 5], [...relu, { op: 'Clip', inputs: ['r'], outputs: ['y'], attributes: { max: { float: 6 } } }], wide, { opset });
  }
  const bounds = (low: number, high: number) => ({ low: { dims: [], data: Float32Array.of(low) }, high: { dims: [], data: Float32Array.of(high) } });
  await agrees('Conv → Relu → Clip(max 3), max alone as an input', [3, 4, 5], [...relu, { op: 'Clip', inputs: ['r', '', 'high'], outputs: ['y'] }],
    { ...wide, ...bounds(0, 3) });
  await agrees('Relu → Clip(−1, 0.5) of features', [7], [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Clip', inputs: ['r', 'low', 'high'], outputs: ['y'] }],
    bounds(-1, 0.5), { opset: 11 });
});

test('Clip to any constant bounds (torch.clamp, nn.Hardtanh): inputs from opset 11, attributes before, one bound alone; a Clip layer, which a convolution does not take in', async () => {
  const bound = (v: number) => ({ dims: [], data: Float32Array.of(v) });
  const classes = (m: { layers: Array<{ getConfig(): { className: string } }> }) => m.layers.map((l) => l.getConfig().className);
  for (const dims of [[3, 4, 5], [7]]) {
    const hardtanh = await agrees(`Clip [−1, 1] of ${dims}`, dims, [{ op: 'Clip', inputs: ['x', 'low', 'high'], outputs: ['y'] }], { low: bound(-1), high: bound(1) }, { opset: 11 });
    assert.equal(classes(hardtanh), ['InputLayer', 'Clip']);
    await agrees(`Clip min −0.2 alone of ${dims}`, dims, [{ op: 'Clip', inputs: ['x', 'low'], outputs: ['y'] }], { low: bound(-0.2) });
    await agrees(`Clip max 0.3 alone of ${dims}`, dims, [{ op: 'Clip', inputs: ['x', '', 'high'], outputs: ['y'] }], { high: bound(0.3) });
    await agrees(`Clip [0.1, 0.4] of ${dims}`, dims, [{ op: 'Clip', inputs: ['x', 'low', 'high'], outputs: ['y'] }], { low: bound(0.1), high: bound(0.4) });
    const attributeBounds: Array<NodeSpec['attributes']> = [{ min: { float: -0.5 }, max: { float: 0.25 } }, { min: { float: 0.3 } }, { max: { float: -0.1 } }];
    for (const attributes of attributeBounds) {
      await agrees(`Clip ${JSON.stringify(attributes)} of ${dims}, opset 9`, dims, [{ op: 'Clip', inputs: ['x'], outputs: ['y'], attributes }], {}, { opset: 9 });
    }
  }
  const conv = await agrees('Conv → Clip [−1, 2]', [3, 4, 5], [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attributes: { pads: [1, 1, 1, 1] } },
    { op: 'Clip', inputs: ['c', 'low', 'high'], outputs: ['y'] }], { w: weight([4, 3, 3, 3], { data: rng.array(108).map((v) => 4 * v) }), low: bound(-1), high: bound(2) });
  assert.equal(classes(conv), ['InputLayer', 'Conv2D', 'Clip']);
  // The bounds the file gives below a Relu's output: [−2, −1] of relu(x) is −1 everywhere.
  await agrees('Relu → Clip [−2, −1]', [7], [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Clip', inputs: ['r', 'low', 'high'], outputs: ['y'] }],
    { low: bound(-2), high: bound(-1) });
});

test('BatchNormalization in inference mode, of images and features: the moving statistics are ONNX\'s mean and var', async () => {
  const stats = (c: number) => ({ s: weight([c]), b: weight([c]), m: weight([c]), v: weight([c], { data: rng.array(c).map((v) => Math.abs(v) + 0.1) }) });
  const image = await agrees('image', [4, 3, 5], [{ op: 'BatchNormalization', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['y'], attributes: { epsilon: { float: 1e-3 }, momentum: { float: 0.8 } } }], stats(4));
  assert.equal([image.layers[1].getConfig().epsilon, image.layers[1].getConfig().momentum].map((v) => Math.fround(v as number)), [Math.fround(1e-3), Math.fround(0.8)]);
  await agrees('features', [6], [{ op: 'BatchNormalization', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['y'] }], stats(6));
  await agrees('Conv → BatchNormalization → Relu', [3, 6, 5], [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
    { op: 'BatchNormalization', inputs: ['c', 's', 'b', 'm', 'v'], outputs: ['n'] }, { op: 'Relu', inputs: ['n'], outputs: ['y'] }], { w: weight([4, 3, 3, 3]), ...stats(4) });
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

test('a chain of Sub, Div, Mul and Add by constants is one Rescaling; a value the graph also outputs ends it', async () => {
  const c = (values: number[]) => ({ dims: values.length > 1 ? [1, values.length, 1, 1] : [], data: Float32Array.from(values) });
  const chain: NodeSpec[] = [{ op: 'Sub', inputs: ['x', 'mean'], outputs: ['a'] }, { op: 'Div', inputs: ['a', 'std'], outputs: ['b'] },
    { op: 'Mul', inputs: ['k', 'b'], outputs: ['d'] }, { op: 'Add', inputs: ['d', 'shift'], outputs: ['y'] }];
  const constants = { mean: c([0.5, -1, 2]), std: c([0.25, 2, 4]), k: c([3]), shift: c([1, 0, -1]) };
  const one = await agrees('(x − mean) / std · 3 + shift', [3, 4, 5], chain, constants);
  assert.equal(one.layers.map((l) => l.getConfig().className), ['InputLayer', 'Rescaling']);
  const two = await agrees('the same, b also an output', [3, 4, 5], chain, constants, { outputs: ['b', 'y'] });
  assert.equal(two.layers.map((l) => l.getConfig().className), ['InputLayer', 'Rescaling', 'Rescaling']);
  const features = await agrees('features, 1 − x then / 2', [4], [{ op: 'Sub', inputs: ['one', 'x'], outputs: ['a'] }, { op: 'Div', inputs: ['a', 'two'], outputs: ['y'] }],
    { one: c([1]), two: c([2]) });
  assert.equal(features.layers.map((l) => l.getConfig().className), ['InputLayer', 'Rescaling']);
});

test('a squeeze-and-excitation block: global pool, 1×1 convolutions, sigmoid, and the gate [N, C, 1, 1] times the feature map (either side); Add and Sub alike', async () => {
  const se = (op: string, gateFirst: boolean): NodeSpec[] => [
    { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['p'] },
    { op: 'Conv', inputs: ['p', 'w1', 'b1'], outputs: ['q'] }, { op: 'Relu', inputs: ['q'], outputs: ['r'] },
    { op: 'Conv', inputs: ['r', 'w2', 'b2'], outputs: ['s'] }, { op: 'Sigmoid', inputs: ['s'], outputs: ['g'] },
    { op, inputs: gateFirst ? ['g', 'x'] : ['x', 'g'], outputs: ['y'] },
  ];
  const weights = { w1: weight([2, 6, 1, 1]), b1: weight([2]), w2: weight([6, 2, 1, 1]), b2: weight([6]) };
  await agrees('x · gate', [6, 5, 7], se('Mul', false), weights);
  await agrees('gate · x', [6, 5, 7], se('Mul', true), weights);
  await agrees('x + gate', [6, 5, 7], se('Add', false), weights);
  await agrees('gate − x', [6, 5, 7], se('Sub', true), weights);
});

test('Expand and Tile of tensors: y.expand_as(x) of a gate, x.expand(-1, 3, -1, -1) (a shape from Equal and Where), x.repeat of channels, rows, columns, features', async () => {
  await agrees('x · gate.expand_as(x)', [6, 5, 7], [
    { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['p'] }, { op: 'Sigmoid', inputs: ['p'], outputs: ['g'] },
    { op: 'Shape', inputs: ['x'], outputs: ['s'] }, { op: 'Expand', inputs: ['g', 's'], outputs: ['e'] }, { op: 'Mul', inputs: ['x', 'e'], outputs: ['y'] },
  ]);
  // PyTorch's x.expand(-1, 3, -1, -1): each −1 made 1 by Where(Equal(shape, −1), 1, shape).
  await agrees('x.expand(-1, 3, -1, -1) of [N, 1, H, W]', [1, 4, 5], [
    { op: 'ConstantOfShape', inputs: ['four'], outputs: ['ones'], attributes: { value: { tensor: { dims: [1], data: [1] } } } },
    { op: 'Mul', inputs: ['ones', 'minus'], outputs: ['minusOnes'] }, { op: 'Equal', inputs: ['wanted', 'minusOnes'], outputs: ['kept'] },
    { op: 'Where', inputs: ['kept', 'ones', 'wanted'], outputs: ['shape'] }, { op: 'Expand', inputs: ['x', 'shape'], outputs: ['y'] },
  ], { four: ints([4]), minus: ints([-1]), wanted: ints([-1, 3, -1, -1]) });
  const expand = (what: string, dims: number[], shape: number[]) => agrees(what, dims,
    [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Expand', inputs: ['r', 'shape'], outputs: ['y'] }], { shape: ints(shape) });
  await expand('[N, 1, 1, 5] to three channels and four rows', [1, 1, 5], [1, 3, 4, 5]);
  await expand('[N, 2, 3, 1] to four columns, by a shorter shape', [2, 3, 1], [3, 4]);
  await expand('[N, 1] features to five', [1], [1, 5]);
  await expand('to its own shape', [2, 3, 4], [1, 1, 1]);
  const tile = (what: string, dims: number[], repeats: number[]) => agrees(what, dims,
    [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Tile', inputs: ['r', 'repeats'], outputs: ['y'] }], { repeats: ints(repeats) });
  await tile('x.repeat(1, 3, 1, 1) of [N, 1, H, W]', [1, 4, 5], [1, 3, 1, 1]);
  await tile('rows twice, columns three times', [2, 3, 4], [1, 1, 2, 3]);
  await tile('one pixel to 2×3, channels twice', [3, 1, 1], [1, 2, 2, 3]);
  await tile('features twice', [4], [1, 2]);
});

test('Concat along channels, height and width of images, and along features', async () => {
  for (const axis of [1, 2, 3, -1]) {
    await agrees(`Concat axis ${axis}`, [3, 4, 4], [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Concat', inputs: ['x', 'r', 'x'], outputs: ['y'], attributes: { axis } }]);
  }
  await agrees('Concat features', [5], [{ op: 'Sigmoid', inputs: ['x'], outputs: ['s'] }, { op: 'Concat', inputs: ['s', 'x'], outputs: ['y'], attributes: { axis: 1 } }]);
});

test('Slice and Split of tensors: channels (x[:, a:b], x.chunk, torch.split), rows and columns of an image, features; a channel shuffle', async () => {
  const slice = (what: string, dims: number[], starts: number[], ends: number[], axes: number[], opset = 13) => agrees(what, dims,
    [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Slice', inputs: ['r', 'starts', 'ends', 'axes'], outputs: ['y'] }],
    { starts: ints(starts), ends: ints(ends), axes: ints(axes) }, { opset });
  await slice('x[:, 1:4] of an image', [5, 3, 4], [1], [4], [1]);
  await slice('x[:, -2:] of an image', [5, 3, 4], [-2], [2 ** 62], [1]);
  await slice('rows and columns of an image', [3, 6, 7], [1, 2], [-1, 9], [2, 3]);
  await slice('channels, rows and columns at once, the batch whole', [6, 5, 5], [0, 3, 1, 0], [2 ** 62, 6, 4, 3], [0, 1, 2, 3]);
  await slice('features', [9], [2], [7], [1]);
  await slice('x[:, 1:3] of [N, A, B]', [4, 5], [1], [3], [-1]);
  // Opset 9 writes starts, ends and axes as attributes.
  await agrees('Slice as attributes', [5, 3, 4], [{ op: 'Relu', inputs: ['x'], outputs: ['r'] },
    { op: 'Slice', inputs: ['r'], outputs: ['y'], attributes: { starts: [2], ends: [5], axes: [1] } }], {}, { opset: 9 });
  // x.chunk(2, 1) with one half through a convolution, then both joined again (a ShuffleNet unit's shape).
  const w = weight([3, 3, 1, 1]);
  await agrees('Split into halves, one convolved, Concat', [6, 4, 5], [
    { op: 'Split', inputs: ['x'], outputs: ['a', 'b'], attributes: { axis: 1 } },
    { op: 'Conv', inputs: ['b', 'w'], outputs: ['c'] }, { op: 'Concat', inputs: ['a', 'c'], outputs: ['y'], attributes: { axis: 1 } },
  ], { w });
  await agrees('Split by sizes (input, opset 13), three outputs', [7, 3, 3], [
    { op: 'Split', inputs: ['x', 'sizes'], outputs: ['a', 'b', 'c'], attributes: { axis: -3 } },
  ], { sizes: ints([2, 4, 1]) }, { outputs: ['a', 'b', 'c'] });
  await agrees('Split by sizes (attribute, opset 11) of features', [7], [
    { op: 'Split', inputs: ['x'], outputs: ['a', 'b'], attributes: { axis: 1, split: [3, 4] } },
  ], {}, { opset: 11, outputs: ['a', 'b'] });
  await agrees('Split into uneven parts (num_outputs, opset 18)', [7, 2, 3], [
    { op: 'Split', inputs: ['x'], outputs: ['a', 'b', 'c'], attributes: { axis: 1, num_outputs: 3 } },
  ], {}, { opset: 18, outputs: ['a', 'b', 'c'] });
  await agrees('Split of the width', [2, 3, 8], [{ op: 'Split', inputs: ['x'], outputs: ['a', 'b'], attributes: { axis: 3 } }], {}, { outputs: ['a', 'b'] });
  // ShuffleNet's channel shuffle: [N, C, H, W] → [N, g, C/g, H, W] → swap the groups' axes → [N, C, H, W].
  await agrees('channel shuffle', [6, 3, 4], [
    { op: 'Reshape', inputs: ['x', 'grouped'], outputs: ['g'] }, { op: 'Transpose', inputs: ['g'], outputs: ['t'], attributes: { perm: [0, 2, 1, 3, 4] } },
    { op: 'Reshape', inputs: ['t', 'back'], outputs: ['y'] },
  ], { grouped: ints([0, 2, 3, 3, 4]), back: ints([0, 6, 3, 4]) });
});

test('Gather of a tensor and Slice with steps: channels picked in any order (GoogLeNet\'s transform_input, x[:, [2, 1, 0]], x.flip(1), x[:, ::2]), rows, columns, features', async () => {
  const gather = (what: string, dims: number[], indices: Initializer, axis: number, after: NodeSpec[] = [], more: Record<string, Initializer> = {}) => agrees(what, dims,
    [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Gather', inputs: ['r', 'i'], outputs: [after.length ? 'g' : 'y'], attributes: { axis } }, ...after],
    { i: indices, ...(after.length ? { axes: ints([axis]) } : {}), ...more });
  await gather('x[:, [2, 0, 1, 1]] of an image', [3, 4, 5], ints([2, 0, 1, 1]), 1);
  await gather('x[:, [1, 2, -1]] of an image: one run, then a repeat', [4, 3, 2], ints([1, 2, -1]), 1);
  await gather('columns [4, 0, 1] of an image', [2, 3, 5], ints([4, 0, 1]), 3);
  await gather('rows [2, 2, 0] of an image', [2, 3, 5], ints([2, 2, 0]), -2);
  await gather('features [3, 0]', [5], ints([3, 0]), 1);
  await gather('x[:, :, 1] of [N, A, B]', [4, 5], { dims: [], data: [1] }, 2);
  // GoogLeNet's and Inception v3's transform_input: x[:, i], unsqueezed back to an image, for each channel.
  const unsqueezed: NodeSpec = { op: 'Unsqueeze', inputs: ['g', 'axes'], outputs: ['u'] };
  await gather('x[:, 2].unsqueeze(1)', [3, 4, 5], { dims: [], data: [2] }, 1, [{ ...unsqueezed, outputs: ['y'] }]);
  await gather('x[:, -1].unsqueeze(1), convolved', [3, 4, 5], { dims: [], data: [-1] }, 1,
    [unsqueezed, { op: 'Conv', inputs: ['u', 'w'], outputs: ['y'] }], { w: weight([2, 1, 3, 3]) });
  const stepped = (what: string, dims: number[], starts: number[], ends: number[], axes: number[], steps: number[]) => agrees(what, dims,
    [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Slice', inputs: ['r', 'starts', 'ends', 'axes', 'steps'], outputs: ['y'] }],
    { starts: ints(starts), ends: ints(ends), axes: ints(axes), steps: ints(steps) });
  await stepped('x.flip(1) of an image', [4, 3, 2], [-1], [-(2 ** 62)], [1], [-1]);
  await stepped('x[:, ::2] of an image, rows cropped too', [5, 4, 3], [0, 1], [2 ** 62, 3], [1, 2], [2, 1]);
  await stepped('x[:, 4:0:-3] of features', [6], [4], [0], [1], [-3]);
  // Rows and columns in steps: cropped to the span walked, then subsampled.
  await stepped('x[..., ::2, ::2] of an image', [3, 6, 6], [0, 0], [2 ** 62, 2 ** 62], [2, 3], [2, 2]);
  await stepped('x[..., 1::2, ::3] of an odd image', [2, 7, 8], [1, 0], [2 ** 62, 2 ** 62], [2, -1], [2, 3]);
  await stepped('x[:, 1:3, 2:6:3, 1:] of an image: channels, rows in steps, columns cropped', [4, 7, 5], [1, 2, 1], [3, 6, 2 ** 62], [1, 2, 3], [1, 3, 1]);
  await stepped('x[:, ::2, ::2, 1::2]: channels and rows and columns in steps', [4, 5, 5], [0, 0, 1], [2 ** 62, 2 ** 62, 2 ** 62], [1, 2, 3], [2, 2, 2]);
  // YOLOv5's Focus: the four phases of each 2×2 block, joined along the channels, then convolved.
  const focus = ['a', 'b', 'c', 'd'];
  const phases = [[0, 0], [1, 0], [0, 1], [1, 1]];
  await agrees('YOLOv5 Focus: four stepped slices concatenated, then a conv', [3, 6, 8], [
    ...focus.map((name): NodeSpec => ({ op: 'Slice', inputs: ['x', `${name}_starts`, 'ends', 'hw', 'twos'], outputs: [name] })),
    { op: 'Concat', inputs: focus, outputs: ['cat'], attributes: { axis: 1 } },
    { op: 'Conv', inputs: ['cat', 'w'], outputs: ['y'], attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
  ], {
    ...Object.fromEntries(focus.map((name, i) => [`${name}_starts`, ints(phases[i])])),
    ends: ints([2 ** 62, 2 ** 62]), hw: ints([2, 3]), twos: ints([2, 2]), w: weight([4, 12, 3, 3]),
  });
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
  // Unsqueeze's one axis given as a scalar, which ONNX's checker and ONNX Runtime take.
  await agrees('Reshape by Shape → Gather → Unsqueeze (axes a scalar) → Concat', [3, 4, 5], [
    { op: 'Shape', inputs: ['x'], outputs: ['shape'] },
    { op: 'Gather', inputs: ['shape', 'zero'], outputs: ['n'], attributes: { axis: 0 } },
    { op: 'Unsqueeze', inputs: ['n', 'zero'], outputs: ['n1'] },
    { op: 'Concat', inputs: ['n1', 'rest'], outputs: ['target'], attributes: { axis: 0 } },
    { op: 'Reshape', inputs: ['x', 'target'], outputs: ['y'] },
  ], { zero: { dims: [], data: [0] }, rest: ints([-1]) });
  await agrees('Squeeze (axes input)', [6, 1, 1], [{ op: 'Squeeze', inputs: ['x', 'axes'], outputs: ['y'] }], { axes: ints([2, 3]) });
  await agrees('Squeeze (axes attribute)', [6, 1, 1], [{ op: 'Squeeze', inputs: ['x'], outputs: ['y'], attributes: { axes: [2, 3] } }], {}, { opset: 11 });
});

test('Reshape, Squeeze and Unsqueeze of tensors to any rank keep ONNX\'s element order: image ↔ image, image ↔ [N, A, B], features → image', async () => {
  const reshape = (what: string, dims: number[], shape: number[]) => agrees(what, dims, [{ op: 'Reshape', inputs: ['x', 's'], outputs: ['y'] }], { s: ints(shape) });
  await reshape('image → image', [3, 4, 5], [0, 6, 2, 5]);
  await reshape('image → one-channel image', [3, 4, 5], [0, 1, 6, 10]);
  await reshape('image → [N, A, B]', [3, 4, 5], [0, 12, 5]);
  await reshape('[N, A, B] → image', [12, 5], [0, 3, 4, 5]);
  await reshape('features → image', [60], [-1, 5, 3, 4]);
  await agrees('Unsqueeze features to an image', [6], [{ op: 'Unsqueeze', inputs: ['x', 'a'], outputs: ['u'] }, { op: 'Conv', inputs: ['u', 'w'], outputs: ['y'] }],
    { a: ints([2, 3]), w: weight([4, 6, 1, 1]) });
  await agrees('Unsqueeze to [N, A, 1]', [6], [{ op: 'Unsqueeze', inputs: ['x', 'a'], outputs: ['y'] }], { a: ints([-1]) });
  await agrees('Squeeze an image to [N, A, B]', [3, 1, 5], [{ op: 'Squeeze', inputs: ['x', 'a'], outputs: ['y'] }], { a: ints([2]) });
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

test('LayerNormalization (opset 17) over the last axis: features, sequences, an image transposed channels-last (no Permute), an image\'s width', async () => {
  const classes = (m: { layers: Array<{ getConfig(): { className: string } }> }) => m.layers.map((l) => l.getConfig().className);
  const norm = (input: string, output: string, attributes: NodeSpec['attributes'] = {}, weights = ['g', 'b']): NodeSpec =>
    ({ op: 'LayerNormalization', inputs: [input, ...weights], outputs: [output], attributes });
  const opset = { opset: 17 };
  await agrees('features, ε 1e-3', [7], [norm('x', 'y', { epsilon: 1e-3 })], { g: weight([7]), b: weight([7]) }, opset);
  await agrees('features, no bias, axis 1', [5], [norm('x', 'y', { axis: 1 }, ['g'])], { g: weight([5]) }, opset);
  await agrees('a sequence [N, 4, 6]', [4, 6], [norm('x', 'y')], { g: weight([6]), b: weight([6]) }, opset);
  const width = await agrees('an image over its width (ONNX\'s last axis)', [3, 4, 5], [norm('x', 'y')], { g: weight([5]), b: weight([5]) }, opset);
  assert.equal(classes(width), ['InputLayer', 'Permute', 'LayerNormalization', 'Permute']);
  // torchvision's LayerNorm2d: permute to NHWC, LayerNorm, permute back.
  const nhwc = await agrees('Transpose → LayerNormalization → Transpose', [6, 4, 5], [
    { op: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm: [0, 2, 3, 1] } }, norm('t', 'n'),
    { op: 'Transpose', inputs: ['n'], outputs: ['y'], attributes: { perm: [0, 3, 1, 2] } },
  ], { g: weight([6]), b: weight([6]) }, opset);
  assert.equal(classes(nhwc), ['InputLayer', 'LayerNormalization']);
  // Channels-last, an image's elements are in ONNX's order already: flattened as they are. As the
  // graph's output (or for an operator that takes images), it is moved by a Permute.
  const read = await agrees('channels-last, flattened and as an output', [3, 4, 2], [
    { op: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm: [0, 2, 3, 1] } }, norm('t', 'n'),
    { op: 'Relu', inputs: ['n'], outputs: ['r'] }, { op: 'Flatten', inputs: ['r'], outputs: ['f'] }, { op: 'Sigmoid', inputs: ['r'], outputs: ['y'] },
  ], { g: weight([3]), b: weight([3]) }, { ...opset, outputs: ['f', 'y'] });
  assert.equal(classes(read), ['InputLayer', 'LayerNormalization', 'Activation', 'Activation', 'Flatten', 'Permute']);
  await agrees('channels-last, then Conv (which takes an image)', [3, 4, 2], [
    { op: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm: [0, 2, 3, 1] } }, { op: 'Conv', inputs: ['t', 'w'], outputs: ['y'] },
  ], { w: weight([2, 4, 1, 1]) });
});

test('ConvNeXt\'s block: depthwise 7×7, permute, LayerNorm, Linear, GELU, Linear, permute back, layer scale, residual — the Linear layers as 1×1 convolutions', async () => {
  const channels = 4, hidden = 8;
  const model = await agrees('CNBlock', [channels, 7, 6], [
    { op: 'Conv', inputs: ['x', 'dw', 'dwb'], outputs: ['c'], attributes: { group: channels, pads: [3, 3, 3, 3] } },
    { op: 'Transpose', inputs: ['c'], outputs: ['t'], attributes: { perm: [0, 2, 3, 1] } },
    { op: 'LayerNormalization', inputs: ['t', 'g', 'b'], outputs: ['n'], attributes: { epsilon: 1e-6 } },
    { op: 'MatMul', inputs: ['n', 'w1'], outputs: ['m1'] }, { op: 'Add', inputs: ['b1', 'm1'], outputs: ['h'] },
    { op: 'Div', inputs: ['h', 'sqrt2'], outputs: ['s'] }, { op: 'Erf', inputs: ['s'], outputs: ['e'] },
    { op: 'Add', inputs: ['e', 'one'], outputs: ['e1'] }, { op: 'Mul', inputs: ['h', 'e1'], outputs: ['he'] },
    { op: 'Mul', inputs: ['he', 'half'], outputs: ['gelu'] },
    { op: 'MatMul', inputs: ['gelu', 'w2'], outputs: ['m2'] }, { op: 'Add', inputs: ['b2', 'm2'], outputs: ['o'] },
    { op: 'Transpose', inputs: ['o'], outputs: ['back'], attributes: { perm: [0, 3, 1, 2] } },
    { op: 'Mul', inputs: ['scale', 'back'], outputs: ['scaled'] }, { op: 'Add', inputs: ['scaled', 'x'], outputs: ['y'] },
  ], {
    dw: weight([channels, 1, 7, 7]), dwb: weight([channels]), g: weight([channels]), b: weight([channels]),
    w1: weight([channels, hidden]), b1: weight([hidden]), w2: weight([hidden, channels]), b2: weight([channels]), scale: weight([channels, 1, 1]),
    sqrt2: { dims: [], data: Float32Array.of(Math.SQRT2) }, one: { dims: [], data: Float32Array.of(1) }, half: { dims: [], data: Float32Array.of(0.5) },
  }, { opset: 17 });
  assert.equal(model.layers.map((l) => l.getConfig().className),
    ['InputLayer', 'DepthwiseConv2D', 'LayerNormalization', 'Conv2D', 'Activation', 'Conv2D', 'Rescaling', 'Add']);
  assert.equal(model.layers.filter((l) => l.getConfig().className === 'Conv2D').map((l) => l.getConfig().useBias), [true, true], 'biases taken in');
});

test('layer normalisation as the nodes written before opset 17: PyTorch\'s (Pow), convas\'s (Mul, over an image\'s channels), with and without γ and β', async () => {
  const classes = (m: { layers: Array<{ getConfig(): { className: string } }> }) => m.layers.map((l) => l.getConfig().className);
  /** x − mean, squared, its mean over `axes`, + ε, √, the difference divided by it; then `after`. */
  const decomposed = (x: string, axes: number[], square: 'Pow' | 'Mul', after: NodeSpec[], last = 'q'): NodeSpec[] => [
    { op: 'ReduceMean', inputs: [x], outputs: ['mean'], attributes: { axes } }, { op: 'Sub', inputs: [x, 'mean'], outputs: ['d'] },
    square === 'Pow' ? { op: 'Pow', inputs: ['d', 'two'], outputs: ['d2'] } : { op: 'Mul', inputs: ['d', 'd'], outputs: ['d2'] },
    { op: 'ReduceMean', inputs: ['d2'], outputs: ['v'], attributes: { axes } }, { op: 'Add', inputs: ['v', 'eps'], outputs: ['ve'] },
    { op: 'Sqrt', inputs: ['ve'], outputs: ['sd'] }, { op: 'Div', inputs: ['d', 'sd'], outputs: [last] }, ...after,
  ];
  const constants = { two: { dims: [], data: Float32Array.of(2) }, eps: { dims: [], data: Float32Array.of(1e-5) } };
  const affine = [{ op: 'Mul', inputs: ['q', 'g'], outputs: ['gq'] }, { op: 'Add', inputs: ['gq', 'b'], outputs: ['y'] }];
  const features = await agrees('features (Pow), γ and β', [6], decomposed('x', [-1], 'Pow', affine), { ...constants, g: weight([6]), b: weight([6]) });
  assert.equal(classes(features), ['InputLayer', 'LayerNormalization']);
  await agrees('a sequence, no γ or β', [3, 5], decomposed('x', [2], 'Pow', [], 'y'), constants);
  const image = await agrees('an image\'s channels (Mul), γ [C, 1, 1] only', [4, 3, 5], decomposed('x', [1], 'Mul', [{ op: 'Mul', inputs: ['g', 'q'], outputs: ['y'] }]),
    { ...constants, g: weight([4, 1, 1]) });
  assert.equal(classes(image), ['InputLayer', 'LayerNormalization']);
  const nhwc = await agrees('LayerNorm2d at opset 13: Transpose, the nodes, Transpose', [5, 3, 4], [
    { op: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm: [0, 2, 3, 1] } },
    ...decomposed('t', [-1], 'Pow', [{ op: 'Mul', inputs: ['q', 'g'], outputs: ['gq'] }, { op: 'Add', inputs: ['gq', 'b'], outputs: ['n'] }]),
    { op: 'Transpose', inputs: ['n'], outputs: ['y'], attributes: { perm: [0, 3, 1, 2] } },
  ], { ...constants, g: weight([5]), b: weight([5]) });
  assert.equal(classes(nhwc), ['InputLayer', 'LayerNormalization']);
  // The input read by another node too (a residual): still one layer.
  await agrees('the input also added after', [6], decomposed('x', [-1], 'Pow', [{ op: 'Add', inputs: ['q', 'x'], outputs: ['y'] }]), constants);
});

test('x divided by its L2 norm (F.normalize, x / x.norm(dim, keepdim=True)) is one UnitNormalization: features, an image\'s channels, a sequence, channels-last; the Clip\'s ε its floor', async () => {
  const layersOf = (m: { layers: Array<{ getConfig(): Record<string, unknown> }> }) => m.layers.map((l) => l.getConfig()).slice(1)
    .map(({ className, minNorm }) => (className === 'UnitNormalization' ? `${className} ${minNorm}` : className));
  const eps = (v: number) => ({ dims: [], data: Float32Array.of(v) });
  /** ReduceL2 of `x` over `axes`, then `between` (from 'n' to 'd'), then x divided by it. */
  const byL2 = (x: string, axes: number[], between: NodeSpec[], y = 'y'): NodeSpec[] => [
    { op: 'ReduceL2', inputs: [x], outputs: ['n'], attributes: { axes, keepdims: 1 } }, ...between,
    { op: 'Div', inputs: [x, between.length ? 'd' : 'n'], outputs: [y] }];
  const clip = (opset: number, min: number, to = 'd'): NodeSpec => (opset >= 11
    ? { op: 'Clip', inputs: ['n', 'eps', ''], outputs: [to] } : { op: 'Clip', inputs: ['n'], outputs: [to], attributes: { min: { float: min } } });
  // F.normalize as PyTorch 1.13 writes it at opsets 9 and 13: Clip, Expand to Shape(x), Div.
  for (const opset of [9, 13]) {
    const normalize = await agrees(`F.normalize of features, opset ${opset}`, [6], byL2('x', [1], [clip(opset, 1e-12, 'c'),
      { op: 'Shape', inputs: ['x'], outputs: ['s'] }, { op: 'Expand', inputs: ['c', 's'], outputs: ['d'] }]), opset >= 11 ? { eps: eps(1e-12) } : {}, { opset });
    assert.equal(layersOf(normalize), [`UnitNormalization ${Math.fround(1e-12)}`]);
  }
  const image = await agrees('F.normalize of an image\'s channels, no Expand', [4, 3, 5], byL2('x', [1], [clip(13, 0.5)]), { eps: eps(0.5) });
  assert.equal(layersOf(image), ['UnitNormalization 0.5']);
  const sequence = await agrees('x / x.norm(p=2, dim=-1, keepdim=True) of a sequence: no Clip', [3, 5], byL2('x', [-1], []));
  assert.equal(layersOf(sequence), ['UnitNormalization 0']);
  const nhwc = await agrees('an image transposed channels-last, over its last axis, and back', [5, 3, 4], [
    { op: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm: [0, 2, 3, 1] } },
    ...byL2('t', [3], [clip(13, 1e-6)], 'u'), { op: 'Transpose', inputs: ['u'], outputs: ['y'], attributes: { perm: [0, 3, 1, 2] } },
  ], { eps: eps(1e-6) });
  assert.equal(layersOf(nhwc), [`UnitNormalization ${Math.fround(1e-6)}`]);
  // x / x.norm(dim, keepdim=True): Mul, ReduceSum (axes an input from opset 13), Sqrt, Div; a clamp of the norm is its floor.
  const bySquares = (axes: number[], opset: number, between: NodeSpec[] = [], root = 'd'): NodeSpec[] => [
    { op: 'Mul', inputs: ['x', 'x'], outputs: ['sq'] },
    opset >= 13 ? { op: 'ReduceSum', inputs: ['sq', 'axes'], outputs: ['ss'], attributes: { keepdims: 1 } }
      : { op: 'ReduceSum', inputs: ['sq'], outputs: ['ss'], attributes: { axes, keepdims: 1 } },
    { op: 'Sqrt', inputs: ['ss'], outputs: [root] }, ...between, { op: 'Div', inputs: ['x', 'd'], outputs: ['y'] }];
  for (const opset of [9, 13]) {
    const channels = await agrees(`x / x.norm(dim=1, keepdim=True) of an image, opset ${opset}`, [4, 3, 5], bySquares([1], opset), { axes: ints([1]) }, { opset });
    assert.equal(layersOf(channels), ['UnitNormalization 0']);
    const features = await agrees(`x / x.norm(dim=1, keepdim=True).clamp(min=1e-6) of features, opset ${opset}`, [7],
      bySquares([1], opset, [clip(opset, 0.25)], 'n'), { axes: ints([1]), ...(opset >= 11 ? { eps: eps(0.25) } : {}) }, { opset });
    assert.equal(layersOf(features), ['UnitNormalization 0.25']);
  }
  // x read by another node too (a residual): still one layer. A square that starts no norm stays a product.
  const residual = await agrees('the input also added after', [6], [...byL2('x', [1], [clip(13, 1e-12)], 'q'), { op: 'Add', inputs: ['q', 'x'], outputs: ['y'] }],
    { eps: eps(1e-12) });
  assert.equal(layersOf(residual), [`UnitNormalization ${Math.fround(1e-12)}`, 'Add']);
  assert.equal(layersOf(await agrees('x·x alone', [6], [{ op: 'Mul', inputs: ['x', 'x'], outputs: ['y'] }])), ['Multiply']);
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

test('InstanceNormalization and opset 18\'s GroupNormalization of images as one GroupNormalization each, as ONNX Runtime computes them', async () => {
  const classes = (m: { layers: Array<{ getConfig(): { className: string } }> }) => m.layers.map((l) => l.getConfig().className);
  const instance = await agrees('InstanceNormalization, ε 1e-3', [5, 4, 3], [
    { op: 'InstanceNormalization', inputs: ['x', 's', 'b'], outputs: ['y'], attributes: { epsilon: 1e-3 } },
  ], { s: weight([5]), b: weight([5]) });
  assert.equal(classes(instance), ['InputLayer', 'GroupNormalization']);
  assert.is(instance.layers[1].getConfig().groups, 5);
  for (const groups of [1, 2, 6]) {
    const grouped = await agrees(`GroupNormalization, ${groups} groups`, [6, 5, 3], [
      { op: 'GroupNormalization', inputs: ['x', 's', 'b'], outputs: ['y'], attributes: { num_groups: groups, epsilon: 1e-4 } },
    ], { s: weight([groups]), b: weight([groups]) }, { opset: 18 });
    assert.equal(classes(grouped), ['InputLayer', 'GroupNormalization']);
    assert.is(grouped.layers[1].getConfig().groups, groups);
  }
  // PyTorch's nn.GroupNorm: Reshape, InstanceNormalization of the groups, Reshape back, Mul, Add; from
  // opset 14 PyTorch gives both Reshapes allowzero 0.
  for (const opset of [13, 14]) {
    const attributes: NodeSpec['attributes'] = opset >= 14 ? { allowzero: 0 } : {};
    const pytorch = await agrees(`nn.GroupNorm(3, 6), opset ${opset}`, [6, 4, 5], [
      { op: 'Reshape', inputs: ['x', 'rows'], outputs: ['r'], attributes },
      { op: 'InstanceNormalization', inputs: ['r', 'ones', 'zeros'], outputs: ['n'], attributes: { epsilon: 1e-5 } },
      { op: 'Shape', inputs: ['x'], outputs: ['shape'] }, { op: 'Reshape', inputs: ['n', 'shape'], outputs: ['back'], attributes },
      { op: 'Mul', inputs: ['back', 'g'], outputs: ['m'] }, { op: 'Add', inputs: ['m', 'b'], outputs: ['y'] },
    ], { rows: ints([0, 3, -1]), ones: { dims: [3], data: Float32Array.of(1, 1, 1) }, zeros: { dims: [3], data: new Float32Array(3) }, g: weight([6, 1, 1]), b: weight([6, 1, 1]) },
    { opset });
    assert.equal(classes(pytorch), ['InputLayer', 'GroupNormalization']);
  }
});

test.run();
