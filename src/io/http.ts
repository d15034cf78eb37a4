// Loading over http(s): the URL names model.json; its weights paths are relative to it.
import { FileFormatError } from '../errors.js';
import { fetchUrl, readBody } from '../fetch-url.js';
import { MAX_FILE_BYTES, type ModelSource, tooLong } from './storage.js';

export function httpSource(url: string): ModelSource {
  // A URL ending in '/' names the directory: read its model.json.
  const modelFile = new URL(url).pathname.split('/').pop() || 'model.json';
  // The model file is the URL as given (with its query, if any); the files it names are beside it.
  const describe = (path: string) => (path === modelFile ? new URL(url).href.replace(/\/$/, '/model.json') : new URL(path, url).href);
  return {
    modelFile,
    describe,
    async read(path, listed) {
      const response = await fetchUrl(describe(path));
      if (!response.ok) throw new FileFormatError(`${describe(path)}: HTTP ${response.status} ${response.statusText}`);
      return readBody(response, listed ?? MAX_FILE_BYTES, describe(path), (bytes) => tooLong(describe(path), bytes, listed));
    },
  };
}
