// The Teach page: Teachable Machine's job, offline and on this device. The user names classes and
// adds pictures (files, drag and drop, the webcam); a pretrained base (URL or files, then cached)
// is cut and frozen; a head trains on its features in the worker with live loss and accuracy; the
// model predicts on the webcam and on new files, and exports in TF.js and convas formats.
import { type Model, type RgbaImage, cutModel, imageToTensor, init, loadImage } from '../../src/index.js';
import { createTrainer } from '../../src/worker/index.js';
import { byId, errorText, fieldNumber, setStatus, wholeFrom } from './dom.js';
import { workOffline } from './offline.js';
import { cachedBase, classifier, defaultCut, headRequest, imageInput, keptPicture, loadBase, picturePixels } from './teach-model.js';

interface TaughtClass {
  name: HTMLInputElement;
  count: HTMLElement;
  pictures: RgbaImage[];
}

const status = byId('status');
const baseStatus = byId('base-status');
const cutSelect = byId<HTMLSelectElement>('cut');
const video = byId<HTMLVideoElement>('camera');
const buttons = {
  train: byId<HTMLButtonElement>('train'), exportTfjs: byId<HTMLButtonElement>('export-tfjs'), exportConvas: byId<HTMLButtonElement>('export-convas'),
};
const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

const trainer = createTrainer(new URL('./worker.js', import.meta.url));
const classes: TaughtClass[] = [];
let base: Model | undefined;
let taught: { model: Model; classNames: string[] } | undefined;
let training = false;

function updateButtons(): void {
  buttons.train.disabled = training || !base;
  buttons.exportTfjs.disabled = buttons.exportConvas.disabled = training || !taught;
}

function useBase(model: Model, from: string): void {
  base = model;
  taught = undefined;
  const cut = defaultCut(model);
  cutSelect.replaceChildren(...model.layers.map((l) => new Option(l.name, l.name, l.name === cut, l.name === cut)));
  cutSelect.disabled = false;
  const [height, width] = model.inputShape;
  setStatus(baseStatus, `${from}: ${model.name}, ${model.layers.length} layers, ${height}×${width} pictures, ${model.parameterCount.toLocaleString('en')} weights`);
  updateButtons();
}

async function loadBaseFrom(source: string | File[], from: string): Promise<void> {
  setStatus(baseStatus, 'Loading the base…');
  try {
    useBase(await loadBase(source), from);
  } catch (error) {
    setStatus(baseStatus, errorText(error), true);
  }
}

// --- classes and their pictures

function addPictures(taughtClass: TaughtClass, pictures: RgbaImage[]): void {
  taughtClass.pictures.push(...pictures.map(keptPicture));
  showCount(taughtClass);
}

function showCount(taughtClass: TaughtClass): void {
  const n = taughtClass.pictures.length;
  taughtClass.count.textContent = `${n} picture${n === 1 ? '' : 's'}`;
}

async function addFiles(taughtClass: TaughtClass, files: File[]): Promise<void> {
  const pictures: RgbaImage[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    try {
      pictures.push(keptPicture(await loadImage(file))); // shrunk at once: a hundred photos at full size take gigabytes
    } catch (error) {
      skipped.push(`${file.name} skipped: ${errorText(error)}`);
    }
  }
  addPictures(taughtClass, pictures);
  if (skipped.length) setStatus(status, skipped.join('; '), true);
}

/** The webcam's current frame, as pixels. */
function cameraFrame(): RgbaImage {
  const canvas = document.createElement('canvas');
  [canvas.width, canvas.height] = [video.videoWidth, video.videoHeight];
  const context = canvas.getContext('2d')!;
  context.drawImage(video, 0, 0);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

function addClass(): void {
  const element = document.createElement('div');
  element.className = 'teach-class';
  element.innerHTML = `<input class="class-name" aria-label="class name"><div class="buttons" style="margin-top:.4rem">
    <input class="class-files" type="file" multiple accept="image/*" style="flex:1"><button class="class-camera" disabled>Add a webcam frame</button></div>
    <div class="buttons" style="margin-top:.4rem"><button class="class-undo">Remove the last picture</button>
    <button class="class-clear">Remove all pictures</button><button class="class-remove">Remove this class</button></div>
    <p class="status class-count">0 pictures</p>`;
  const taughtClass: TaughtClass = { name: element.querySelector('.class-name')!, count: element.querySelector('.class-count')!, pictures: [] };
  taughtClass.name.value = `Class ${classes.length + 1}`;
  classes.push(taughtClass);
  const files = element.querySelector<HTMLInputElement>('.class-files')!;
  files.addEventListener('change', async () => {
    await addFiles(taughtClass, [...(files.files ?? [])]);
    files.value = '';
  });
  const camera = element.querySelector<HTMLButtonElement>('.class-camera')!;
  camera.disabled = !video.srcObject;
  camera.addEventListener('click', () => addPictures(taughtClass, [cameraFrame()]));
  // A model already taught keeps its classes: these change what the next training takes.
  element.querySelector('.class-undo')!.addEventListener('click', () => {
    taughtClass.pictures.pop();
    showCount(taughtClass);
  });
  element.querySelector('.class-clear')!.addEventListener('click', () => {
    taughtClass.pictures.length = 0;
    showCount(taughtClass);
  });
  element.querySelector('.class-remove')!.addEventListener('click', () => {
    classes.splice(classes.indexOf(taughtClass), 1);
    element.remove();
  });
  element.addEventListener('dragover', (event) => {
    event.preventDefault();
    element.classList.add('drop');
  });
  element.addEventListener('dragleave', () => element.classList.remove('drop'));
  element.addEventListener('drop', (event) => {
    event.preventDefault();
    element.classList.remove('drop');
    // Every dropped file, not only those typed image/*: the type is the system's guess from the name,
    // empty where it has none (a HEIC or AVIF on many systems, a name without an extension).
    // loadImage knows an image by its bytes, and addFiles names each file that is not one.
    void addFiles(taughtClass, [...(event.dataTransfer?.files ?? [])]);
  });
  byId('classes').append(element);
}

async function startCamera(): Promise<void> {
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    await video.play();
    video.hidden = false;
    document.querySelectorAll<HTMLButtonElement>('.class-camera').forEach((b) => (b.disabled = false));
    requestAnimationFrame(predictCamera);
  } catch (error) {
    setStatus(status, `No webcam: ${errorText(error)}`, true);
  }
}

// --- training and predicting

async function train(): Promise<void> {
  const used = classes.filter((c) => c.pictures.length > 0);
  if (!base || used.length < 2) {
    setStatus(status, 'Add pictures to at least two classes first', true);
    return;
  }
  training = true;
  taught = undefined;
  updateButtons();
  try {
    const classNames = used.map((c) => c.name.value.trim() || 'unnamed');
    const cut = cutSelect.value;
    const pooling = base.getLayer(cut).outputShape.length === 3 ? 'avg' : 'flatten';
    const features = cutModel(base, cut, { pooling, name: 'features' });
    const pictures = used.flatMap((c) => c.pictures.map((p) => picturePixels(base!, p)));
    const labels = used.flatMap((c, label) => c.pictures.map(() => label));
    const settings = {
      epochs: fieldNumber('epochs', 'Epochs', wholeFrom(1), 'a whole number of at least 1'),
      learningRate: fieldNumber('learning-rate', 'Learning rate', (n) => n > 0 && Number.isFinite(n), 'a number above 0'),
      hiddenUnits: fieldNumber('hidden-units', 'Hidden units', wholeFrom(1), 'a whole number of at least 1'),
    };
    const request = await headRequest(features, pictures, labels, used.length, settings,
      (done, total) => setStatus(status, `Computing the features of the pictures: ${done}/${total}`));
    const result = await trainer.train(request, {
      onBatchEnd: ({ epoch, loss, acc }) => {
        byId('stat-loss').textContent = loss.toFixed(3);
        byId('stat-acc').textContent = percent(acc);
        setStatus(status, `Training the head: epoch ${epoch + 1}/${settings.epochs}`);
      },
    });
    taught = { model: classifier(base, features, result, classNames), classNames };
    setStatus(status, `Done: ${result.epochsDone} epochs on ${labels.length} pictures of ${classNames.length} classes`);
    await predictFiles();
  } catch (error) {
    setStatus(status, errorText(error), true);
  } finally {
    training = false;
    updateButtons();
  }
}

/** The most probable class of each picture and its probability. */
function classify(pictures: RgbaImage[] | HTMLVideoElement[]): Array<{ name: string; probability: number }> {
  const { model, classNames } = taught!;
  const x = imageToTensor(pictures, imageInput(base!));
  const output = model.predict(x);
  const probabilities = output.dataSync();
  x.dispose();
  output.dispose();
  return pictures.map((_, i) => {
    const row = Array.from(probabilities.subarray(i * classNames.length, (i + 1) * classNames.length));
    const best = row.indexOf(Math.max(...row));
    return { name: classNames[best], probability: row[best] };
  });
}

async function predictFiles(): Promise<void> {
  const files = [...(byId<HTMLInputElement>('try-files').files ?? [])];
  const list = byId('predictions');
  list.replaceChildren(); // the last files' predictions go, whatever these give
  if (!taught || files.length === 0) return;
  // Each file on its own: one that cannot be read is said so in its line, the others still predicted.
  const loaded = await Promise.allSettled(files.map((file) => loadImage(file)));
  const readable = loaded.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const classes = readable.length ? classify(readable) : [];
  let next = 0;
  list.replaceChildren(...loaded.map((result, i) => {
    const item = document.createElement('li');
    if (result.status === 'rejected') {
      item.className = 'error';
      item.textContent = `${files[i].name}: ${errorText(result.reason)}`;
      return item;
    }
    const { name, probability } = classes[next++];
    item.dataset.class = name;
    item.textContent = `${files[i].name}: ${name} (${percent(probability)})`;
    return item;
  }));
}

let lastCameraPrediction = 0;
function predictCamera(now: number): void {
  if (taught && !training && now - lastCameraPrediction > 250 && video.readyState >= video.HAVE_CURRENT_DATA) {
    lastCameraPrediction = now;
    const [{ name, probability }] = classify([video]);
    byId('live').textContent = `Webcam: ${name} (${percent(probability)})`;
  }
  requestAnimationFrame(predictCamera);
}

async function exportModel(format: 'tfjs' | 'convas'): Promise<void> {
  try {
    await taught!.model.save(`downloads://teachable-${format}`, { format });
  } catch (error) {
    setStatus(status, errorText(error), true);
  }
}

// --- wiring

byId('add-class').addEventListener('click', addClass);
byId('camera-start').addEventListener('click', () => void startCamera());
byId('load-base').addEventListener('click', () => {
  const url = byId<HTMLInputElement>('base-url').value.trim();
  if (url) void loadBaseFrom(url, 'Loaded');
  else setStatus(baseStatus, 'Type the URL of a base model (its model.json) first, or pick its files', true);
});
byId<HTMLInputElement>('base-files').addEventListener('change', (event) => {
  const files = [...((event.target as HTMLInputElement).files ?? [])];
  if (files.length) void loadBaseFrom(files, 'Loaded');
});
cutSelect.addEventListener('change', () => {
  taught = undefined;
  byId('predictions').replaceChildren(); // the dropped model's
  updateButtons();
});
buttons.train.addEventListener('click', () => void train());
byId('try-files').addEventListener('change', () => void predictFiles().catch((error) => setStatus(status, errorText(error), true)));
buttons.exportTfjs.addEventListener('click', () => void exportModel('tfjs'));
buttons.exportConvas.addEventListener('click', () => void exportModel('convas'));

addClass();
addClass();
workOffline();
await init();
const cached = await cachedBase();
if (cached) useBase(cached, 'From this browser');
else setStatus(baseStatus, 'Load a base: a URL or its files');
setStatus(status, 'Add pictures to the classes, then train');
