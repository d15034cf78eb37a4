// Loading over http(s): the URL names model.json; its weights paths are relative to it.
import { FileFormatError } from '../errors.js';
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
      let response: Response;
      try {
        response = await fetch(describe(path));
      } catch (error) {
        throw new FileFormatError(`${describe(path)}: could not be fetched (${(error as Error)?.message ?? error})`);
      }
      if (!response.ok) throw new FileFormatError(`${describe(path)}: HTTP ${response.status} ${response.statusText}`);
      try {
        return new Uint8Array(await response.arrayBuffer());
      } catch (error) {
        throw new FileFormatError(`${describe(path)}: the download broke off (${(error as Error)?.message ?? error})`);
      }
    },
  };
}
