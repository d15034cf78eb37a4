// Where the code runs, for the few places that must choose between Node and browser APIs.

/** True in Node (and in its worker threads); false in browsers and their workers. */
export const runsInNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/**
 * Imports a Node built-in at run time (call it on Node only). The specifier is a variable on
 * purpose: bundlers targeting browsers (esbuild, Vite, webpack) then leave the import alone instead
 * of failing to resolve `node:*` in code that never runs there.
 */
export function importNodeBuiltin<T>(name: `node:${string}`): Promise<T> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ name) as Promise<T>;
}
