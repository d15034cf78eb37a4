// The network `convas train` builds: the default LeNet-style CNN, or one described in a JSON file.
import { readFile } from 'node:fs/promises';
import { ConfigError, ConvasError, OutOfMemoryError } from '../errors.js';
import type { LayerConfig } from '../layers/index.js';
import type { Model } from '../model/model.js';
import { sequential } from '../model/sequential.js';

export interface Architecture {
  /** Defaults to the data's [height, width, channels]. */
  inputShape?: number[];
  layers: LayerConfig[];
}

/**
 * LeNet-style: two 5×5 convolutions with pooling, a hidden dense layer, then one output per class.
 * Dropout around the hidden layer: with 8,000 training digits the network otherwise memorises them
 * (99.9% train accuracy) and held-out accuracy stalls near 97.5%.
 * Larger images get more stages (3×3 convolutions, twice the filters each time) until at most 8
 * pixels a side are left, so the dense layer stays small: 3 stages for 64×64, 5 for 224×224.
 */
export function defaultArchitecture(classes: number, inputShape: number[] = [28, 28, 1]): Architecture {
  const [height, width] = inputShape;
  let stages = 2;
  while (Math.max(height, width) / 2 ** stages > 8 && Math.min(height, width) / 2 ** (stages + 1) >= 1) stages++;
  const convolutions = Array.from({ length: stages }, (_, s): LayerConfig[] => [
    { className: 'Conv2D', filters: 8 * 2 ** s, kernelSize: s < 2 ? 5 : 3, padding: 'same', activation: 'relu' },
    { className: 'MaxPooling2D', poolSize: 2 },
  ]).flat();
  return {
    layers: [
      ...convolutions,
      { className: 'Flatten' },
      { className: 'Dropout', rate: 0.3 },
      { className: 'Dense', units: 128, activation: 'relu' },
      { className: 'Dropout', rate: 0.3 },
      { className: 'Dense', units: classes, activation: 'softmax' },
    ],
  };
}

/** The architecture in `file`; every problem is a ConfigError naming the file. */
export async function readArchitecture(file: string): Promise<Architecture> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read the architecture file (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const layers = (parsed as Architecture | null)?.layers;
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new ConfigError(`${file}: expected { "inputShape"?: [height, width, channels], "layers": [{ "className": "Conv2D", ... }, ...] }`);
  }
  return parsed as Architecture;
}

/** The model for `architecture` on images of `inputShape`; a bad layer config names `source`. */
export function buildModel(architecture: Architecture, inputShape: number[], seed: number, source: string): Model {
  try {
    return sequential({ inputShape: architecture.inputShape ?? inputShape, layers: architecture.layers, seed });
  } catch (error) {
    // Running out of memory is no fault of the file: it stays an OutOfMemoryError.
    if (error instanceof ConvasError && !(error instanceof OutOfMemoryError)) throw new ConfigError(`${source}: ${error.message}`);
    throw error;
  }
}
