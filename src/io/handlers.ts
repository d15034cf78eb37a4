// Where model files live, chosen from the location string: a directory in Node, an http(s) URL,
// `indexeddb://name` or `downloads://name` in browsers (or, to load, File objects), each implementing storage.ts.
import { ConfigError } from '../errors.js';
import { runsInNode } from '../platform.js';
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

export async function sourceFor(location: string | readonly File[]): Promise<ModelSource> {
  if (isFileArray(location)) return pickedFilesSource(location);
  const scheme = typeof location === 'string' ? SCHEME.exec(location)?.[1].toLowerCase() : 'none';
  const supported = `a directory or .json file (Node), an http(s) URL of model.json, or indexeddb://name`;
  if (scheme === 'http' || scheme === 'https') return httpSource(location);
  if (scheme === 'indexeddb') {
    checkBrowserScheme(location, 'load a model from', 'indexedDB', 'in Node, load from a directory');
    return indexedDbStore(location.slice('indexeddb://'.length));
  }
  if (scheme !== undefined) throw unsupported(location, 'load a model from', supported);
  // A plain string is a directory in Node, and a URL relative to the page in a browser.
  return runsInNode ? nodeDirectory(location) : httpSource(new URL(location, globalThis.location.href).href);
}

export async function destinationFor(location: string): Promise<ModelDestination> {
  const scheme = typeof location === 'string' ? SCHEME.exec(location)?.[1].toLowerCase() : 'none';
  const supported = `a directory (Node), indexeddb://name or downloads://name`;
  if (scheme === 'indexeddb') {
    checkBrowserScheme(location, 'save a model to', 'indexedDB', 'in Node, save to a directory');
    return indexedDbStore(location.slice('indexeddb://'.length));
  }
  if (scheme === 'downloads') {
    checkBrowserScheme(location, 'save a model to', 'document', 'in Node, save to a directory');
    return downloadsDestination(location.slice('downloads://'.length));
  }
  if (scheme !== undefined || !runsInNode || location.endsWith('.json') || location === '') throw unsupported(location, 'save a model to', supported);
  return nodeDirectory(location);
}
