// Where the site keeps models, all through convas's model files: the current model in IndexedDB
// (so the Draw and Explain pages find what the Train page trained), downloads, files and URLs.
import { type Model, loadModel } from '../../src/index.js';

const CURRENT = 'convas-site-current';

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
export const loadModelFromFiles = (files: File[]) => loadModel(files);
