// ONNX Resize in every mode convas computes — nearest, linear, cubic (with the node's cubic_coeff_a
// and exclude_outside) — and every coordinate mode it reads, by scales whose in·scale is not a
// whole number of pixels (ONNX maps coordinates by 1/scale, not by the sizes' ratio) and by sizes,
// up and down, on odd sizes: convas predicts what ONNX Runtime computes on the same file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, loadModel, tensor } from '../../src/index.js';
import '../../src/onnx/index.js';
import { random } from '../helpers.js';
import { type Initializer, type NodeSpec, onnxModel } from './builder.js';
import { toNhwc } from './fixtures.js';
import { newModelLocation } from '../io/tfjs-files.js';
import { runOrt } from './ort.js';

const DIMS = [2, 5, 7, 9]; // [N, C, H, W]: 5 channels, so the kernels' f32x4 lanes and their tail both run
const COORDINATES = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];
const floats = (values: number[]): Initializer => ({ dims: [values.length], data: Float32Array.from(values) });
const ints = (values: number[]): Initializer => ({ dims: [values.length], data: values });

/** How the output's size is given: scales (in·scale not whole, up, down, one of each, and one that keeps the size) or sizes. */
const SIZINGS: Array<[string, Record<string, Initializer>]> = [
  ['scales 1.5×1.7 (7×9 → 10×15)', { roi: floats([]), scales: floats([1, 1, 1.5, 1.7]) }],
  ['scales 0.6×0.45 (7×9 → 4×4)', { roi: floats([]), scales: floats([1, 1, 0.6, 0.45]) }],
  ['scales 2.3×0.8 (7×9 → 16×7)', { roi: floats([]), scales: floats([1, 1, 2.3, 0.8]) }],
  ['scales 1.1×1.5 (7×9 → 7×13: the height kept, yet moved)', { roi: floats([]), scales: floats([1, 1, 1.1, 1.5]) }],
  ['sizes 11×4', { roi: floats([]), scales: floats([]), sizes: ints([DIMS[0], DIMS[1], 11, 4]) }],
];

/** The node's attributes for each mode convas computes in a coordinate mode (nearest: the rounding convas's Resizing has there). */
function modes(coordinates: string): Array<[string, NodeSpec['attributes']]> {
  return [
    ['nearest', { mode: 'nearest', coordinate_transformation_mode: coordinates, nearest_mode: coordinates === 'asymmetric' ? 'floor' : 'round_prefer_ceil' }],
    ['linear', { mode: 'linear', coordinate_transformation_mode: coordinates }],
    ['cubic (ONNX\'s defaults, PyTorch\'s bicubic)', { mode: 'cubic', coordinate_transformation_mode: coordinates }],
    ['cubic a −0.5, exclude_outside (TensorFlow\'s export)', { mode: 'cubic', coordinate_transformation_mode: coordinates, cubic_coeff_a: { float: -0.5 }, exclude_outside: 1 }],
    ['cubic a −0.6', { mode: 'cubic', coordinate_transformation_mode: coordinates, cubic_coeff_a: { float: -0.6 } }],
  ];
}

/** The largest |convas − ONNX Runtime| / max(1, |ONNX Runtime|) of a one-Resize graph, after checking the output's dims. */
async function worstError(attributes: NodeSpec['attributes'], inputs: Record<string, Initializer>, what: string, dims = DIMS): Promise<number> {
  const bytes = onnxModel({ opset: 13, inputs: [{ name: 'x', dims: ['N', ...dims.slice(1)] }], outputs: ['y'],
    nodes: [{ op: 'Resize', inputs: ['x', ...Object.keys(inputs)], outputs: ['y'], attributes }], initializers: inputs });
  const values = random(3).array(dims.reduce((a, b) => a * b, 1), -2, 2);
  const [expected] = await runOrt(bytes, [{ values, dims }]);
  const model = await loadModel(bytes);
  try {
    const y = model.predict(tensor(toNhwc(values, dims), [dims[0], dims[2], dims[3], dims[1]]));
    const [n, c, h, w] = expected.dims;
    assert.equal(y.shape, [n, h, w, c], `${what}: output shape`);
    const want = toNhwc(expected.values, expected.dims), got = y.dataSync();
    return want.reduce((worst, v, i) => Math.max(worst, Math.abs(got[i] - v) / Math.max(1, Math.abs(v))), 0);
  } finally {
    model.dispose();
  }
}

test.before(async () => {
  await init();
});

for (const coordinates of COORDINATES) {
  test(`Resize with ${coordinates} coordinates: nearest, linear and cubic, by non-whole scales and by sizes, as ONNX Runtime computes`, async () => {
    for (const [mode, attributes] of modes(coordinates)) {
      for (const [sizing, inputs] of SIZINGS) {
        const what = `${mode}, ${coordinates}, ${sizing}`;
        const error = await worstError(attributes, inputs, what);
        // Nearest copies pixels: the same ones, bit for bit.
        assert.ok(mode === 'nearest' ? error === 0 : error <= 1e-5, `${what}: differs from ONNX Runtime by ${error}`);
      }
    }
  });
}

test('nearest by sizes picks ONNX Runtime\'s pixel where the source coordinate falls on a tie (out/in in f32, not in/out)', async () => {
  // 2 → 41 rows: output 20 reads (20.5)·2/41 − 0.5 = ½ exactly; in/out in f32 makes it 0.49999994. 8 → 47 columns with
  // aligned corners: output 23 reads 23·7/46 = 3.5 exactly; (7/46 in f32)·23 makes it 3.4999998.
  for (const coordinates of COORDINATES) {
    const attributes = { mode: 'nearest', coordinate_transformation_mode: coordinates, nearest_mode: coordinates === 'asymmetric' ? 'floor' : 'round_prefer_ceil' };
    const error = await worstError(attributes, { roi: floats([]), scales: floats([]), sizes: ints([1, 3, 41, 47]) }, `nearest ${coordinates} 2×8 → 41×47`, [1, 3, 2, 8]);
    assert.is(error, 0, `nearest ${coordinates} 2×8 → 41×47`);
  }
});

test('the layer a Resize by non-whole scales becomes keeps the node\'s scales and cubic settings', async () => {
  const bytes = onnxModel({ opset: 13, inputs: [{ name: 'x', dims: ['N', 5, 7, 9] }], outputs: ['y'],
    nodes: [{ op: 'Resize', inputs: ['x', 'roi', 'scales'], outputs: ['y'], attributes: { mode: 'cubic', cubic_coeff_a: { float: -0.5 }, exclude_outside: 1 } }],
    initializers: { roi: floats([]), scales: floats([1, 1, 1.5, 0.45]) } });
  const model = await loadModel(bytes);
  const { className, height, width, interpolation, coordinates, scales, cubicCoefficient, cubicExcludeOutside, cubicTable } = model.layers.at(-1)!.getConfig();
  assert.equal({ className, height, width, interpolation, coordinates, scales, cubicCoefficient, cubicExcludeOutside, cubicTable },
    { className: 'Resizing', height: 10, width: 4, interpolation: 'bicubic', coordinates: 'half_pixel', scales: [1.5, Math.fround(0.45)],
      cubicCoefficient: -0.5, cubicExcludeOutside: true, cubicTable: false });
  model.dispose();
});

test('a Resize by sizes becomes a Resizing by its sizes, as Keras has it, but where a nearest pixel falls otherwise by out/in', async () => {
  const bySizes = (mode: string, dims: number[], sizes: number[]) => onnxModel({ opset: 13, inputs: [{ name: 'x', dims: ['N', ...dims.slice(1)] }], outputs: ['y'],
    nodes: [{ op: 'Resize', inputs: ['x', 'roi', 'scales', 'sizes'], outputs: ['y'], attributes: { mode, coordinate_transformation_mode: 'half_pixel', nearest_mode: 'round_prefer_ceil' } }],
    initializers: { roi: floats([]), scales: floats([]), sizes: ints(sizes) } });
  const linear = await loadModel(bySizes('linear', DIMS, [DIMS[0], DIMS[1], 11, 4]));
  assert.is(linear.layers.at(-1)!.getConfig().scales, null);
  await linear.save(await newModelLocation(), { format: 'tfjs' }); // TF.js's Resizing maps by the sizes too
  linear.dispose();
  // 2 → 41 rows: output 20's source is ½ by out/in, just below by in/out (the tie of the test above).
  const tie = await loadModel(bySizes('nearest', [1, 3, 2, 8], [1, 3, 41, 8]));
  assert.equal(tie.layers.at(-1)!.getConfig().scales, [Math.fround(41 / 2), 1]);
  tie.dispose();
});

test.run();
