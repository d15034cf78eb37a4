// Where the site keeps models, all through convas's model files: the current model in IndexedDB
// (so the Draw and Explain pages find what the Train page trained), downloads, files and URLs.
// Messages about the kept model speak of "this browser", not of its internal indexeddb:// address.
import { type Model, loadModel } from '../../src/index.js';
import { errorText } from './dom.js';
import { checkDigitModel } from './training.js';

const CURRENT = 'convas-site-current';

/** `error` about the kept model, in the page's words. */
const inPageWords = (error: unknown, doing: string) =>
  new Error(`${doing}: ${errorText(error).replace(new RegExp(`indexeddb://${CURRENT}(/[\\w.]+)?:? *`, 'g'), '')}`);

export async function saveCurrentModel(model: Model): Promise<void> {
  try {
    await model.save(`indexeddb://${CURRENT}`);
  } catch (error) {
    throw inPageWords(error, 'The model could not be kept in this browser');
  }
}

/**
 * The model last kept in this browser, or undefined if there is none yet. One that does not read
 * the site's digits (kept before the site checked, or by other code on this origin) is refused with
 * the reason: every page would otherwise fail on its first input.
 */
export async function loadCurrentModel(): Promise<Model | undefined> {
  let model: Model;
  try {
    model = await loadModel(`indexeddb://${CURRENT}`);
  } catch (error) {
    if (/no model is saved under this name/.test(errorText(error))) return undefined;
    throw inPageWords(error, 'The model kept in this browser cannot be read; train or load another');
  }
  try {
    checkDigitModel(model);
  } catch (error) {
    model.dispose();
    throw inPageWords(error, 'The model kept in this browser cannot be used; train or load another');
  }
  return model;
}

export const downloadModel = (model: Model) => model.save('downloads://convas-digits');

export const loadModelFromUrl = (url: string) => loadModel(url);

/** A model from files the user picked: the model's .json and the weights file it names. */
export const loadModelFromFiles = (files: File[]) => loadModel(files);
