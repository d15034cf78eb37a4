// What a model file describes, checked before anything is built: the layers from their configs, and
// the weight arrays they will create, worked out without allocating. Loaders compare the file's
// manifest with these, so a config claiming a huge layer fails on the file's real size instead of
// on an allocation. Then buildModel makes the model and fills it.
import type { CompileOptions, Model } from '../model/model.js';
import type { OptimizerState } from '../model/optimizers.js';
import { sequential } from '../model/sequential.js';
import { type Layer, type LayerConfig, layerFromConfig } from '../layers/index.js';
import { type Shape, isExampleShape } from '../shape.js';
import { fileError, withinFile } from './json-fields.js';

export interface ExpectedArray {
  name: string;
  shape: Shape;
}

export interface ModelPlan {
  inputShape: number[];
  layers: Layer[];
  /** The layers' weights in getWeights() order. */
  weights: ExpectedArray[];
}

export function planModel(inputShape: unknown, configs: LayerConfig[], file: string): ModelPlan {
  if (!isExampleShape(inputShape)) {
    throw fileError(file, `inputShape ${JSON.stringify(inputShape)} is not valid; expected positive integers such as [28, 28, 1]`);
  }
  if (configs.length === 0) throw fileError(file, 'lists no layers; expected at least one');
  const layers: Layer[] = [];
  const weights: ExpectedArray[] = [];
  let shape: Shape = inputShape;
  configs.forEach((config, i) => {
    const where = `layer ${i + 1} (${config?.name ?? config?.className})`;
    const layer = withinFile(file, where, () => layerFromConfig(config));
    const { outputShape, parameters } = withinFile(file, where, () => layer.describe([shape]));
    weights.push(...parameters);
    layers.push(layer);
    shape = outputShape;
  });
  const names = layers.map((l) => l.name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw fileError(file, `two layers are named ${JSON.stringify(repeated)}; expected unique names (weights are matched by name)`);
  return { inputShape: [...inputShape], layers, weights };
}

/** Builds the planned model with the given weights (already checked against the plan), compiled if asked. */
export function buildModel(plan: ModelPlan, seed: number, weights: Float32Array[],
  training?: { compile: CompileOptions; state?: OptimizerState }): Model {
  const model = sequential({ inputShape: plan.inputShape, layers: plan.layers, seed });
  try {
    model.setWeights(weights);
    if (training) model.compile(training.compile);
    if (training?.state) model.optimizerState!.setState(training.state);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}
