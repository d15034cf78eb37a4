// Saving as browser downloads: name.json and name.weights.bin (model.json names the weights file).
import type { ModelDestination } from './storage.js';

/** Object URLs stay valid a while after the click, since some browsers start the download late. */
const REVOKE_AFTER_MS = 60_000;

export function downloadsDestination(name: string): ModelDestination {
  return {
    async write({ weights, modelFile }) {
      const files = [{ path: `${name}.weights.bin`, bytes: weights }, { path: `${name}.json`, bytes: modelFile(`${name}.weights.bin`) }];
      for (const file of files) {
        const url = URL.createObjectURL(new Blob([file.bytes], { type: 'application/octet-stream' }));
        const link = document.createElement('a');
        link.href = url;
        link.download = file.path;
        link.click();
        setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
      }
    },
  };
}
