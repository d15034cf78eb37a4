// Models in the browser's IndexedDB: one record per name, holding every file, written in one
// transaction (so a save is atomic).
import { FileFormatError } from '../errors.js';
import type { ModelDestination, ModelSource } from './storage.js';

const DATABASE = 'convas-models';
const STORE = 'models';

function settled<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const opening = indexedDB.open(DATABASE, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
  const database = await settled(opening);
  try {
    const transaction = database.transaction(STORE, mode);
    const result = settled(use(transaction.objectStore(STORE)));
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = transaction.onabort = () => reject(transaction.error);
    });
    return result;
  } finally {
    database.close();
  }
}

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

export function indexedDbStore(name: string): ModelSource & ModelDestination {
  const describe = (path: string) => `indexeddb://${name}/${path}`;
  return {
    modelFile: MODEL_FILE,
    describe,
    async read(path) {
      const files = await withStore('readonly', (store) => store.get(name)) as Record<string, Uint8Array> | undefined;
      if (!files) throw new FileFormatError(`indexeddb://${name}: no model is saved under this name`);
      if (!(files[path] instanceof Uint8Array)) throw new FileFormatError(`${describe(path)}: file not found in the saved model`);
      return files[path];
    },
    async write({ weights, modelFile }) {
      const files = { [WEIGHTS_FILE]: weights, [MODEL_FILE]: modelFile(WEIGHTS_FILE) };
      await withStore('readwrite', (store) => store.put(files, name));
    },
  };
}
