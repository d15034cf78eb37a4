// Loading over http(s): the URL names model.json; its weights paths are relative to it.
import { FileFormatError, StorageError } from '../errors.js';
import type { ModelSource } from './storage.js';

export function httpSource(url: string): ModelSource {
  // A URL ending in '/' names the directory: read its model.json.
  const modelFile = new URL(url).pathname.split('/').pop() || 'model.json';
  // The model file is the URL as given (with its query, if any); the files it names are beside it.
  const describe = (path: string) => (path === modelFile ? new URL(url).href.replace(/\/$/, '/model.json') : new URL(path, url).href);
  return {
    modelFile,
    describe,
    async read(path) {
      // fetch says only "Failed to fetch" (Chromium) or "fetch failed" (Node): say what it can mean.
      const response = await fetch(describe(path)).catch(() => {
        throw new StorageError(`${describe(path)}: cannot be fetched: no connection, no such server, or the server does not let this page read it (CORS)`);
      });
      if (!response.ok) throw new FileFormatError(`${describe(path)}: HTTP ${response.status} ${response.statusText}`);
      try {
        return new Uint8Array(await response.arrayBuffer());
      } catch (error) {
        throw new FileFormatError(`${describe(path)}: the download broke off (${(error as Error)?.message ?? error})`);
      }
    },
  };
}
