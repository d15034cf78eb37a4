// convas: `node peer-convas.mjs <bundle> [threads] [options]`, options a comma list of: unfolded (the
// MobileNet predicts without foldBatchNorm), relaxed (the relaxed-SIMD build; Node 20 must be started
// with --experimental-wasm-relaxed-simd, or the peer refuses to run rather than time the plain build). The LeNet-style net through its public API (sequential, fit, predict), and
// single layers through the kernels themselves (init() returns the same backend as getBackend()).
import { readFileSync } from 'node:fs';
import { serve, startClock, timeBox } from './child.mjs';
import { BATCH_NORM, CONVS, DEPTHWISE, LAYER_CASES, MATMUL, MOBILENET, NET, TRAIN_EXAMPLES, dataset, depthwiseGeometry, mobileNetBatch, randomArray } from './data.mjs';
import { classesOf, readNativeData } from './native-nets.mjs';

const convas = await import(process.argv[2] ?? './.build/convas.js');
const threads = Number(process.argv[3] ?? 1);
const options = new Set((process.argv[4] ?? '').split(',').filter(Boolean));
/** How the MobileNet predicts: batch normalisation folded into the convolutions (and ReLU6 into their kernels) unless told not to. */
const foldBatchNorm = !options.has('unfolded');
const relaxedSimd = options.has('relaxed');
const { kernels, memory, simd } = await convas.init({ ...(threads > 1 ? { threads } : {}), ...(relaxedSimd ? { relaxedSimd } : {}) });
if (relaxedSimd && simd !== 'relaxed') throw new Error('the relaxed-SIMD build was asked for, but this engine runs the plain one (Node 20: --experimental-wasm-relaxed-simd)');
// Threads run on a shared memory: without one, the option was ignored (not implemented yet), and
// the runner prints the threads row as n/a.
const threaded = kernels.memory.buffer instanceof SharedArrayBuffer;

function makeModel() {
  const { layers } = convas;
  const model = convas.sequential({
    inputShape: [NET.height, NET.width, NET.channels],
    layers: [
      layers.conv2d({ filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }),
      layers.maxPool2d({ poolSize: 2 }),
      layers.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }),
      layers.maxPool2d({ poolSize: 2 }),
      layers.flatten(),
      layers.dense({ units: NET.classes, activation: 'softmax' }),
    ],
    seed: 1,
  });
  model.compile({ optimizer: { type: 'momentum', learningRate: NET.learningRate, momentum: NET.momentum }, loss: 'categoricalCrossentropy' });
  return model;
}

const data = dataset(TRAIN_EXAMPLES);
const x = convas.tensor(data.x, [data.n, NET.height, NET.width, NET.channels]);
const y = convas.tensor(data.oneHot, [data.n, NET.classes]);
const xInfer = convas.tensor(data.x.subarray(0, NET.inferBatch * data.pixels), [NET.inferBatch, NET.height, NET.width, NET.channels]);
let model;

/** Trains `net` with fit() until `seconds` have passed (whole batches), counting the images seen. */
async function train(net, xs, ys, batchSize, seconds) {
  const clock = startClock();
  let images = 0;
  const shouldStop = () => clock.elapsed() >= seconds;
  while (!shouldStop()) {
    await net.fit(xs, ys, { epochs: 1, batchSize, onBatchEnd: (_, logs) => { images += logs.size; }, shouldStop });
  }
  return { images, ...clock.stop() };
}

/** Kernel buffers for each single-layer case, allocated once and filled with random values. */
const cases = new Map();
function layerCase(id) {
  if (cases.has(id)) return cases.get(id);
  const spec = LAYER_CASES.find((c) => c.id === id);
  const alloc = (length, seed) => {
    const ptr = memory.alloc(length * 4);
    memory.f32(ptr, length).set(randomArray(length, seed));
    return ptr;
  };
  let run;
  if (id === 'matmul') {
    const { m, k, n } = MATMUL;
    const a = alloc(m * k, 1), b = alloc(k * n, 2), c = alloc(m * n, 3), scratch = memory.alloc(kernels.matMulScratchBytes(k, n));
    if (kernels.matMul.length !== 10) throw new Error(`matMul takes ${kernels.matMul.length} arguments, the bench passes 10: update bench/peer-convas.mjs`);
    run = () => kernels.matMul(a, b, c, scratch, m, k, n, 0, 0, 0);
  } else if (spec.depthwise !== undefined) {
    const d = DEPTHWISE[spec.depthwise];
    const { outHeight, outWidth, padTop, padLeft } = depthwiseGeometry(d);
    const geometry = [d.batch, d.height, d.width, d.channels, outHeight, outWidth, 1, d.kernel, d.kernel, d.stride, d.stride, padTop, padLeft, 1, 1];
    const taps = d.kernel * d.kernel;
    const xp = alloc(d.batch * d.height * d.width * d.channels, 1), f = alloc(taps * d.channels, 2);
    const yp = alloc(d.batch * outHeight * outWidth * d.channels, 3), bias = alloc(d.channels, 4), scratch = alloc(taps * d.channels, 5);
    const arity = { depthwiseConv2dForward: 5 + geometry.length, depthwiseConv2dBackwardInput: 4 + geometry.length, depthwiseConv2dBackwardFilter: 4 + geometry.length };
    for (const [name, n] of Object.entries(arity)) {
      if (kernels[name].length !== n) throw new Error(`${name} takes ${kernels[name].length} arguments, the bench passes ${n}: update bench/peer-convas.mjs to src/backend/kernels.ts`);
    }
    run = {
      forward: () => kernels.depthwiseConv2dForward(xp, f, 0, yp, 0 /* no activation */, ...geometry),
      'backward input': () => kernels.depthwiseConv2dBackwardInput(yp, f, xp, scratch, ...geometry),
      'backward filter': () => kernels.depthwiseConv2dBackwardFilter(xp, yp, f, bias, ...geometry),
    }[spec.pass];
  } else {
    const c = CONVS[spec.conv];
    const pad = (c.kernel - 1) >> 1;
    const geometry = [c.batch, c.height, c.width, c.inChannels, c.height, c.width, c.outChannels, c.kernel, c.kernel, 1, 1, pad, pad];
    const xs = c.batch * c.height * c.width * c.inChannels, ys = c.batch * c.height * c.width * c.outChannels;
    const fs = c.kernel * c.kernel * c.inChannels * c.outChannels;
    const xp = alloc(xs, 1), f = alloc(fs, 2), yp = alloc(ys, 3), bias = alloc(c.outChannels, 4);
    const scratch = memory.alloc(Math.max(kernels.conv2dScratchBytes(...geometry), kernels.conv2dWinogradScratchBytes(...geometry)));
    const r = c.kernel;
    const transformed = memory.alloc(Math.max(kernels.winogradFilterBytes(r, c.inChannels, c.outChannels), kernels.winogradFilterBytes(r, c.outChannels, c.inChannels)));
    // Arity checks: the kernel contract (src/backend/kernels.ts) is still moving; a shifted argument list must fail loudly.
    const arity = { conv2dForward: 6 + geometry.length, conv2dBackwardInput: 4 + geometry.length, conv2dBackwardFilter: 5 + geometry.length };
    for (const [name, n] of Object.entries(arity)) {
      if (kernels[name].length !== n) throw new Error(`${name} takes ${kernels[name].length} arguments, the bench passes ${n}: update bench/peer-convas.mjs to src/backend/kernels.ts`);
    }
    // Winograd's forward and backward input include the filter's transform, as a layer's call does.
    run = (spec.winograd ? {
      forward: () => {
        kernels.winogradFilterTransform(f, transformed, scratch, r, c.inChannels, c.outChannels, 0);
        kernels.conv2dWinogradForward(xp, transformed, 0, yp, scratch, 0, ...geometry);
      },
      'backward input': () => {
        kernels.winogradFilterTransform(f, transformed, scratch, r, c.inChannels, c.outChannels, 1);
        kernels.conv2dWinogradBackwardInput(yp, transformed, xp, scratch, ...geometry);
      },
      'backward filter': () => kernels.conv2dWinogradBackwardFilter(xp, yp, f, bias, scratch, ...geometry),
    } : {
      forward: () => kernels.conv2dForward(xp, f, 0, yp, scratch, 0 /* no activation */, ...geometry),
      'backward input': () => kernels.conv2dBackwardInput(yp, f, xp, scratch, ...geometry),
      'backward filter': () => kernels.conv2dBackwardFilter(xp, yp, f, bias, scratch, ...geometry),
    })[spec.pass];
  }
  cases.set(id, run);
  return run;
}

/** A chain of bench/native-nets.mjs built from its description. */
function nativeChain(net) {
  const { layers } = convas;
  const chain = net.layers.flatMap(([kind, size, kernel]) => {
    if (kind === 'conv') return [layers.conv2d({ filters: size, kernelSize: kernel, padding: 'same', activation: 'relu' })];
    if (kind === 'pool') return [layers.maxPool2d({ poolSize: 2 })];
    return [layers.flatten(), layers.dense({ units: size, activation: 'softmax' })];
  });
  return convas.sequential({ inputShape: net.input, layers: chain, seed: 1 });
}

/** A net of bench/native-nets.mjs (a chain, or the MobileNet from its TF.js files), with its examples as tensors (made once). */
const nativeNets = new Map();
async function nativeNet({ name, net, file, mobileNetDir }) {
  if (nativeNets.has(name)) return nativeNets.get(name);
  const model = net.mobileNet ? await convas.loadModel(mobileNetDir) : nativeChain(net);
  model.compile({ optimizer: net.optimizer, loss: 'categoricalCrossentropy' });
  const data = await readNativeData(file, net);
  const examples = data.labels.length, classes = classesOf(net);
  const x = convas.tensor(data.x, [examples, ...net.input]);
  const y = convas.tensor(data.oneHot, [examples, classes]);
  const xInfer = convas.tensor(data.x.subarray(0, net.inferBatch * (data.x.length / examples)), [net.inferBatch, ...net.input]);
  const entry = { model, x, y, xInfer };
  nativeNets.set(name, entry);
  return entry;
}

/** A model read from an ONNX file of bench/onnx.mjs, with its input (NCHW, as ONNX Runtime takes it), made once. */
const onnxModels = new Map();
async function onnxModel({ file, input, shape }) {
  if (onnxModels.has(file)) return onnxModels.get(file);
  const model = await convas.loadModel(file, { inputLayout: 'NCHW' });
  const x = convas.tensor(new Float32Array(new Uint8Array(readFileSync(input)).buffer), shape);
  onnxModels.set(file, { model, x });
  return { model, x };
}

const memoryNow = () => ({ bufferBytes: kernels.memory.buffer.byteLength, bytesInUse: memory.bytesInUse });

/** The MobileNetV2 from the bench's TF.js files (bench/mobilenet-files.mjs), loaded once, with its batches. */
let mobileNet;
async function loadMobileNet(dir) {
  if (mobileNet) return mobileNet;
  const model = await convas.loadModel(dir);
  model.compile({ optimizer: { type: 'sgd', learningRate: MOBILENET.learningRate }, loss: 'categoricalCrossentropy' });
  const batch = (n) => { const b = mobileNetBatch(n); return [convas.tensor(b.x, b.shape), convas.tensor(b.oneHot, b.labelShape)]; };
  mobileNet = { model, infer: new Map(MOBILENET.inferBatches.map((n) => [n, batch(n)[0]])), train: batch(MOBILENET.trainBatch) };
  return mobileNet;
}

/**
 * One training pass of a BatchNormalization layer (made once, through a model so that it is built
 * and planned as in fit): forward with the batch's statistics (moving statistics updated), then the
 * gradients of x, γ and β for a given dy.
 */
let batchNormCase;
function batchNormTraining() {
  if (batchNormCase) return batchNormCase.run;
  const { shape: [batch, ...example], momentum, epsilon } = BATCH_NORM;
  const layer = convas.layers.batchNormalization({ momentum, epsilon });
  const owner = convas.sequential({ inputShape: example, layers: [layer], seed: 1 }); // holds the weights
  layer.planBackward(true); // its gradients and backward's buffers, as a model's first training step makes them
  layer.plan(batch);
  const size = batch * example.reduce((a, b) => a * b, 1);
  const x = memory.alloc(size * 4), dy = memory.alloc(size * 4);
  memory.f32(x, size).set(randomArray(size, 1));
  memory.f32(dy, size).set(randomArray(size, 2));
  const run = () => {
    layer.forward([x], batch, true);
    layer.backward(dy, batch, true, true);
  };
  batchNormCase = { owner, run };
  return run;
}

serve({
  batchNormTraining: async ({ seconds }) => {
    const r = await timeBox(seconds, batchNormTraining());
    return { values: r.units * BATCH_NORM.shape.reduce((a, b) => a * b, 1), ...r };
  },
  netTrain: async (args) => {
    const net = await nativeNet(args);
    return train(net.model, net.x, net.y, args.net.trainBatch, args.seconds);
  },
  netInfer: async (args) => {
    const { model, xInfer } = await nativeNet(args);
    // The MobileNet predicts as in its own section: batch normalisation folded (the others have none).
    const r = await timeBox(args.seconds, () => model.predict(xInfer, { batchSize: args.net.inferBatch, foldBatchNorm: args.net.mobileNet === true }).dispose());
    return { images: r.units * args.net.inferBatch, ...r };
  },
  onnxInfer: async (args) => {
    const { model, x } = await onnxModel(args);
    const r = await timeBox(args.seconds, () => model.predict(x).dispose());
    return { images: r.units * args.shape[0], ...r };
  },
  mobileNetInfer: async ({ dir, batch, seconds }) => {
    const { model, infer } = await loadMobileNet(dir);
    const r = await timeBox(seconds, () => model.predict(infer.get(batch), { batchSize: batch, foldBatchNorm }).dispose());
    return { images: r.units * batch, ...r };
  },
  mobileNetTrain: async ({ dir, seconds }) => {
    const { model, train: [x, y] } = await loadMobileNet(dir);
    const r = await timeBox(seconds, () => model.fit(x, y, { epochs: 1, batchSize: MOBILENET.trainBatch, shuffle: false }));
    return { images: r.units * MOBILENET.trainBatch, ...r };
  },
  info: async () => ({ threadsSupported: threaded, threads, simd }),
  /** Wasm memory after 1 and after 10 epochs of a fresh model: a model allocates once, so they must match. */
  memory: async ({ epochs }) => {
    const fresh = makeModel();
    const fitOptions = { batchSize: NET.trainBatch };
    await fresh.fit(x, y, { ...fitOptions, epochs: 1 });
    const after1 = memoryNow();
    await fresh.fit(x, y, { ...fitOptions, epochs: epochs - 1 });
    const afterN = memoryNow();
    fresh.dispose();
    return { after1, afterN, epochs, equal: after1.bufferBytes === afterN.bufferBytes && after1.bytesInUse === afterN.bytesInUse };
  },
  train: async ({ seconds }) => {
    model ??= makeModel();
    return train(model, x, y, NET.trainBatch, seconds);
  },
  infer: async ({ seconds }) => {
    model ??= makeModel();
    const r = await timeBox(seconds, () => model.predict(xInfer, { batchSize: NET.inferBatch }).dispose());
    return { images: r.units * NET.inferBatch, ...r };
  },
  layer: async ({ id, seconds }) => {
    const run = layerCase(id);
    const r = await timeBox(seconds, run);
    return { flops: r.units * LAYER_CASES.find((c) => c.id === id).flops, ...r };
  },
});
