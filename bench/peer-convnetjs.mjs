// ConvNetJS: the same net with its own layers (conv, pool, and a softmax layer that brings its own
// fully-connected layer), trained by its 'sgd' Trainer with momentum and batch_size 32. It works on
// one Vol (one image) at a time: train() per image, with the weight update every 32nd call.
import { createRequire } from 'node:module';
import { serve, timeBox } from './child.mjs';
import { NET, TRAIN_EXAMPLES, dataset } from './data.mjs';

const convnetjs = createRequire(import.meta.url)('convnetjs');

const net = new convnetjs.Net();
net.makeLayers([
  { type: 'input', out_sx: NET.width, out_sy: NET.height, out_depth: NET.channels },
  { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
  { type: 'pool', sx: 2, stride: 2 },
  { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
  { type: 'pool', sx: 2, stride: 2 },
  { type: 'softmax', num_classes: NET.classes },
]);
const trainer = new convnetjs.Trainer(net, {
  method: 'sgd', learning_rate: NET.learningRate, momentum: NET.momentum, batch_size: NET.trainBatch, l2_decay: 0,
});

// Vols made once, outside the timing (ConvNetJS keeps pixels in a Float64Array per Vol, [y][x][depth]).
const data = dataset(TRAIN_EXAMPLES);
const vols = Array.from({ length: data.n }, (_, i) => {
  const v = new convnetjs.Vol(NET.width, NET.height, NET.channels, 0);
  v.w.set(data.x.subarray(i * data.pixels, (i + 1) * data.pixels));
  return v;
});
let next = 0;

serve({
  info: async () => ({ layers: net.layers.map((l) => l.layer_type).join(' → ') }),
  train: async ({ seconds }) => {
    const r = await timeBox(seconds, () => {
      for (let i = 0; i < NET.trainBatch; i++, next++) trainer.train(vols[next % data.n], data.labels[next % data.n]);
    });
    return { images: r.units * NET.trainBatch, ...r };
  },
  infer: async ({ seconds }) => {
    const r = await timeBox(seconds, () => {
      for (let i = 0; i < NET.inferBatch; i++) net.forward(vols[i % data.n], false);
    });
    return { images: r.units * NET.inferBatch, ...r };
  },
});
