// Saving as browser downloads: name.json and name.weights.bin (model.json names the weights file).
import type { ModelDestination } from './storage.js';

/** Object URLs stay valid a while after the click, since some browsers start the download late. */
const REVOKE_AFTER_MS = 60_000;

function download(file: string, bytes: Uint8Array<ArrayBuffer>): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}

export function downloadsDestination(name: string): ModelDestination {
  return {
    async write({ weights, modelFile }) {
      download(`${name}.weights.bin`, weights);
      download(`${name}.json`, modelFile(`${name}.weights.bin`));
    },
    async writeOnnx(bytes) {
      download(`${name}.onnx`, bytes);
    },
  };
}
