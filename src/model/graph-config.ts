// A graph model as a config and back: each layer's own config (a nested model's is its graph
// config), `trainable: false` where frozen (a model's own flag, read back without touching its
// layers' own), `inbound`, the names of the layers it reads, and `training: false` where its call
// is fixed in inference mode; then the names of the inputs and outputs. File formats store this;
// building from it checks every reference and never recurses over nodes, so a hostile config
// (cycles, missing names, a huge graph) ends in a ConfigError naming the node.
import { ConfigError } from '../errors.js';
import { InputLayer } from '../layers/input-layer.js';
import type { Layer, LayerConfig } from '../layers/layer.js';
import { layerFromConfig } from '../layers/registry.js';
import { layerToConfig } from '../layers/layer-settings.js';
import type { SymbolicTensor } from '../layers/node.js';
import type { ModelOptions } from './model-options.js';
import { withArticle } from '../article.js';

export interface GraphLayerConfig extends LayerConfig {
  name: string;
  /** The names of the layers whose outputs this layer reads, in order (absent for inputs). */
  inbound?: string[];
  trainable?: boolean;
  /** false: the layer is called in inference mode, in fit too (apply(x, { training: false })). */
  training?: false;
}

export interface GraphConfig extends LayerConfig {
  className: 'Model' | 'Sequential';
  layers: GraphLayerConfig[];
  inputs: string[];
  outputs: string[];
}

export const isGraphClass = (className: unknown): className is 'Model' | 'Sequential' => className === 'Model' || className === 'Sequential';

/** What graphConfig reads of a model (model.ts imports this file, so this one names no Model). */
export interface GraphModel {
  readonly className: 'Model' | 'Sequential';
  readonly name: string;
  readonly trainable: boolean;
  readonly inputs: readonly SymbolicTensor<Layer>[];
  readonly outputs: readonly SymbolicTensor<Layer>[];
  readonly nodes: ReadonlyArray<{ layer: Layer; inputs: Layer[]; inferenceMode: boolean }>;
}

export function graphConfig(model: GraphModel): GraphConfig {
  const entry = (layer: Layer, inbound?: Layer[], inferenceMode = false): GraphLayerConfig => ({
    ...layerToConfig(layer), name: layer.name,
    ...(inbound ? { inbound: inbound.map((l) => l.name) } : {}),
    ...(inferenceMode ? { training: false as const } : {}),
  });
  return {
    className: model.className,
    name: model.name,
    // The model's own flag, the whole model's included, as Keras 3 saves it (TF.js saves neither).
    ...(model.trainable ? {} : { trainable: false }),
    layers: [...model.inputs.map((t) => entry(t.sourceLayer)), ...model.nodes.map((n) => entry(n.layer, n.inputs, n.inferenceMode))],
    inputs: model.inputs.map((t) => t.sourceLayer.name),
    outputs: model.outputs.map((t) => t.sourceLayer.name),
  };
}

export interface BuildOptions {
  seed?: number;
  /** Leave the weights unmade (loaders check the file against the plan first, then build). */
  deferBuild?: boolean;
}

type ModelFactory<M extends Layer> = (options: ModelOptions) => M;

/** Builds the model a graph config describes; `make` is the Model constructor (passed in, as Model imports this file). */
export function modelFromGraphConfig<M extends Layer>(config: unknown, make: ModelFactory<M>, options: BuildOptions = {},
  where = 'model'): M {
  const c = config as GraphConfig;
  if (!c || typeof c !== 'object' || !Array.isArray(c.layers) || !Array.isArray(c.inputs) || !Array.isArray(c.outputs)) {
    throw new ConfigError(`${where}: expected { className: 'Model', layers: [...], inputs: [names], outputs: [names] }`);
  }
  const entries = new Map<string, GraphLayerConfig>();
  const names = new Set(c.layers.map((l) => l?.name));
  c.layers.forEach((entry, i) => {
    if (!entry || typeof entry !== 'object' || typeof entry.name !== 'string' || typeof entry.className !== 'string') {
      throw new ConfigError(`${where}: layers[${i}] must be a layer config with a className and a name`);
    }
    if (entries.has(entry.name)) throw new ConfigError(`${where}: two layers are named ${JSON.stringify(entry.name)}; names must be unique`);
    const inbound = entry.inbound ?? [];
    if (!Array.isArray(inbound) || inbound.some((n) => typeof n !== 'string')) {
      throw new ConfigError(`${where}: layer ${entry.name}'s inbound must be a list of layer names, got ${JSON.stringify(entry.inbound)}`);
    }
    for (const name of inbound) {
      if (!names.has(name)) throw new ConfigError(`${where}: layer ${entry.name} reads ${JSON.stringify(name)}, which is not a layer of this model`);
      if (name === entry.name) throw new ConfigError(`${where}: layer ${entry.name} reads itself (a cycle)`);
    }
    entries.set(entry.name, entry);
  });
  const outputsOf = new Map<string, SymbolicTensor<Layer>>();
  // Kahn's order: a layer is made once everything it reads is; what never becomes ready is a cycle.
  const waiting = new Map<string, number>();
  const readers = new Map<string, string[]>();
  for (const entry of entries.values()) {
    const inbound = entry.inbound ?? [];
    waiting.set(entry.name, inbound.length);
    for (const name of inbound) {
      const list = readers.get(name);
      if (list) list.push(entry.name);
      else readers.set(name, [entry.name]);
    }
  }
  const ready = [...entries.values()].filter((e) => (e.inbound ?? []).length === 0).map((e) => e.name);
  for (let next = 0; next < ready.length; next++) {
    const name = ready[next];
    const entry = entries.get(name)!;
    outputsOf.set(name, makeLayer(entry, (entry.inbound ?? []).map((n) => outputsOf.get(n)!), make, `${where} layer ${name}`));
    for (const reader of readers.get(name) ?? []) {
      const left = waiting.get(reader)! - 1;
      waiting.set(reader, left);
      if (left === 0) ready.push(reader);
    }
  }
  const stuck = [...entries.keys()].find((n) => !outputsOf.has(n));
  if (stuck) {
    // The first unmade layer may lie after a cycle rather than in it; each unmade layer reads an
    // unmade one, so walking back from it comes round into the cycle.
    const seen = new Set<string>();
    let inCycle = stuck;
    while (!seen.has(inCycle)) {
      seen.add(inCycle);
      inCycle = entries.get(inCycle)!.inbound!.find((n) => !outputsOf.has(n))!;
    }
    throw new ConfigError(`${where}: layer ${inCycle} is in a cycle (it reads, through other layers, its own output)`);
  }
  const tensor = (name: unknown, what: string) => {
    const t = typeof name === 'string' ? outputsOf.get(name) : undefined;
    if (!t) throw new ConfigError(`${where}: ${what} ${JSON.stringify(name)} is not a layer of this model`);
    return t;
  };
  return make({
    inputs: c.inputs.map((n) => tensor(n, 'input')), outputs: c.outputs.map((n) => tensor(n, 'output')),
    name: typeof c.name === 'string' ? c.name : undefined, className: c.className === 'Sequential' ? 'Sequential' : 'Model',
    seed: options.seed, deferBuild: options.deferBuild,
    // The model's own flag only: setting model.trainable would overwrite its layers' flags, which
    // the config gives one by one (a frozen base may hold layers flagged trainable, for later).
    ownTrainable: trainableFlag(c.trainable, where),
  });
}

function trainableFlag(trainable: unknown, where: string): boolean | undefined {
  if (trainable !== undefined && typeof trainable !== 'boolean') {
    throw new ConfigError(`${where}: trainable must be true or false, got ${JSON.stringify(trainable)}`);
  }
  return trainable;
}

function makeLayer<M extends Layer>(entry: GraphLayerConfig, inputs: SymbolicTensor<Layer>[], make: ModelFactory<M>,
  where: string): SymbolicTensor<Layer> {
  const { inbound, trainable, training, ...config } = entry;
  if (config.className === 'InputLayer') {
    if (inputs.length > 0) throw new ConfigError(`${where}: an InputLayer reads nothing, but inbound names ${inbound!.join(', ')}`);
    if (training !== undefined) throw new ConfigError(`${where}: an InputLayer is not called, but it has training ${JSON.stringify(training)}`);
    return new InputLayer({ shape: config.shape as number[], name: config.name }).output;
  }
  if (inputs.length === 0) throw new ConfigError(`${where}: ${withArticle(String(config.className))} must read at least one layer (inbound is empty)`);
  const nested = isGraphClass(config.className);
  const layer = nested ? modelFromGraphConfig({ ...config, trainable }, make, { deferBuild: true }, where) : layerFromConfig(config);
  if (!nested && trainableFlag(trainable, where) === false) layer.trainable = false;
  if (training !== undefined && training !== false) {
    throw new ConfigError(`${where}: training must be false (the layer is called in inference mode) or absent, got ${JSON.stringify(training)}`);
  }
  return layer.apply(inputs.length === 1 ? inputs[0] : inputs, training === false ? { training } : undefined);
}
