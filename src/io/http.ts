// Loading over http(s): the URL names model.json; its weights paths are relative to it.
import { FileFormatError } from '../errors.js';
import { fetchUrl } from '../fetch-url.js';
import { joinBytes } from './join-bytes.js';
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
      return readBody(response, listed, describe(path));
    },
  };
}

/** The body, read as it arrives and stopped once it passes `maxBytes`: a server may send a body that never ends. */
async function readBody(response: Response, listed: number | undefined, file: string): Promise<Uint8Array> {
  const maxBytes = listed ?? MAX_FILE_BYTES;
  // Compressed, the declared length is the compressed one, which may exceed what it holds.
  const declared = response.headers.get('content-encoding') ? NaN : Number(response.headers.get('content-length'));
  if (declared > maxBytes) throw tooLong(file, declared, listed);
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    const reader = response.body!.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      length += next.value.length;
      if (length > maxBytes) {
        await reader.cancel();
        throw tooLong(file, length, listed);
      }
      chunks.push(next.value);
    }
  } catch (error) {
    if (error instanceof FileFormatError) throw error;
    throw new FileFormatError(`${file}: the download broke off (${(error as Error)?.message ?? error})`);
  }
  return joinBytes(chunks);
}
