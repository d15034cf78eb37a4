// The head-training job in a process of its own: `node peer-transfer.mjs <bundle> <threads> <base dir>`.
// The base is cut at out_relu (pooled, frozen), run once over every image (the embeddings), and a
// head (dense 100 relu, dense softmax: the command line's defaults) trains on them for 50 epochs.
import { serve, startClock } from './child.mjs';
import { randomArray } from './data.mjs';

const convas = await import(process.argv[2]);
const threads = Number(process.argv[3]);
const { kernels } = await convas.init(threads > 1 ? { threads } : undefined);
const base = await convas.loadModel(process.argv[4]);
const HEAD = { epochs: 50, batchSize: 16, hiddenUnits: 100 };

let images;

serve({
  info: () => ({ threads, threaded: kernels.memory.buffer instanceof SharedArrayBuffer, baseLayers: base.layers.length }),
  /** Embeddings and head for `perClass` images of each of `classes` classes: wall seconds of each step. */
  job: async ({ classes, perClass }) => {
    const n = classes * perClass;
    images ??= randomArray(n * base.inputShape.reduce((a, b) => a * b, 1)); // in [-1, 1], as MobileNets take pictures
    const clock = startClock();
    const features = convas.cutModel(base, 'out_relu', { pooling: 'avg' });
    const embeddings = await convas.embed(features, images);
    const embedSeconds = clock.elapsed();
    const head = convas.sequential({ inputShape: features.outputShape, seed: 1, layers: [
      convas.layers.dense({ units: HEAD.hiddenUnits, activation: 'relu' }), convas.layers.dense({ units: classes, activation: 'softmax' })] });
    head.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const labels = convas.oneHot(Uint8Array.from({ length: n }, (_, i) => i % classes), classes);
    const y = convas.tensor(labels, [n, classes]);
    await head.fit(embeddings, y, { epochs: HEAD.epochs, batchSize: HEAD.batchSize, shuffle: true });
    const { seconds } = clock.stop();
    [embeddings, y].forEach((t) => t.dispose());
    head.dispose();
    return { seconds, embedSeconds, headSeconds: seconds - embedSeconds, images: n, head: HEAD };
  },
});
