// The Train page: pick or edit a network, train it in a worker with live curves, save and load models.
// The model kept in this browser (the Draw page's) is replaced by a newly trained one only when that
// one does better on the test digits, or when the user keeps it: never silently by a worse one.
import { type Model, init } from '../../src/index.js';
import { type TrainCallbacks, type TrainResult, createTrainer } from '../../src/worker/index.js';
import { type Digits, loadDigits } from './digits.js';
import { byId, errorText, fieldNumber, setStatus, wholeFrom } from './dom.js';
import { type Series, drawLineChart } from './line-chart.js';
import { downloadModel, loadCurrentModel, loadModelFromFiles, loadModelFromUrl, saveCurrentModel } from './model-store.js';
import { workOffline } from './offline.js';
import { defaultPreset, presets } from './presets.js';
import { type TrainingSettings, checkDigitModel, digitsRequest, modelFromResult, testAccuracy } from './training.js';

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
/** The newest model on this page, trained or loaded, and its accuracy on the test digits. */
let model: Model | undefined;
let modelAccuracy = 0;
/** The test accuracy of the model kept in this browser, if one is. */
let keptAccuracy: number | undefined;
/** The whole epochs the last run trained (a resumed run starts after them). */
let epochsDone = 0;
/** Said with the progress of a resumed run whose fields were changed since it started. */
let progressNote = '';
const RESUME_NOTE = 'resumed with the settings it started with; the fields changed since apply to the next Train';

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
  let layers;
  try {
    layers = JSON.parse(layersText.value);
  } catch (error) {
    throw new Error(`the layers are not valid JSON: ${errorText(error)}`);
  }
  const patience = byId<HTMLSelectElement>('early-stopping').value;
  return {
    layers, optimizer: byId<HTMLSelectElement>('optimizer').value as TrainingSettings['optimizer'],
    loss: byId<HTMLSelectElement>('loss').value as TrainingSettings['loss'],
    schedule: byId<HTMLSelectElement>('schedule').value as TrainingSettings['schedule'],
    learningRate: fieldNumber('learning-rate', 'Learning rate', (n) => n > 0 && Number.isFinite(n), 'a number above 0'),
    batchSize: fieldNumber('batch-size', 'Batch size', wholeFrom(1), 'a whole number of at least 1'),
    epochs: fieldNumber('epochs', 'Epochs', wholeFrom(1), 'a whole number of at least 1'),
    seed: fieldNumber('seed', 'Seed', wholeFrom(0), 'a whole number of at least 0'),
    ...(patience === '' ? {} : { earlyStoppingPatience: Number(patience) }),
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
    setStatus(status, `Training: epoch ${epoch + 1}, batch ${batch + 1} of ${batchesPerEpoch()}${progressNote}`);
    drawCharts();
  },
  onEpochEnd: (epoch, logs) => {
    curves.valLoss.points.push([epoch + 1, logs.val_loss!]);
    curves.valAcc.points.push([epoch + 1, logs.val_acc!]);
    stat('val', percent(logs.val_acc!));
    drawCharts();
  },
};

/** Makes `loaded` the page's model, with its accuracy shown. */
function showModel(loaded: Model, accuracy: number): void {
  if (model !== loaded) model?.dispose();
  model = loaded;
  modelAccuracy = accuracy;
  stat('val', percent(accuracy));
  buttons.saveBrowser.disabled = buttons.download.disabled = false;
}

/** Keeps the page's model in this browser, where the Draw page finds it. */
async function keepModel(): Promise<void> {
  await saveCurrentModel(model!);
  keptAccuracy = modelAccuracy;
  showKeptAccuracy();
}

const showKeptAccuracy = () =>
  setStatus(modelStatus, `The model kept in this browser: ${percent(keptAccuracy!)} on the test digits; the Draw page uses it.`);

/** The test accuracy of the model kept in this browser now: another tab may have kept one since this page loaded. */
async function keptModelAccuracy(): Promise<number | undefined> {
  // One that cannot be read, does not read the digits (loadCurrentModel refuses it), or fails on them counts as none.
  const kept = await loadCurrentModel().catch(() => undefined);
  if (!kept) return undefined;
  try {
    return testAccuracy(kept, digits!.test);
  } catch {
    return undefined;
  } finally {
    kept.dispose();
  }
}

async function run(training: Promise<TrainResult>): Promise<void> {
  setRunning(true);
  try {
    const result = await training;
    epochsDone = result.epochsDone;
    const trained = modelFromResult(result, settings!);
    showModel(trained, testAccuracy(trained, digits!.test));
    setRunning(false);
    buttons.resume.disabled = !result.stopped;
    const early = result.stoppedEarly;
    const outcome = early
      ? `Stopped early after epoch ${early.epoch + 1}: the test loss had not improved for ${settings!.earlyStoppingPatience} epoch(s). ` +
        `Kept the weights of epoch ${early.bestEpoch + 1}: ${percent(modelAccuracy)} on the test digits.`
      : result.stopped
        ? `Stopped after ${result.epochsDone} full epoch(s), ${percent(modelAccuracy)} on the test digits; Resume continues.`
        : `Done: ${result.epochsDone} epoch(s), ${percent(modelAccuracy)} on the test digits.`;
    keptAccuracy = await keptModelAccuracy();
    if (keptAccuracy !== undefined && modelAccuracy <= keptAccuracy) {
      showKeptAccuracy(); // it may be another tab's, kept since this page loaded
      setStatus(status, `${outcome} The model kept in this browser does as well or better (${percent(keptAccuracy)}) and stays ` +
        'for the Draw page; "Keep in this browser" replaces it with this one.');
      return;
    }
    await keepModel();
    setStatus(status, `${outcome} Kept in this browser: try it on the Draw page.`);
  } catch (error) {
    setRunning(false);
    const kept = keptAccuracy === undefined ? '' : ' The model kept in this browser is unchanged.';
    setStatus(status, `${errorText(error)}${kept}`, true);
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
  for (const id of ['epoch', 'acc', 'val', 'speed']) stat(id, '–'); // the last run's figures are not this one's
  drawCharts();
  progressNote = '';
  setStatus(status, 'Starting…');
  void run(trainer.train(digitsRequest(settings, digits!), callbacks));
});
buttons.stop.addEventListener('click', () => {
  buttons.stop.disabled = true;
  trainer.stop();
});
buttons.resume.addEventListener('click', () => {
  // The worker continues the run it stopped, as it was set up: fields changed since apply to the next Train.
  let changed = false;
  try {
    changed = JSON.stringify(readSettings()) !== JSON.stringify(settings);
  } catch {
    changed = true;
  }
  progressNote = changed ? ` (${RESUME_NOTE})` : '';
  // The stopped epoch's batches are trained again: its points go, so the curves do not double back.
  for (const series of [curves.loss, curves.acc]) series.points = series.points.filter(([x]) => x <= epochsDone);
  drawCharts();
  setStatus(status, `Resuming${progressNote}`);
  void run(trainer.resume(callbacks));
});

async function useLoaded(load: () => Promise<Model>, what: string): Promise<void> {
  setStatus(modelStatus, `Loading ${what}…`);
  try {
    const loaded = await load();
    try {
      checkDigitModel(loaded);
    } catch (error) {
      loaded.dispose();
      throw error;
    }
    showModel(loaded, testAccuracy(loaded, digits!.test));
    await keepModel(); // loading a model is choosing it
    setStatus(modelStatus, `Loaded ${what}: ${percent(modelAccuracy)} on the test digits. The Draw page uses it now.`);
  } catch (error) {
    setStatus(modelStatus, errorText(error), true);
  }
}

async function saveWith(save: (model: Model) => Promise<unknown>, done: string): Promise<void> {
  try {
    await save(model!);
    setStatus(modelStatus, done);
  } catch (error) {
    setStatus(modelStatus, errorText(error), true);
  }
}

buttons.saveBrowser.addEventListener('click', () => void saveWith(keepModel, 'Kept in this browser: the Draw page uses it now.'));
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
  else setStatus(modelStatus, 'Type the URL of a model (its model.json) first', true);
});

for (const name of Object.keys(presets)) preset.add(new Option(name, name));
const EDITED = 'edited';
preset.add(new Option('Edited (no preset)', EDITED));
const presetText = (name: string) => `[\n${presets[name].map((l) => `  ${JSON.stringify(l)}`).join(',\n')}\n]`;
const showPreset = () => {
  if (preset.value !== EDITED) layersText.value = presetText(preset.value);
};
preset.value = defaultPreset;
preset.addEventListener('change', showPreset);
// Once edited, the layers are no preset's; edited back to one, they are that one again.
layersText.addEventListener('input', () => (preset.value = Object.keys(presets).find((name) => presetText(name) === layersText.value) ?? EDITED));
showPreset();
addEventListener('resize', drawCharts);
drawCharts();
workOffline();

/** The model kept in this browser by an earlier visit, shown as the page's model. */
async function showKeptModel(): Promise<void> {
  const kept = await loadCurrentModel().catch((error) => {
    setStatus(modelStatus, errorText(error), true);
    return undefined;
  });
  if (!kept) return;
  showModel(kept, testAccuracy(kept, digits!.test));
  keptAccuracy = modelAccuracy;
  showKeptAccuracy();
}

try {
  [digits] = await Promise.all([loadDigits(), init()]);
  buttons.train.disabled = false;
  await showKeptModel();
  setStatus(status, `Ready: ${digits.train.count.toLocaleString('en')} training and ${digits.test.count.toLocaleString('en')} test digits.`);
} catch (error) {
  setStatus(status, `Could not load the digits: ${errorText(error)}`, true);
}
