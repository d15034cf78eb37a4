// What a model file describes, checked before anything is allocated: the graph from its config
// (every reference resolved, every shape inferred) and the weight arrays its layers will make.
// Loaders compare the file's manifest with these, so a config claiming a huge layer fails on the
// file's real size instead of on an allocation. Then buildModel makes the weights with the file's values.
import { Model } from '../model/model.js';
import type { CompileOptions } from '../model/model.js';
import { LossDoesNotFitOutput } from '../model/losses.js';
import type { OptimizerState } from '../model/optimizers.js';
import { modelFromGraphConfig } from '../model/graph-config.js';
import type { GraphConfig } from '../model/graph-config.js';
import type { LayerConfig } from '../layers/index.js';
import type { Shape } from '../shape.js';
import { fileError, withinFile } from './json-fields.js';

export interface ExpectedArray {
  name: string;
  shape: Shape;
}

export interface ModelPlan {
  /** The model, its weights not yet made. */
  model: Model;
  /** Its weights in layer order (Model.params). */
  weights: ExpectedArray[];
}

/** A chain of layer configs (convas format 1, TF.js Sequential) as a graph config. */
export function chainConfig(inputShape: unknown, layers: LayerConfig[], name?: string): GraphConfig {
  const input = `${name ?? 'sequential'}_input`;
  const named = layers.map((l, i) => ({ ...l, name: l?.name ?? `layer_${i + 1}` }));
  const entries = named.map((l, i) => ({ ...l, inbound: [i === 0 ? input : named[i - 1].name] }));
  return {
    className: 'Sequential', name,
    layers: [{ className: 'InputLayer', name: input, shape: inputShape }, ...entries],
    inputs: [input], outputs: [named[named.length - 1]?.name],
  };
}

/** `where` names the graph's place in the file; the graph's errors start with it, the layers' with their names. */
export function planModel(config: GraphConfig, seed: number, file: string, where: string): ModelPlan {
  if (!Array.isArray(config.layers) || config.layers.length < 2) throw fileError(file, 'lists no layers; expected at least one');
  const model = withinFile(file, undefined, () => modelFromGraphConfig(config, (o) => new Model(o), { seed, deferBuild: true }, where));
  return { model, weights: model.plannedWeights.map(({ name, shape }) => ({ name, shape })) };
}

/**
 * Makes the planned model's weights with the file's values (in the plan's order, already checked
 * against it: shapes, finite values), never drawing initial ones, and compiles it if asked; a
 * compile the file's training settings make fail (metrics that do not fit the loss or output) is a
 * FileFormatError naming `file`, but for a loss that cannot score the output (see compileUnlessUnfit).
 */
export function buildModel(plan: ModelPlan, weights: Float32Array[], file: string,
  training?: { compile: CompileOptions; state?: OptimizerState }): Model {
  const { model } = plan;
  const byName = new Map(plan.weights.map((w, i) => [w.name, weights[i]]));
  try {
    model.initializeWeights((param, into) => into.set(byName.get(param.name)!));
    if (training && compileUnlessUnfit(model, training.compile, file) && training.state) model.optimizerState!.setState(training.state);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Compiles `model` with the file's training settings; false, with a warning, when the file's loss
 * cannot score the model's output (a Keras model scoring a per-pixel softmax, say): the model still
 * predicts, so it loads uncompiled rather than not at all.
 */
function compileUnlessUnfit(model: Model, compile: CompileOptions, file: string): boolean {
  return withinFile(file, 'training', () => {
    try {
      model.compile(compile);
      return true;
    } catch (error) {
      if (!(error instanceof LossDoesNotFitOutput)) throw error;
      console.warn(`${file}: training: ${error.message}. The model is loaded uncompiled: compile it with a loss that fits before training`);
      return false;
    }
  });
}
