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

/**
 * Imports an npm package that only Node paths use (the image decoders), the same way: browser
 * bundles neither include it nor fail to resolve it. CommonJS packages come as their exports.
 */
export async function importNodePackage<T>(name: string): Promise<T> {
  const module = await import(/* webpackIgnore: true */ /* @vite-ignore */ name);
  return (module.default ?? module) as T;
}

let yieldChannel: MessageChannel | undefined;
const yielded: Array<() => void> = [];

/**
 * Lets other work run (timers, I/O, messages such as a Stop, a page's events) and then goes on,
 * without the wait of setTimeout(0): at least 1 ms in Node, 4 ms in browsers once nested.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') {
      setImmediate(resolve);
    } else if (typeof MessageChannel === 'function') {
      if (!yieldChannel) {
        yieldChannel = new MessageChannel();
        yieldChannel.port1.onmessage = () => yielded.shift()?.();
      }
      yielded.push(resolve);
      yieldChannel.port2.postMessage(0);
    } else {
      setTimeout(resolve, 0);
    }
  });
}
