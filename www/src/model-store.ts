// Where the site keeps models, all through convas's model files: the current model in IndexedDB
// (so the Draw and Explain pages find what the Train page trained), downloads, files and URLs.
import { type Model, loadModel } from '../../src/index.js';
import { indexedDbStore } from '../../src/io/indexeddb.js';

const CURRENT = 'convas-site-current';
const UPLOADED = 'convas-site-upload';

export const saveCurrentModel = (model: Model) => model.save(`indexeddb://${CURRENT}`);

/** The model last trained or loaded in this browser, or undefined if there is none yet. */
export async function loadCurrentModel(): Promise<Model | undefined> {
  try {
    return await loadModel(`indexeddb://${CURRENT}`);
  } catch {
    return undefined;
  }
}

export const downloadModel = (model: Model) => model.save('downloads://convas-digits');

export const loadModelFromUrl = (url: string) => loadModel(url);

/** A model from files the user picked: the model's .json and the weights file it names. */
export async function loadModelFromFiles(files: File[]): Promise<Model> {
  const modelFile = files.find((f) => f.name.endsWith('.json'));
  if (!modelFile) throw new Error('choose the model’s .json file together with its weights .bin file');
  // The files go into IndexedDB as they are (the .json under the name the store reads), then load from there.
  const store = indexedDbStore(UPLOADED);
  await store.write(await Promise.all(files.map(async (f) => ({
    path: f === modelFile ? store.modelFile : f.name, bytes: new Uint8Array(await f.arrayBuffer()),
  }))));
  return loadModel(`indexeddb://${UPLOADED}`);
}
