export { init } from './backend/wasm.js';
export * from './errors.js';
