// Models in the browser's IndexedDB: one record per name, holding every file, written in one
// transaction (so a save is atomic).
import { ConvasError, FileFormatError, StorageError } from '../errors.js';
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
  /** The browser's own errors (a full quota, storage turned off…) as StorageErrors naming the model. */
  const stored = <T>(doing: string, work: () => Promise<T>): Promise<T> => work().catch((error) => {
    if (error instanceof ConvasError) throw error;
    const { name: kind, message } = error instanceof Error ? error : new Error(String(error));
    throw new StorageError(`indexeddb://${name}: cannot ${doing} the model in this browser's storage: ${message} (${kind})`);
  });
  return {
    modelFile: MODEL_FILE,
    describe,
    async read(path) {
      const files = await stored('read', () => withStore('readonly', (store) => store.get(name))) as Record<string, Uint8Array> | undefined;
      if (!files) throw new FileFormatError(`indexeddb://${name}: no model is saved under this name`);
      if (!(files[path] instanceof Uint8Array)) throw new FileFormatError(`${describe(path)}: file not found in the saved model`);
      return files[path];
    },
    async write({ weights, modelFile }) {
      const files = { [WEIGHTS_FILE]: weights, [MODEL_FILE]: modelFile(WEIGHTS_FILE) };
      await stored('save', () => withStore('readwrite', (store) => store.put(files, name)));
    },
  };
}
