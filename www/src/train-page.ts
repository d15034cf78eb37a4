// The Train page: pick or edit a network, train it in a worker with live curves, save and load models.
import { type Model, init } from '../../src/index.js';
import { type TrainCallbacks, type TrainResult, createTrainer } from '../../src/worker/index.js';
import { type Digits, loadDigits } from './digits.js';
import { byId, errorText, setStatus } from './dom.js';
import { type Series, drawLineChart } from './line-chart.js';
import { downloadModel, loadModelFromFiles, loadModelFromUrl, saveCurrentModel } from './model-store.js';
import { workOffline } from './offline.js';
import { defaultPreset, presets } from './presets.js';
import { type TrainingSettings, digitsRequest, modelFromResult, testAccuracy } from './training.js';

const preset = byId<HTMLSelectElement>('preset');
const layersText = byId<HTMLTextAreaElement>('layers');
const status = byId('status');
const modelStatus = byId('model-status');
const buttons = {
  train: byId<HTMLButtonElement>('train'), stop: byId<HTMLButtonElement>('stop'), resume: byId<HTMLButtonElement>('resume'),
  saveBrowser: byId<HTMLButtonElement>('save-browser'), download: byId<HTMLButtonElement>('download'),
};
const stat = (id: string, text: string) => (byId(`stat-${id}`).textContent = text);
const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

const trainer = createTrainer(new URL('./worker.js', import.meta.url));
let digits: Digits | undefined;
let settings: TrainingSettings | undefined;
let model: Model | undefined;

/** Curves: the running training loss/accuracy per batch, and test results per epoch (x in epochs). */
const curves = {
  loss: { label: 'train', color: '#3a6df0', points: [] } as Series,
  acc: { label: 'train', color: '#3a6df0', points: [] } as Series,
  valLoss: { label: 'test', color: '#17a36b', points: [], dots: true } as Series,
  valAcc: { label: 'test', color: '#17a36b', points: [], dots: true } as Series,
};
function drawCharts(): void {
  drawLineChart(byId<HTMLCanvasElement>('loss-chart'), [curves.loss, curves.valLoss]);
  drawLineChart(byId<HTMLCanvasElement>('acc-chart'), [curves.acc, curves.valAcc], [0, 1]);
}

function readSettings(): TrainingSettings {
  const number = (id: string) => Number(byId<HTMLInputElement>(id).value);
  let layers;
  try {
    layers = JSON.parse(layersText.value);
  } catch (error) {
    throw new Error(`the layers are not valid JSON: ${errorText(error)}`);
  }
  return {
    layers, optimizer: byId<HTMLSelectElement>('optimizer').value as TrainingSettings['optimizer'],
    learningRate: number('learning-rate'), batchSize: number('batch-size'), epochs: number('epochs'), seed: number('seed'),
  };
}

function setRunning(running: boolean): void {
  buttons.train.disabled = running;
  buttons.stop.disabled = !running;
  buttons.resume.disabled = true;
}

const batchesPerEpoch = () => Math.ceil(digits!.train.count / settings!.batchSize);

const callbacks: TrainCallbacks = {
  onBatchEnd: ({ epoch, batch, loss, acc, imagesPerSecond }) => {
    const x = epoch + (batch + 1) / batchesPerEpoch();
    curves.loss.points.push([x, loss]);
    curves.acc.points.push([x, acc]);
    stat('epoch', `${epoch + 1} / ${settings!.epochs}`);
    stat('acc', percent(acc));
    stat('speed', Math.round(imagesPerSecond).toLocaleString('en'));
    setStatus(status, `Training: epoch ${epoch + 1}, batch ${batch + 1} of ${batchesPerEpoch()}`);
    drawCharts();
  },
  onEpochEnd: (epoch, logs) => {
    curves.valLoss.points.push([epoch + 1, logs.val_loss!]);
    curves.valAcc.points.push([epoch + 1, logs.val_acc!]);
    stat('val', percent(logs.val_acc!));
    drawCharts();
  },
};

async function run(training: Promise<TrainResult>): Promise<void> {
  setRunning(true);
  try {
    const result = await training;
    model?.dispose();
    model = modelFromResult(result, settings!);
    await saveCurrentModel(model);
    setRunning(false);
    buttons.resume.disabled = !result.stopped;
    buttons.saveBrowser.disabled = buttons.download.disabled = false;
    setStatus(status, result.stopped
      ? `Stopped after ${result.epochsDone} full epoch(s). Resume continues; the Draw page uses this model.`
      : `Done: ${result.epochsDone} epoch(s). Try it on the Draw page.`);
  } catch (error) {
    setRunning(false);
    setStatus(status, errorText(error), true);
  }
}

buttons.train.addEventListener('click', () => {
  try {
    settings = readSettings();
  } catch (error) {
    setStatus(status, errorText(error), true);
    return;
  }
  for (const series of Object.values(curves)) series.points = [];
  drawCharts();
  setStatus(status, 'Starting…');
  void run(trainer.train(digitsRequest(settings, digits!), callbacks));
});
buttons.stop.addEventListener('click', () => {
  buttons.stop.disabled = true;
  trainer.stop();
});
buttons.resume.addEventListener('click', () => void run(trainer.resume(callbacks)));

async function useLoaded(load: () => Promise<Model>, what: string): Promise<void> {
  setStatus(modelStatus, `Loading ${what}…`);
  try {
    const loaded = await load();
    const accuracy = testAccuracy(loaded, digits!.test);
    model?.dispose();
    model = loaded;
    await saveCurrentModel(model);
    buttons.saveBrowser.disabled = buttons.download.disabled = false;
    setStatus(modelStatus, `Loaded ${what}: ${percent(accuracy)} on the test digits. The Draw page uses it now.`);
  } catch (error) {
    setStatus(modelStatus, errorText(error), true);
  }
}

async function saveWith(save: (model: Model) => Promise<void>, done: string): Promise<void> {
  try {
    await save(model!);
    setStatus(modelStatus, done);
  } catch (error) {
    setStatus(modelStatus, errorText(error), true);
  }
}

buttons.saveBrowser.addEventListener('click', () => void saveWith(saveCurrentModel, 'Saved in this browser (IndexedDB).'));
buttons.download.addEventListener('click', () => void saveWith(downloadModel, 'Downloaded convas-digits.json and its weights file.'));
const fileInput = byId<HTMLInputElement>('file');
byId('open-file').addEventListener('click', () => fileInput.click());
fileInput.addEventListener('change', () => {
  const files = [...(fileInput.files ?? [])];
  fileInput.value = '';
  if (files.length) void useLoaded(() => loadModelFromFiles(files), files.map((f) => f.name).join(' + '));
});
byId('load-url').addEventListener('click', () => {
  const url = byId<HTMLInputElement>('url').value.trim();
  if (url) void useLoaded(() => loadModelFromUrl(url), url);
});

for (const name of Object.keys(presets)) preset.add(new Option(name, name));
const showPreset = () => (layersText.value = `[\n${presets[preset.value].map((l) => `  ${JSON.stringify(l)}`).join(',\n')}\n]`);
preset.value = defaultPreset;
preset.addEventListener('change', showPreset);
showPreset();
addEventListener('resize', drawCharts);
drawCharts();
workOffline();

try {
  [digits] = await Promise.all([loadDigits(), init()]);
  buttons.train.disabled = false;
  setStatus(status, `Ready: ${digits.train.count.toLocaleString('en')} training and ${digits.test.count.toLocaleString('en')} test digits.`);
} catch (error) {
  setStatus(status, `Could not load the digits: ${errorText(error)}`, true);
}
