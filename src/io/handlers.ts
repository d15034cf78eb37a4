// Where model files live, chosen from the location string: a directory in Node (a path, or TF.js's
// file://path), an http(s) URL, `indexeddb://name` or `downloads://name` in browsers (or, to load,
// File objects or a model's bytes), each implementing storage.ts.
import { ConfigError } from '../errors.js';
import { runsInNode } from '../platform.js';
import { shownValue } from '../shown-value.js';
import { bytesSource } from './bytes-source.js';
import { downloadsDestination } from './downloads.js';
import { httpSource } from './http.js';
import { indexedDbStore } from './indexeddb.js';
import { pickedFilesSource } from './picked-files.js';
import type { ModelDestination, ModelSource } from './storage.js';

// The readers take ModelSource from here, beside sourceFor.
export type { ModelSource } from './storage.js';

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

async function nodeDirectory(location: string) {
  // Reached only in Node, so browser bundles never load node:fs.
  return (await import('./node-directory.js')).nodeDirectory(location);
}

function unsupported(location: string, purpose: string, supported: string): ConfigError {
  return new ConfigError(`cannot ${purpose} ${JSON.stringify(location)}: expected ${supported}`);
}

// (Array.isArray does not narrow a readonly array out of a union.)
const isFileArray = (location: unknown): location is readonly File[] => Array.isArray(location);

/** indexeddb:// and downloads:// exist in browsers only. */
function checkBrowserScheme(location: string, purpose: string, needs: 'indexedDB' | 'document', elsewhere: string): void {
  if (typeof (globalThis as Record<string, unknown>)[needs] === 'undefined') {
    throw new ConfigError(`cannot ${purpose} ${JSON.stringify(location)}: it needs a browser page (${needs} is missing here); ${elsewhere}`);
  }
}

/**
 * TF.js's Node spelling of a path, `file://` and the path as it is (`file://./model`,
 * `file:///tmp/model/model.json`): the path, or undefined for any other location.
 */
function filePath(location: string, purpose: string): string | undefined {
  if (!/^file:\/\//i.test(location)) return undefined;
  if (!runsInNode) throw new ConfigError(`cannot ${purpose} ${JSON.stringify(location)}: file:// paths are for Node; in a browser, use indexeddb://name or an http(s) URL`);
  return location.slice('file://'.length);
}

/** Where loadModel reads from: a path or URL, File objects, or a model's bytes. */
export type ModelLocation = string | readonly File[] | Uint8Array | ArrayBuffer;

export async function sourceFor(location: ModelLocation): Promise<ModelSource> {
  if (isFileArray(location)) return pickedFilesSource(location);
  if (location instanceof Uint8Array || location instanceof ArrayBuffer) return bytesSource(location);
  const supported = `a directory, .json or .onnx file (Node), an http(s) URL of model.json or of an .onnx file, indexeddb://name, ` +
    'File objects, or an ONNX model\'s bytes';
  if (typeof location !== 'string') throw new ConfigError(`cannot load a model from ${shownValue(location)}: expected ${supported}`);
  const path = filePath(location, 'load a model from');
  if (path !== undefined) return nodeDirectory(path);
  const scheme = SCHEME.exec(location)?.[1].toLowerCase();
  if (scheme === 'http' || scheme === 'https') return httpSource(location);
  if (scheme === 'indexeddb') {
    checkBrowserScheme(location, 'load a model from', 'indexedDB', 'in Node, load from a directory');
    return indexedDbStore(location.slice('indexeddb://'.length));
  }
  if (scheme !== undefined) throw unsupported(location, 'load a model from', supported);
  // A plain string is a directory in Node, and a URL relative to the page in a browser.
  return runsInNode ? nodeDirectory(location) : httpSource(new URL(location, globalThis.location.href).href);
}

/** `oneFile`: the format is a single file (ONNX), saved as a file in Node (or downloaded), not in IndexedDB. */
export async function destinationFor(location: string, oneFile = false): Promise<ModelDestination> {
  const supported = oneFile ? 'an .onnx file or a directory (Node), or downloads://name' : 'a directory (Node), indexeddb://name or downloads://name';
  // JavaScript callers may leave the destination out (`model.save()`) or pass an object.
  if (typeof location !== 'string') throw new ConfigError(`save: the destination must be a string, ${supported}; got ${shownValue(location)}`);
  const path = filePath(location, 'save a model to');
  if (path !== undefined) return destinationFor(path, oneFile);
  const scheme = SCHEME.exec(location)?.[1].toLowerCase();
  if (scheme === 'indexeddb' && !oneFile) {
    checkBrowserScheme(location, 'save a model to', 'indexedDB', 'in Node, save to a directory');
    return indexedDbStore(location.slice('indexeddb://'.length));
  }
  if (scheme === 'downloads') {
    checkBrowserScheme(location, 'save a model to', 'document', 'in Node, save to a directory');
    return downloadsDestination(location.slice('downloads://'.length));
  }
  // A directory holds model.json and its weights; a file name ending in .json or .onnx is a mistake for one.
  const wrongName = location.endsWith('.json') || (!oneFile && location.endsWith('.onnx'));
  if (scheme !== undefined || !runsInNode || wrongName || location === '') throw unsupported(location, 'save a model to', supported);
  return nodeDirectory(location);
}
