// MobileNetV1 and MobileNetV2 built in tfjs-layers with the Keras applications' layer names and
// structure, for the bench and the tests (both pass in their own tfjs-layers, so that one copy of
// TF.js runs). No pretrained weights: Keras's initialisers (Glorot uniform), with random batch-norm
// statistics. TF.js draws them from Math.random unless given a seed: `seed` makes the net the same
// in every run (each kernel seeded with seed + its index).

/** Keras's _make_divisible: channels rounded to a multiple of 8, never more than 10% below v. */
const makeDivisible = (v, divisor = 8) => {
  const rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
};

/** The kernel initialisers of one net, in layer order: Glorot uniform, seeded when `seed` is given. */
const kernelInitializers = (tfl, seed) => {
  let index = 0;
  return () => (seed === undefined ? 'glorotUniform' : tfl.initializers.glorotUniform({ seed: seed + index++ }));
};

/** Keras's imagenet_utils.correct_pad for a 3×3 stride-2 window: one more row and column at the end of even sizes. */
const correctPad = ([height, width]) => [[height % 2, 1], [width % 2, 1]];

/**
 * Keras MobileNet (V1): stride-2 depthwise convolutions after a ZeroPadding2D ((0,1),(0,1)), and a
 * 1×1 convolution as the classifier after Keras's Dropout(dropout). Its ReLU6 layers are
 * Activation('relu6'), as in the Keras 2.1 files TF.js hosts (newer Keras writes ReLU(6.), which
 * the MobileNetV2 below has): both ways of writing it are covered.
 */
export function mobileNetV1(tfl, { alpha = 0.25, inputShape = [224, 224, 3], classes = 1000, dropout = 1e-3, seed } = {}) {
  const L = tfl.layers;
  const kernel = kernelInitializers(tfl, seed);
  const bnRelu = (x, name) => L.activation({ activation: 'relu6', name: `${name}_relu` }).apply(L.batchNormalization({ name: `${name}_bn` }).apply(x));
  const input = tfl.input({ shape: inputShape, name: 'input_1' });
  let x = L.conv2d({ filters: Math.floor(32 * alpha), kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: kernel(), name: 'conv1' }).apply(input);
  x = bnRelu(x, 'conv1');
  const blocks = [[64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1]];
  blocks.forEach(([filters, stride], i) => {
    const id = i + 1;
    if (stride === 2) x = L.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `conv_pad_${id}` }).apply(x);
    x = L.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: stride === 1 ? 'same' : 'valid', useBias: false, depthwiseInitializer: kernel(), name: `conv_dw_${id}` }).apply(x);
    x = bnRelu(x, `conv_dw_${id}`);
    x = L.conv2d({ filters: Math.floor(filters * alpha), kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: kernel(), name: `conv_pw_${id}` }).apply(x);
    x = bnRelu(x, `conv_pw_${id}`);
  });
  x = L.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }).apply(x);
  x = L.reshape({ targetShape: [1, 1, Math.floor(1024 * alpha)], name: 'reshape_1' }).apply(x);
  x = L.dropout({ rate: dropout, name: 'dropout' }).apply(x);
  x = L.conv2d({ filters: classes, kernelSize: 1, padding: 'same', kernelInitializer: kernel(), name: 'conv_preds' }).apply(x);
  x = L.activation({ activation: 'softmax', name: 'act_softmax' }).apply(x);
  x = L.reshape({ targetShape: [classes], name: 'reshape_2' }).apply(x);
  return tfl.model({ inputs: input, outputs: x, name: `mobilenet_${alpha.toFixed(2)}_${inputShape[0]}` });
}

/** Keras MobileNetV2: inverted residual blocks with ReLU(6), correct_pad before stride-2 depthwise convolutions. */
export function mobileNetV2(tfl, { alpha = 0.35, inputShape = [96, 96, 3], classes = 10, seed } = {}) {
  const L = tfl.layers;
  const kernel = kernelInitializers(tfl, seed);
  const bn = (x, name) => L.batchNormalization({ epsilon: 1e-3, momentum: 0.999, name }).apply(x);
  const relu6 = (x, name) => L.reLU({ maxValue: 6, name }).apply(x);
  const input = tfl.input({ shape: inputShape, name: 'input_1' });
  let x = L.conv2d({ filters: makeDivisible(32 * alpha), kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: kernel(), name: 'Conv1' }).apply(input);
  x = relu6(bn(x, 'bn_Conv1'), 'Conv1_relu');
  const blocks = [
    [16, 1, 1], [24, 2, 6], [24, 1, 6], [32, 2, 6], [32, 1, 6], [32, 1, 6], [64, 2, 6], [64, 1, 6], [64, 1, 6], [64, 1, 6],
    [96, 1, 6], [96, 1, 6], [96, 1, 6], [160, 2, 6], [160, 1, 6], [160, 1, 6], [320, 1, 6],
  ];
  blocks.forEach(([filters, stride, expansion], id) => {
    const inputs = x;
    const inChannels = x.shape[3];
    const pointwiseFilters = makeDivisible(Math.floor(filters * alpha));
    let prefix = `block_${id}_`;
    if (id) {
      x = L.conv2d({ filters: expansion * inChannels, kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: kernel(), name: `${prefix}expand` }).apply(x);
      x = relu6(bn(x, `${prefix}expand_BN`), `${prefix}expand_relu`);
    } else {
      prefix = 'expanded_conv_';
    }
    if (stride === 2) x = L.zeroPadding2d({ padding: correctPad(x.shape.slice(1, 3)), name: `${prefix}pad` }).apply(x);
    x = L.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: stride === 1 ? 'same' : 'valid', useBias: false, depthwiseInitializer: kernel(), name: `${prefix}depthwise` }).apply(x);
    x = relu6(bn(x, `${prefix}depthwise_BN`), `${prefix}depthwise_relu`);
    x = L.conv2d({ filters: pointwiseFilters, kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: kernel(), name: `${prefix}project` }).apply(x);
    x = bn(x, `${prefix}project_BN`);
    if (inChannels === pointwiseFilters && stride === 1) x = L.add({ name: `${prefix}add` }).apply([inputs, x]);
  });
  x = L.conv2d({ filters: alpha > 1 ? makeDivisible(1280 * alpha) : 1280, kernelSize: 1, useBias: false, kernelInitializer: kernel(), name: 'Conv_1' }).apply(x);
  x = relu6(bn(x, 'Conv_1_bn'), 'out_relu');
  x = L.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x);
  x = L.dense({ units: classes, activation: 'softmax', kernelInitializer: kernel(), name: 'predictions' }).apply(x);
  return tfl.model({ inputs: input, outputs: x, name: `mobilenetv2_${alpha.toFixed(2)}_${inputShape[0]}` });
}

/**
 * Random batch-norm parameters and moving statistics, as a trained net might have them: γ in
 * [0.5, 1.5), β in [−0.5, 0.5), and moving statistics near the statistics each normalisation sees on
 * a few random images in [−1, 1) (mean within ±0.25 standard deviations of it, variance 0.5 to 1.5
 * times it). Statistics drawn without looking at the activations (say, the variance near 1) let
 * the signal fade through a random net until every image gives the same prediction: nothing to
 * compare, and nothing a new head could learn from. One forward pass, layer by layer in the
 * model's order, each normalisation set before its output is computed. `next()` gives uniform
 * [0, 1) numbers (images and draws).
 */
export function randomizeBatchNorm(tf, model, next) {
  const uniform = (n, low, high) => Float32Array.from({ length: n }, () => low + (high - low) * next());
  const [, ...shape] = model.inputs[0].shape;
  const images = 4;
  const values = new Map([[model.inputs[0], tf.tensor(uniform(images * shape.reduce((a, b) => a * b, 1), -1, 1), [images, ...shape])]]);
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const inputs = [layer.input].flat().map((t) => values.get(t));
    if (layer.getClassName() === 'BatchNormalization') {
      const x = inputs[0];
      const { mean, variance } = tf.moments(x, x.shape.map((_, axis) => axis).slice(0, -1));
      const m = mean.dataSync(), v = variance.dataSync(), channels = m.length;
      const draws = { gamma: uniform(channels, 0.5, 1.5), beta: uniform(channels, -0.5, 0.5), mean: uniform(channels, -0.25, 0.25), variance: uniform(channels, 0.5, 1.5) };
      const arrays = {
        gamma: draws.gamma, beta: draws.beta,
        moving_mean: m.map((mu, c) => mu + draws.mean[c] * Math.sqrt(v[c])),
        moving_variance: v.map((s, c) => s * draws.variance[c]),
      };
      layer.setWeights(layer.weights.map((w) => tf.tensor(arrays[/[^/]*$/.exec(w.originalName ?? w.name)[0]], w.shape)));
    }
    values.set(layer.output, layer.apply(inputs.length === 1 ? inputs[0] : inputs));
  }
  for (const t of values.values()) t.dispose();
}
