// TensorFlow.js (tfjs-core + tfjs-layers) on its 'cpu' or 'wasm' backend: `node peer-tfjs.mjs cpu|wasm`.
// The same net as convas, trained with trainOnBatch on pre-made batch tensors (less per-batch work
// than fit()), in production mode. The wasm backend loads the non-threaded SIMD binary from
// node_modules (tfjs never picks the threaded one in Node) and gets one XNNPACK thread.
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { serve, timeBox } from './child.mjs';
import { BATCH_NORM, CONVS, DEPTHWISE, LAYER_CASES, MATMUL, MOBILENET, NET, TRAIN_EXAMPLES, dataset, mobileNetBatch, randomArray } from './data.mjs';
import { mobileNetHandler } from './mobilenet-files.mjs';
import { registerConv2DBackpropFilter } from './tfjs-wasm-backprop-filter.mjs';
import { registerDepthwiseBackprop } from './tfjs-wasm-depthwise-backprop.mjs';

const backendName = process.argv[2];
if (backendName !== 'cpu' && backendName !== 'wasm') throw new Error('usage: peer-tfjs.mjs cpu|wasm');
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');
tf.enableProdMode();

/** The kernels that training a MobileNet needs beyond inference's (the gradients of its convolutions). */
const TRAINING_KERNELS = ['Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'];
const lacking = () => TRAINING_KERNELS.filter((k) => !tf.getKernel(k, backendName));

let backendInfo = { backend: backendName };
if (backendName === 'wasm') {
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  // What the backend itself lacks, before the bench builds those kernels from its own ops.
  backendInfo.lacksForTraining = lacking();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // already false in Node; said explicitly
  wasm.setThreadsCount(1);
  wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  const backpropFilter = registerConv2DBackpropFilter(tf);
  const depthwiseBackprop = registerDepthwiseBackprop(tf);
  await tf.setBackend('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  if (!simd || threaded) throw new Error(`tfjs-wasm would load another binary (simd ${simd}, threads ${threaded})`);
  backendInfo = { ...backendInfo, wasmFile: 'tfjs-backend-wasm-simd.wasm (non-threaded)', threads: wasm.getThreadsCount(),
    backpropFilterMaxError: await checkBackpropFilter(backpropFilter), backpropFilterChoices: backpropFilter.choices,
    depthwiseBackpropMaxError: await checkDepthwiseBackprop(depthwiseBackprop), depthwiseFilterChoices: depthwiseBackprop.choices };
} else {
  await tf.setBackend('cpu');
}
if (tf.getBackend() !== backendName) throw new Error(`tfjs backend is ${tf.getBackend()}, not ${backendName}`);

/** The largest difference between the bench's wasm Conv2DBackpropFilter (each formulation) and tfjs-cpu's, on odd shapes and strides. */
async function checkBackpropFilter(kernel) {
  const cases = [
    [[3, 9, 11, 2], [5, 5, 2, 4], 1, 'same'], [[2, 10, 7, 3], [3, 2, 3, 5], 2, 'same'], [[2, 8, 8, 3], [3, 3, 3, 2], [2, 1], 'valid'],
  ];
  const run = async (backend, [shape, filterShape, strides, pad]) => {
    await tf.setBackend(backend);
    const x = tf.tensor(randomArray(shape.reduce((a, b) => a * b), 3), shape);
    const f = tf.tensor(randomArray(filterShape.reduce((a, b) => a * b), 4), filterShape);
    const yShape = tf.conv2d(x, f, strides, pad).shape;
    const dy = tf.tensor(randomArray(yShape.reduce((a, b) => a * b), 5), yShape);
    const attrs = { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape };
    return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs).dataSync();
  };
  return worstAgainstCpu(cases, run, kernel.formulations, kernel.force);
}

/** The largest difference between the bench's wasm depthwise gradients (each filter formulation) and tfjs-cpu's, on odd shapes, strides and paddings. */
async function checkDepthwiseBackprop(kernel) {
  const cases = [[[3, 9, 11, 5], [3, 3, 5, 1], 1, 'same'], [[2, 10, 7, 4], [3, 3, 4, 1], 2, 'same'], [[2, 8, 9, 3], [3, 2, 3, 1], [2, 1], 'valid']];
  const run = async (backend, [shape, filterShape, strides, pad]) => {
    await tf.setBackend(backend);
    const x = tf.tensor(randomArray(shape.reduce((a, b) => a * b), 3), shape);
    const f = tf.tensor(randomArray(filterShape.reduce((a, b) => a * b), 4), filterShape);
    const yShape = tf.depthwiseConv2d(x, f, strides, pad).shape;
    const dy = tf.tensor(randomArray(yShape.reduce((a, b) => a * b), 5), yShape);
    const attrs = { strides, pad, dilations: [1, 1], dimRoundingMode: undefined };
    return [
      ...tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: f }, { ...attrs, inputShape: shape }).dataSync(),
      ...tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape }).dataSync(),
    ];
  };
  return worstAgainstCpu(cases, run, kernel.filterFormulations, kernel.force);
}

/** The largest difference between run('wasm', case) under each formulation and run('cpu', case), over the cases. */
async function worstAgainstCpu(cases, run, formulations, force) {
  let worst = 0;
  for (const c of cases) {
    const expected = await run('cpu', c);
    for (const formulation of formulations) {
      force(formulation);
      const got = await run('wasm', c);
      expected.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - got[i])); });
    }
  }
  force(null);
  await tf.setBackend('wasm');
  return worst;
}

function makeModel() {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [NET.height, NET.width, NET.channels], filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: NET.classes, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.momentum(NET.learningRate, NET.momentum), loss: 'categoricalCrossentropy' });
  return model;
}

const model = makeModel();
const data = dataset(TRAIN_EXAMPLES);
const shape = [NET.height, NET.width, NET.channels];
const batches = [];
for (let from = 0; from < data.n; from += NET.trainBatch) {
  batches.push([
    tf.tensor(data.x.subarray(from * data.pixels, (from + NET.trainBatch) * data.pixels), [NET.trainBatch, ...shape]),
    tf.tensor(data.oneHot.subarray(from * NET.classes, (from + NET.trainBatch) * NET.classes), [NET.trainBatch, NET.classes]),
  ]);
}
const xInfer = tf.tensor(data.x.subarray(0, NET.inferBatch * data.pixels), [NET.inferBatch, ...shape]);
let nextBatch = 0;

/** Tensors for each single-layer case, made once. */
const cases = new Map();
function layerCase(id) {
  if (cases.has(id)) return cases.get(id);
  const spec = LAYER_CASES.find((c) => c.id === id);
  const t = (s, seed) => tf.tensor(randomArray(s.reduce((a, b) => a * b), seed), s);
  let run;
  // Depthwise outputs are not read back: that copy (12.8 MB at 8×56×56×128) would cost as much as the
  // kernel; the wasm backend computes eagerly, and convas's kernels are timed without a copy either.
  let readBack = true;
  if (id === 'matmul') {
    const a = t([MATMUL.m, MATMUL.k], 1), b = t([MATMUL.k, MATMUL.n], 2);
    run = () => tf.matMul(a, b);
  } else if (spec.depthwise !== undefined) {
    const d = DEPTHWISE[spec.depthwise];
    const xShape = [d.batch, d.height, d.width, d.channels], filterShape = [d.kernel, d.kernel, d.channels, 1];
    const x = t(xShape, 1), f = t(filterShape, 2);
    const dy = t(tf.depthwiseConv2d(x, f, d.stride, 'same').shape, 3);
    const attrs = { strides: [d.stride, d.stride], pad: 'same', dilations: [1, 1], dimRoundingMode: undefined };
    readBack = false;
    run = {
      forward: () => tf.depthwiseConv2d(x, f, d.stride, 'same'),
      'backward input': () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: f }, { ...attrs, inputShape: xShape }),
      'backward filter': () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape }),
    }[spec.pass];
  } else {
    const c = CONVS[spec.conv];
    const xShape = [c.batch, c.height, c.width, c.inChannels], filterShape = [c.kernel, c.kernel, c.inChannels, c.outChannels];
    const x = t(xShape, 1), f = t(filterShape, 2), dy = t([c.batch, c.height, c.width, c.outChannels], 3);
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined };
    run = {
      forward: () => tf.conv2d(x, f, 1, 'same'),
      'backward input': () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { ...attrs, inputShape: xShape }),
      'backward filter': () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape }),
    }[spec.pass];
  }
  const once = () => {
    const out = run();
    if (readBack) out.dataSync(); // the wasm and cpu backends compute eagerly; this only makes sure
    out.dispose();
  };
  cases.set(id, once);
  return once;
}

/** The MobileNetV2 from the bench's files (bench/mobilenet-files.mjs), loaded once, with its batches. */
let mobileNet;
async function loadMobileNet(dir) {
  if (mobileNet) return mobileNet;
  const model = await tfl.loadLayersModel(mobileNetHandler(tf, dir));
  model.compile({ optimizer: tf.train.sgd(MOBILENET.learningRate), loss: 'categoricalCrossentropy' });
  const batch = (n) => { const b = mobileNetBatch(n); return [tf.tensor(b.x, b.shape), tf.tensor(b.oneHot, b.labelShape)]; };
  mobileNet = { model, infer: new Map(MOBILENET.inferBatches.map((n) => [n, batch(n)[0]])), train: batch(MOBILENET.trainBatch) };
  return mobileNet;
}

/**
 * One training pass of a BatchNormalization layer (made once): forward with the batch's statistics
 * (moving statistics updated, as in fit), then the gradients of x, γ and β for a given dy.
 */
let batchNormPass;
function batchNormTraining() {
  if (batchNormPass) return batchNormPass;
  const { shape, momentum, epsilon } = BATCH_NORM;
  const size = shape.reduce((a, b) => a * b, 1);
  const layer = tfl.layers.batchNormalization({ momentum, epsilon });
  const x = tf.tensor(randomArray(size, 1), shape), dy = tf.tensor(randomArray(size, 2), shape);
  layer.apply(x).dispose(); // builds its weights
  const [gamma, beta] = layer.trainableWeights.map((w) => w.read());
  batchNormPass = () => {
    const { value, grads } = tf.engine().gradients(() => layer.apply(x, { training: true }), [x, gamma, beta], dy);
    tf.dispose([value, ...grads]);
  };
  return batchNormPass;
}

serve({
  batchNormTraining: async ({ seconds }) => {
    const r = await timeBox(seconds, batchNormTraining());
    return { values: r.units * BATCH_NORM.shape.reduce((a, b) => a * b, 1), ...r };
  },
  mobileNetInfer: async ({ dir, batch, seconds }) => {
    const { model, infer } = await loadMobileNet(dir);
    const r = await timeBox(seconds, () => {
      const out = model.predict(infer.get(batch));
      out.dataSync();
      out.dispose();
    });
    return { images: r.units * batch, ...r };
  },
  mobileNetTrain: async ({ dir, seconds }) => {
    const missing = lacking();
    if (missing.length) return { unsupported: `no ${missing.join(', ')} kernels` };
    const { model, train: [x, y] } = await loadMobileNet(dir);
    const r = await timeBox(seconds, () => model.trainOnBatch(x, y));
    return { images: r.units * MOBILENET.trainBatch, ...r };
  },
  info: async () => ({ ...backendInfo, backpropFilterChoices: backendInfo.backpropFilterChoices?.(), depthwiseFilterChoices: backendInfo.depthwiseFilterChoices?.() }),
  train: async ({ seconds }) => {
    const r = await timeBox(seconds, async () => {
      const [x, y] = batches[nextBatch++ % batches.length];
      await model.trainOnBatch(x, y);
    });
    return { images: r.units * NET.trainBatch, ...r, tensors: tf.memory().numTensors };
  },
  infer: async ({ seconds }) => {
    const r = await timeBox(seconds, () => {
      const out = model.predict(xInfer, { batchSize: NET.inferBatch });
      out.dataSync();
      out.dispose();
    });
    return { images: r.units * NET.inferBatch, ...r };
  },
  layer: async ({ id, seconds }) => {
    const r = await timeBox(seconds, layerCase(id));
    return { flops: r.units * LAYER_CASES.find((c) => c.id === id).flops, ...r };
  },
});
