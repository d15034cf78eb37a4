// Loading over http(s): the URL names model.json; its weights paths are relative to it.
import { FileFormatError } from '../errors.js';
import type { ModelSource } from './storage.js';

export function httpSource(url: string): ModelSource {
  // A URL ending in '/' names the directory: read its model.json.
  const modelFile = new URL(url).pathname.split('/').pop() || 'model.json';
  const describe = (path: string) => new URL(path, url).href;
  return {
    modelFile,
    describe,
    async read(path) {
      const response = await fetch(describe(path));
      if (!response.ok) throw new FileFormatError(`${describe(path)}: HTTP ${response.status} ${response.statusText}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}
