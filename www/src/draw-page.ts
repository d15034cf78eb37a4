// The Draw page: a digit drawn by hand, the model's ten probabilities, and every layer's output
// for that drawing, beside the learned first-layer filters.
import { type Model, init, tensor } from '../../src/index.js';
import { createTrainer } from '../../src/worker/index.js';
import { createDigitPad } from './digit-pad.js';
import { SIDE, loadDigits } from './digits.js';
import { byId, errorText, setStatus } from './dom.js';
import { featureMaps, filterMaps, showMaps, vectorMap } from './maps.js';
import { loadCurrentModel, saveCurrentModel } from './model-store.js';
import { workOffline } from './offline.js';
import { defaultPreset, presets } from './presets.js';
import { type TrainingSettings, digitsRequest, modelFromResult } from './training.js';

const status = byId('status');
const quickTrain = byId<HTMLButtonElement>('quick-train');
const QUICK: TrainingSettings = {
  layers: presets[defaultPreset], optimizer: 'adam', loss: 'categoricalCrossentropy', learningRate: 0.002, schedule: 'constant', batchSize: 32, epochs: 1, seed: 1,
};
let model: Model | undefined;

const pad = createDigitPad(byId<HTMLCanvasElement>('pad'), predict);
byId('clear').addEventListener('click', () => {
  pad.clear();
  predict();
});

function showProbabilities(probabilities: Float32Array | undefined): void {
  const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
  byId('digit').textContent = best < 0 ? '?' : String(best);
  byId('confidence').textContent = best < 0 ? '' : `${(100 * probabilities![best]).toFixed(1)}% sure`;
  byId('bars').replaceChildren(...Array.from({ length: 10 }, (_, digit) => {
    const p = probabilities?.[digit] ?? 0;
    const bar = document.createElement('div');
    bar.className = digit === best ? 'bar best' : 'bar';
    bar.innerHTML = `<span>${digit}</span><i style="width:${(100 * p).toFixed(1)}%"></i><span>${(100 * p).toFixed(1)}%</span>`;
    return bar;
  }));
}

function predict(): void {
  const pixels = pad.pixels();
  if (!model || !pixels) {
    showProbabilities(undefined);
    return;
  }
  const x = tensor(pixels, [1, SIDE, SIDE, 1]);
  const outputs = model.activations(x).map((t) => {
    const values = t.dataSync();
    t.dispose();
    return values;
  });
  x.dispose();
  showMaps(byId('input-view'), 'Input', `${SIDE}×${SIDE}, as the network gets it`, featureMaps(pixels, [SIDE, SIDE, 1], 84));
  byId('layers').replaceChildren(...model.layers.map((layer, i) => {
    const shape = layer.outputShape;
    const view = document.createElement('div');
    view.className = 'layer';
    showMaps(view, `${layer.name} (${layer.className})`, shape.join('×'),
      shape.length === 3 ? featureMaps(outputs[i], shape) : [vectorMap(outputs[i])]);
    return view;
  }));
  showProbabilities(outputs[outputs.length - 1]);
}

function useModel(loaded: Model): void {
  model?.dispose();
  model = loaded;
  const kernel = model.getWeights().find((w) => w.rank === 4);
  if (kernel) showMaps(byId('filters'), `${kernel.shape[3]} filters`, kernel.shape.join('×'), filterMaps(kernel.dataSync(), kernel.shape));
  else byId('filters').textContent = 'This model has no convolution layer.';
  setStatus(status, 'Draw a digit: the prediction follows each stroke.');
  predict();
}

/** One epoch of the small CNN in a worker (a few seconds), kept as the site's model. */
async function trainQuickModel(): Promise<void> {
  quickTrain.disabled = true;
  const trainer = createTrainer(new URL('./worker.js', import.meta.url));
  try {
    setStatus(status, 'Loading digits…');
    const digits = await loadDigits();
    const result = await trainer.train(digitsRequest(QUICK, digits), {
      onBatchEnd: ({ batch, acc }) => setStatus(status, `Training a quick model: batch ${batch + 1}, accuracy ${(100 * acc).toFixed(1)}%`),
    });
    const trained = modelFromResult(result, QUICK);
    await saveCurrentModel(trained);
    quickTrain.hidden = true;
    useModel(trained);
  } catch (error) {
    setStatus(status, errorText(error), true);
    quickTrain.disabled = false;
  } finally {
    trainer.terminate();
  }
}

quickTrain.addEventListener('click', () => void trainQuickModel());
showProbabilities(undefined);
workOffline();
await init();
try {
  const saved = await loadCurrentModel();
  if (saved) useModel(saved);
  else {
    quickTrain.hidden = false;
    setStatus(status, 'No trained model in this browser yet: train one on the Train page, or a quick one here.');
  }
} catch (error) {
  quickTrain.hidden = false;
  setStatus(status, errorText(error), true);
}
