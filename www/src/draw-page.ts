// The Draw page: a digit drawn by hand, the model's ten probabilities, and every layer's output
// for that drawing, beside the learned first-layer filters.
import { type Model, init, tensor } from '../../src/index.js';
import { createTrainer } from '../../src/worker/index.js';
import { createDigitPad } from './digit-pad.js';
import { SIDE, loadDigits, testDigitName } from './digits.js';
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

/** The status while a model is ready; shown again when the user clears or draws, so it no longer names a test digit shown before. */
const showDrawHint = () => model && setStatus(status, 'Draw a digit: the prediction follows each stroke.');
/** How many strokes the user started or clears: a test digit asked for before one of those, still downloading, would wipe it. */
let edits = 0;
const userEdited = () => {
  edits++;
  showDrawHint();
};
const pad = createDigitPad(byId<HTMLCanvasElement>('pad'), predict, userEdited);
byId('clear').addEventListener('click', () => {
  pad.clear();
  predict();
  userEdited();
});
// Without a pointer (a keyboard), or to see a digit the model never trained on: one of the held-out digits, at random.
byId('sample').addEventListener('click', async () => {
  const asked = edits;
  try {
    const { test } = await loadDigits();
    if (edits !== asked) return; // the user's later drawing wins
    const pixels = SIDE * SIDE;
    const i = Math.floor(Math.random() * test.count);
    pad.clear();
    pad.show(test.images.subarray(i * pixels, (i + 1) * pixels));
    setStatus(status, `${testDigitName(test, i)}: ${model ? 'the model never trained on it.' : 'no model reads it yet; train one on the Train page, or a quick one here.'}`);
  } catch (error) {
    setStatus(status, errorText(error), true);
  }
});

/** The digit the live region last said (-1: none). */
let saidDigit = -1;

function showProbabilities(outputs: Float32Array | undefined): void {
  const best = outputs ? outputs.indexOf(Math.max(...outputs)) : -1;
  // A softmax gives probabilities; a model ending otherwise (a linear output, trained with MSE) gives scores.
  const probabilities = !outputs || (outputs.every((v) => v >= 0 && v <= 1) && Math.abs(outputs.reduce((a, b) => a + b, 0) - 1) < 1e-3);
  const low = outputs ? Math.min(0, ...outputs) : 0, high = outputs ? Math.max(...outputs) : 1;
  const width = (v: number) => (probabilities ? v : high > low ? (v - low) / (high - low) : 0);
  const label = (v: number) => (probabilities ? `${(100 * v).toFixed(1)}%` : v.toFixed(2));
  const confidence = best < 0 ? '' : probabilities ? `${label(outputs![best])} sure` : `score ${label(outputs![best])} (not probabilities)`;
  byId('digit').textContent = best < 0 ? '?' : String(best);
  byId('confidence').textContent = confidence;
  // Screen readers hear the prediction when the digit changes, not again at every frame of a stroke.
  if (best !== saidDigit) byId('prediction-said').textContent = best < 0 ? '' : `Prediction: ${best}, ${confidence}`;
  saidDigit = best;
  byId('bars').replaceChildren(...Array.from({ length: 10 }, (_, digit) => {
    const v = outputs?.[digit] ?? 0;
    const bar = document.createElement('div');
    bar.className = digit === best ? 'bar best' : 'bar';
    bar.innerHTML = `<span>${digit}</span><i style="width:${(100 * width(v)).toFixed(1)}%"></i><span>${label(v)}</span>`;
    return bar;
  }));
}

function predict(): void {
  const pixels = pad.pixels();
  if (!model || !pixels) {
    // Nothing drawn (or cleared): no maps of an earlier drawing stay.
    byId('input-view').replaceChildren();
    byId('layers').replaceChildren();
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
  // activations() gives the computing layers' outputs; a graph model's `layers` (one loaded from
  // ONNX, say) lists its input layers too, as in TF.js, which compute nothing.
  const computing = model.layers.filter((layer) => layer.className !== 'InputLayer');
  byId('layers').replaceChildren(...computing.map((layer, i) => {
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
  showDrawHint();
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
