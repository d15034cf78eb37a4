// Seeded random graph models for tests: tensors read by several layers (and twice by one merge),
// add / multiply / average / maximum of two or three tensors, concatenation on the channels and on
// other axes, models used as layers (functional and sequential, nested two deep, a nested model
// reading its input twice), frozen layers and frozen nested models, one to three inputs. A graph is
// drawn as plain data (a GraphSpec, which tests/reference/graph.ts evaluates), built as a convas
// model by buildGraphModel, printed by describeGraph, and made smaller by smallerGraphs when a test
// shrinks a failing case.
//
// The layers drawn come from LAYER_KINDS. A new layer kind is one entry there (which tensors it
// reads, its settings drawn at random), its cases in tests/reference/stack.ts (layerForward,
// layerBackward, and layerOutputShape if it changes the shape), and, if TF.js has it, its factory in
// TFJS_LAYERS of tests/model/graph-tfjs.test.ts.
import { type Layer, type LayerConfig, Model, input, layerFromConfig, model, sequential } from '../src/index.js';
import type { SymbolicTensor } from '../src/layers/node.js';
import type { Shape } from '../src/shape.js';
import { random } from './helpers.js';
import type { GraphNode, GraphSpec } from './reference/graph.js';

export type { GraphNode, GraphSpec } from './reference/graph.js';

type Rng = ReturnType<typeof random>;

export interface DrawOptions {
  /** Dropout's rate where a Dropout layer is drawn: 0 (off) where the reference must follow. */
  dropoutRate?: number;
  /** End with flatten (for images) and a softmax dense layer of this many units, for training. */
  classes?: number;
  /** How deep models nest: 2 draws models inside models inside the graph. */
  maxDepth?: number;
  /** The largest height or width of an image input. */
  maxSide?: number;
  /** The largest number of values per example any tensor may have (keeps the reference fast). */
  maxValues?: number;
  /** How often a layer with weights, or a nested model, is frozen (0.15). */
  freezing?: number;
  /** Only what TensorFlow.js has too: no sum pooling, paddings 'valid' and 'same'. */
  tfjsOnly?: boolean;
}

/** One kind of single-input layer the generator draws. */
export interface LayerKind {
  /** How often it is drawn, against the other kinds that can read the tensor. */
  weight: number;
  /** False for a kind TensorFlow.js lacks (left out with tfjsOnly). */
  inTfjs?: boolean;
  /** Whether it reads tensors of this per-example shape. */
  reads(shape: Shape): boolean;
  /** Settings (className and options, no name) for an input of `shape`; convas may refuse them, then others are drawn. */
  draw(rng: Rng, shape: Shape, options: DrawOptions): LayerConfig;
}

const isImage = (shape: Shape) => shape.length === 3;
const isFlat = (shape: Shape) => shape.length === 1;
const ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'] as const;
const PADDINGS = ['valid', 'same', 'full', 1, [0, 1, 1, 0]] as const;
const TFJS_PADDINGS = ['valid', 'same'] as const;
const sizeOf = (shape: Shape) => shape.reduce((a, b) => a * b, 1);
const ELEMENTWISE_MERGES = ['Add', 'Multiply', 'Average', 'Maximum'];

/** n, or [h, w] with each side drawn on its own. */
const sizePair = (rng: Rng, max: number) => (rng.next() < 0.5 ? rng.int(1, max) : [rng.int(1, max), rng.int(1, max)]);

/**
 * Strides with dilation 1, or (a third of the time, where TensorFlow.js is not to follow: it cannot
 * train dilated convolutions) a dilation with strides 1. Both are given: the reference reads the drawn settings.
 */
const stridesOrDilation = (rng: Rng, options: DrawOptions) =>
  (options.tfjsOnly || rng.next() < 0.67 ? { strides: sizePair(rng, 2), dilationRate: 1 } : { strides: 1, dilationRate: sizePair(rng, 2) });

/** A depthwise convolution's settings (a separable one adds filters). */
const depthwiseSettings = (rng: Rng, options: DrawOptions) => ({
  kernelSize: sizePair(rng, 3), depthMultiplier: rng.int(1, 2), ...stridesOrDilation(rng, options),
  padding: rng.pick(options.tfjsOnly ? TFJS_PADDINGS : PADDINGS), activation: rng.pick(ACTIVATIONS), useBias: rng.next() < 0.8,
});

/**
 * Where TF.js is to follow, average pooling pads nothing: TF.js's gradient (cpu backend, 4.22)
 * divides by the whole window where 'same' padding clips it, though its forward pass divides by the
 * values inside.
 */
const pool = (className: string, inTfjs = true): LayerKind => ({
  weight: 1,
  inTfjs,
  reads: isImage,
  draw: (rng, _, options) => {
    const config = { className, poolSize: sizePair(rng, 3), strides: sizePair(rng, 2), padding: rng.pick(['valid', 'same']) };
    return options.tfjsOnly && className === 'AveragePooling2D' ? { ...config, padding: 'valid' } : config;
  },
});

export const LAYER_KINDS: Record<string, LayerKind> = {
  conv2d: {
    weight: 4,
    reads: isImage,
    draw: (rng, _, options) => ({ className: 'Conv2D', filters: rng.int(1, 4), kernelSize: sizePair(rng, 3), strides: sizePair(rng, 2),
      padding: rng.pick(options.tfjsOnly ? TFJS_PADDINGS : PADDINGS), activation: rng.pick(ACTIVATIONS), useBias: rng.next() < 0.8 }),
  },
  maxPool2d: pool('MaxPooling2D'),
  avgPool2d: pool('AveragePooling2D'),
  sumPool2d: pool('SumPooling2D', false),
  dense: {
    weight: 4,
    reads: isFlat,
    draw: (rng) => ({ className: 'Dense', units: rng.int(1, 7), activation: rng.pick(ACTIVATIONS), useBias: rng.next() < 0.8 }),
  },
  flatten: { weight: 1, reads: isImage, draw: () => ({ className: 'Flatten' }) },
  activation: { weight: 2, reads: () => true, draw: (rng) => ({ className: 'Activation', activation: rng.pick(ACTIVATIONS) }) },
  dropout: { weight: 1, reads: () => true, draw: (_, __, options) => ({ className: 'Dropout', rate: options.dropoutRate ?? 0 }) },
  depthwiseConv2d: {
    weight: 2,
    reads: isImage,
    draw: (rng, _, options) => ({ className: 'DepthwiseConv2D', ...depthwiseSettings(rng, options) }),
  },
  separableConv2d: {
    weight: 2,
    reads: isImage,
    draw: (rng, _, options) => ({ className: 'SeparableConv2D', filters: rng.int(1, 4), ...depthwiseSettings(rng, options) }),
  },
};

/** A layer whose output has its input's shape: a 'same' convolution with as many filters as channels, a dense layer as wide, or an activation. */
function sameShapeLayer(rng: Rng, shape: Shape): LayerConfig {
  if (rng.next() < 0.25) return { className: 'Activation', activation: rng.pick(ACTIVATIONS) };
  const settings = { activation: rng.pick(ACTIVATIONS), useBias: rng.next() < 0.8 };
  return isImage(shape)
    ? { className: 'Conv2D', filters: shape[2], kernelSize: sizePair(rng, 3), strides: 1, padding: 'same', ...settings }
    : { className: 'Dense', units: shape[0], ...settings };
}

/** A layer that changes only the size along `at` (an index in the example's shape) of an image. */
function resizeAlong(rng: Rng, shape: Shape, at: number): LayerConfig {
  if (at === 2) return { className: 'Conv2D', filters: rng.int(1, 4), kernelSize: sizePair(rng, 3), strides: 1, padding: 'same', activation: rng.pick(ACTIVATIONS) };
  const size = rng.int(1, shape[at]), stride = rng.int(1, 2);
  const along = (n: number) => (at === 0 ? [n, 1] : [1, n]);
  return rng.next() < 0.5
    ? { className: 'Conv2D', filters: shape[2], kernelSize: along(size), strides: along(stride), padding: 'valid', activation: rng.pick(ACTIVATIONS) }
    : { className: 'MaxPooling2D', poolSize: along(size), strides: along(stride), padding: 'valid' };
}

interface DraftTensor {
  name: string;
  shape: Shape;
  /** How many times nodes read it so far. */
  reads: number;
}

/** One drawing: its generator, its options, and names unique across all its graphs (as convas requires across nesting). */
class Drawing {
  private count = 0;
  constructor(readonly rng: Rng, readonly options: DrawOptions) {}

  name(prefix: string): string {
    return `${prefix}_${++this.count}`;
  }
}

/** One graph being drawn: its tensors so far and its nodes. */
class Draft {
  readonly tensors: DraftTensor[];
  readonly nodes: GraphNode[] = [];

  constructor(readonly drawing: Drawing, inputs: Array<{ name: string; shape: Shape }>, readonly depth: number) {
    this.tensors = inputs.map((t) => ({ ...t, reads: 0 }));
  }

  private get rng(): Rng {
    return this.drawing.rng;
  }

  /**
   * Whether one merge may read `t` twice. Where TF.js is to follow, only a graph's input: tfjs-layers
   * 4.22 counts such a merge as one reader of a computed tensor but lets it go twice, so that a later
   * reader finds it disposed (inputs it never lets go).
   */
  private mayReadTwice(t: DraftTensor): boolean {
    return !this.drawing.options.tfjsOnly || this.nodes.every((n) => n.name !== t.name);
  }

  /** A tensor to build on: an input nothing reads yet, else mostly one of the latest. */
  pick(): DraftTensor {
    const unread = this.tensors.find((t) => t.reads === 0 && !this.nodes.some((n) => n.name === t.name));
    if (unread) return unread;
    const recent = this.tensors.slice(-3);
    return this.rng.next() < 0.6 ? this.rng.pick(recent) : this.rng.pick(this.tensors);
  }

  /**
   * Adds a node reading `inputs` if convas accepts it and its output is not too large; returns its
   * output tensor, or undefined (and adds nothing).
   */
  add(layer: { config?: LayerConfig; graph?: GraphSpec; shape?: Shape }, inputs: DraftTensor[], prefix: string, anySize = false): DraftTensor | undefined {
    let shape = layer.shape, weighted = !!layer.graph;
    if (layer.config) {
      try {
        const described = layerFromConfig(layer.config).describe(inputs.map((t) => t.shape));
        shape = described.outputShape;
        weighted = described.parameters.length > 0;
      } catch {
        return undefined;
      }
    }
    if (!shape || (!anySize && sizeOf(shape) > (this.drawing.options.maxValues ?? 256))) return undefined;
    const name = layer.graph?.name ?? this.drawing.name(prefix);
    const trainable = !(weighted && this.rng.next() < (this.drawing.options.freezing ?? 0.15));
    this.nodes.push({ name, inputs: inputs.map((t) => t.name), ...(layer.config ? { config: layer.config } : { graph: layer.graph }), trainable });
    inputs.forEach((t) => t.reads++);
    const output = { name, shape, reads: 0 };
    this.tensors.push(output);
    return output;
  }

  /** One single-input layer of a kind that can read `x`; an activation when several draws are refused. */
  layer(x: DraftTensor): DraftTensor {
    const kinds = Object.entries(LAYER_KINDS).filter(([, kind]) => kind.reads(x.shape) && (kind.inTfjs !== false || !this.drawing.options.tfjsOnly));
    for (let attempt = 0; attempt < 6; attempt++) {
      let r = this.rng.next() * kinds.reduce((sum, [, kind]) => sum + kind.weight, 0);
      const [prefix, kind] = kinds.find(([, k]) => (r -= k.weight) < 0) ?? kinds[0];
      const output = this.add({ config: kind.draw(this.rng, x.shape, this.drawing.options) }, [x], prefix);
      if (output) return output;
    }
    return this.add({ config: { className: 'Activation', activation: 'tanh' } }, [x], 'activation')!;
  }

  /** add, multiply, average or maximum of x and one or two tensors of its shape: x itself again, another, or a new branch from x. */
  merge(x: DraftTensor): void {
    const operands = [x];
    const count = this.rng.int(2, 3);
    while (operands.length < count) {
      const others = this.tensors.filter((t) => t !== x && String(t.shape) === String(x.shape) && !operands.includes(t));
      const r = this.rng.next();
      if (r < 0.2 && this.mayReadTwice(x)) operands.push(x);
      else if (r < 0.5 && others.length) operands.push(this.rng.pick(others));
      else operands.push(this.add({ config: sameShapeLayer(this.rng, x.shape) }, [x], 'branch') ?? x);
    }
    const className = this.rng.pick(ELEMENTWISE_MERGES);
    this.add({ config: { className } }, this.shuffle(operands), className.toLowerCase());
  }

  /** x joined with one or two tensors that agree with it off the axis: the last axis (an image's channels), or an image's height or width. */
  concatenate(x: DraftTensor): void {
    const image = isImage(x.shape);
    const axis = image ? this.rng.pick([-1, 3, 1, 2]) : -1;
    const at = axis < 0 ? x.shape.length + axis : axis - 1;
    const agrees = (t: DraftTensor) => t.shape.length === x.shape.length && t.shape.every((d, i) => i === at || d === x.shape[i]);
    const operands = [x];
    const count = this.rng.int(2, 3);
    while (operands.length < count) {
      const others = this.tensors.filter((t) => t !== x && agrees(t) && !operands.includes(t));
      const r = this.rng.next();
      if (r < 0.15 && this.mayReadTwice(x)) operands.push(x);
      else if (r < 0.45 && others.length) operands.push(this.rng.pick(others));
      else {
        const config = image ? resizeAlong(this.rng, x.shape, at) : LAYER_KINDS.dense.draw(this.rng, x.shape, this.drawing.options);
        operands.push(this.add({ config }, [x], 'branch') ?? x);
      }
    }
    this.add({ config: { className: 'Concatenate', axis } }, this.shuffle(operands), 'concatenate');
  }

  /** A model used as a layer on x (and sometimes a second tensor): functional or sequential. */
  nested(x: DraftTensor): void {
    const second = this.rng.next() < 0.25 ? this.rng.pick(this.tensors.filter((t) => t !== x)) : undefined;
    const inputs = second ? [x, second] : [x];
    const spec = !second && this.rng.next() < 0.4
      ? drawSequential(this.drawing, x.shape, this.depth + 1)
      : drawFunctional(this.drawing, inputs.map((t) => t.shape), this.depth + 1, 'model');
    this.add({ graph: spec.graph, shape: spec.shape }, inputs, 'model');
  }

  /** Ends the graph in one tensor: the one nothing reads, or every such tensor merged (flattened and concatenated when shapes differ). */
  finish(): DraftTensor {
    let sinks = this.tensors.filter((t) => t.reads === 0);
    if (sinks.length === 1 && this.nodes.length > 0) return sinks[0];
    if (sinks.length === 1) return this.layer(sinks[0]);
    if (sinks.every((t) => String(t.shape) === String(sinks[0].shape)) && this.rng.next() < 0.5) {
      const className = this.rng.pick(ELEMENTWISE_MERGES);
      const merged = this.add({ config: { className } }, sinks, className.toLowerCase());
      if (merged) return merged;
    }
    sinks = sinks.map((t) => (isImage(t.shape) ? this.add({ config: { className: 'Flatten' } }, [t], 'flatten', true)! : t));
    return this.add({ config: { className: 'Concatenate', axis: -1 } }, sinks, 'concatenate', true)!;
  }

  private shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.rng.int(0, i);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

/** A functional graph on inputs of `shapes`: a few steps of layers, merges, concatenations and nested models. */
function drawFunctional(drawing: Drawing, shapes: Shape[], depth: number, prefix: string): { graph: GraphSpec; shape: Shape } {
  const { rng, options } = drawing;
  const name = drawing.name(prefix);
  const inputs = shapes.map((shape) => ({ name: drawing.name('input'), shape }));
  const draft = new Draft(drawing, inputs, depth);
  // A nested model often starts by reading its input twice: a residual or a merge of the input with itself.
  if (depth > 0 && rng.next() < 0.5) draft[rng.pick(['merge', 'concatenate'] as const)](draft.tensors[0]);
  const steps = rng.int(1, depth === 0 ? 6 : 3);
  for (let s = 0; s < steps; s++) {
    const x = draft.pick();
    const r = rng.next();
    if (r < 0.35) draft.layer(x);
    else if (r < 0.6) draft.merge(x);
    else if (r < 0.75) draft.concatenate(x);
    else if (depth < (options.maxDepth ?? 2)) draft.nested(x);
    else draft.layer(x);
  }
  let output = draft.finish();
  if (depth === 0 && options.classes) {
    if (isImage(output.shape)) output = draft.add({ config: { className: 'Flatten' } }, [output], 'flatten', true)!;
    output = draft.add({ config: { className: 'Dense', units: options.classes, activation: 'softmax', useBias: true } }, [output], 'dense', true)!;
  }
  const graph: GraphSpec = {
    kind: 'model', name, nodes: draft.nodes, output: output.name,
    inputs: depth === 0 ? inputs.map((t) => ({ name: t.name, shape: [...t.shape] })) : inputs.map((t) => ({ name: t.name })),
  };
  return { graph, shape: output.shape };
}

/** A sequential model on `shape`: one to three layers, one of them sometimes a functional model. */
function drawSequential(drawing: Drawing, shape: Shape, depth: number): { graph: GraphSpec; shape: Shape } {
  const { rng, options } = drawing;
  const name = drawing.name('sequential');
  const draft = new Draft(drawing, [{ name: `${name}_input`, shape }], depth);
  let x = draft.tensors[0];
  const count = rng.int(1, 3);
  for (let i = 0; i < count; i++) {
    if (depth < (options.maxDepth ?? 2) && rng.next() < 0.3) {
      const inner = drawFunctional(drawing, [x.shape], depth + 1, 'model');
      x = draft.add({ graph: inner.graph, shape: inner.shape }, [x], 'model') ?? draft.layer(x);
    } else {
      x = draft.layer(x);
    }
  }
  return { graph: { kind: 'sequential', name, inputs: [{ name: `${name}_input` }], nodes: draft.nodes, output: x.name }, shape: x.shape };
}

/** A random graph model: one input mostly, two or three sometimes (often of one shape, so they merge). */
export function drawGraph(rng: Rng, options: DrawOptions = {}): GraphSpec {
  const drawing = new Drawing(rng, options);
  const side = options.maxSide ?? 8;
  const image = () => [rng.int(1, side), rng.int(1, side), rng.int(1, 4)];
  let first = rng.next() < 0.85 ? image() : [rng.int(1, 12)];
  while (sizeOf(first) > (options.maxValues ?? 256)) first = image();
  const count = rng.next() < 0.7 ? 1 : rng.int(2, 3);
  const shapes = [first];
  while (shapes.length < count) shapes.push(rng.next() < 0.5 ? first : [rng.int(1, 12)]);
  return drawFunctional(drawing, shapes, 0, 'graph').graph;
}

// --- convas models from specs

/**
 * Builds the convas model a spec describes, weights from `seed` (each nested model from a seed of
 * its own). Nested models are made first; if convas refuses the graph, they are freed and the
 * error is thrown on.
 */
export function buildGraphModel(spec: GraphSpec, seed: number): Model {
  const made: Model[] = [];
  let nextSeed = seed;
  const build = (graph: GraphSpec, shapes: Shape[]): Model => {
    const seedOfGraph = nextSeed++;
    if (graph.kind === 'sequential') {
      const layers: Layer[] = [];
      let shape = shapes[0];
      for (const node of graph.nodes) {
        const layer = layerOf(node, [shape]);
        layers.push(layer);
        shape = layer instanceof Model ? layer.outputShapes[0] : layer.describe([shape]).outputShape;
      }
      return keep(sequential({ name: graph.name, inputShape: [...shapes[0]], layers, seed: seedOfGraph }));
    }
    const tensors = new Map<string, SymbolicTensor<Layer>>();
    graph.inputs.forEach((t, i) => tensors.set(t.name, input({ shape: [...shapes[i]], name: t.name })));
    for (const node of graph.nodes) {
      const reads = node.inputs.map((name) => tensors.get(name)!);
      const layer = layerOf(node, reads.map((t) => t.shape));
      tensors.set(node.name, layer.apply(reads.length === 1 ? reads[0] : reads));
    }
    return keep(model({ name: graph.name, inputs: graph.inputs.map((t) => tensors.get(t.name)!), outputs: tensors.get(graph.output)!, seed: seedOfGraph }));
  };
  const layerOf = (node: GraphNode, shapes: Shape[]): Layer => {
    const layer = node.graph ? build(node.graph, shapes) : layerFromConfig({ ...node.config!, name: node.name });
    if (!node.trainable) layer.trainable = false;
    return layer;
  };
  const keep = (m: Model) => (made.push(m), m);
  try {
    return build(spec, spec.inputs.map((t) => t.shape!));
  } catch (error) {
    made.forEach((m) => m.dispose());
    throw error;
  }
}

/** Every layer that holds weights, nested models' included, by name. */
export function weightedLayers(m: Model): Map<string, Layer> {
  const found = new Map<string, Layer>();
  const visit = (container: Model) => {
    for (const layer of container.layers) {
      if (layer instanceof Model) visit(layer);
      else if (layer.params.length > 0) found.set(layer.name, layer);
    }
  };
  visit(m);
  return found;
}

/** The layers a spec freezes: those marked, and every layer of a frozen nested model. */
export function frozenLayers(spec: GraphSpec, frozen = false, into = new Set<string>()): Set<string> {
  for (const node of spec.nodes) {
    if (node.graph) frozenLayers(node.graph, frozen || !node.trainable, into);
    else if (frozen || !node.trainable) into.add(node.name);
  }
  return into;
}

// --- describing and shrinking

/** The graph as text, one node a line, nested graphs indented: for failure messages. */
export function describeGraph(spec: GraphSpec, indent = ''): string {
  const inputs = spec.inputs.map((t) => (t.shape ? `${t.name} [${t.shape.join(', ')}]` : t.name)).join(', ');
  const lines = [`${indent}${spec.kind} ${spec.name} (${inputs}) → ${spec.output}`];
  for (const node of spec.nodes) {
    const frozen = node.trainable ? '' : ' frozen';
    if (node.graph) {
      lines.push(`${indent}  ${node.name} = ${node.graph.kind}(${node.inputs.join(', ')})${frozen}:`);
      lines.push(describeGraph(node.graph, `${indent}    `));
    } else {
      const { className, ...settings } = node.config!;
      const text = Object.keys(settings).length ? ` ${JSON.stringify(settings)}` : '';
      lines.push(`${indent}  ${node.name} = ${className}(${node.inputs.join(', ')})${text}${frozen}`);
    }
  }
  return lines.join('\n');
}

/** What a spec exercises, for tests that check the generator draws every feature. */
export function graphFeatures(spec: GraphSpec, depth = 0, into = new Set<string>()): Set<string> {
  if (spec.inputs.length > 1 && depth === 0) into.add('several inputs');
  const readers = new Map<string, number>();
  for (const node of spec.nodes) {
    for (const name of node.inputs) readers.set(name, (readers.get(name) ?? 0) + 1);
    if (new Set(node.inputs).size < node.inputs.length) into.add('a tensor read twice by one layer');
    if (!node.trainable) into.add(node.graph ? 'a frozen nested model' : 'a frozen layer');
    if (node.graph) {
      into.add(`a nested ${node.graph.kind}`);
      if (depth >= 1) into.add('models nested two deep');
      graphFeatures(node.graph, depth + 1, into);
      continue;
    }
    const { className, axis } = node.config!;
    if (className === 'Concatenate') into.add(axis === 1 || axis === 2 ? 'concatenate on height or width' : 'concatenate on the last axis');
    else into.add(className);
  }
  if ([...readers.values()].some((n) => n > 1)) into.add('fan-out');
  if (depth > 0 && spec.inputs.some((t) => (readers.get(t.name) ?? 0) > 1)) into.add('a nested model reading its input twice');
  return into;
}

/** Drops the nodes the output does not depend on; in the outermost graph, inputs nothing reads too. */
function pruned(spec: GraphSpec, outermost: boolean): GraphSpec {
  const needed = new Set([spec.output]);
  for (let i = spec.nodes.length - 1; i >= 0; i--) if (needed.has(spec.nodes[i].name)) spec.nodes[i].inputs.forEach((n) => needed.add(n));
  const inputs = outermost ? spec.inputs.filter((t) => needed.has(t.name)) : spec.inputs;
  return { ...spec, inputs: inputs.length ? inputs : spec.inputs, nodes: spec.nodes.filter((n) => needed.has(n.name)) };
}

/** Simpler settings for a layer, one change at a time: fewer filters or units, windows of 1, no padding, linear, no bias, unfrozen. */
function* simplerNodes(node: GraphNode): Generator<GraphNode> {
  if (!node.trainable) yield { ...node, trainable: true };
  if (!node.config) return;
  const config = node.config;
  for (const key of ['filters', 'units'] as const) {
    const value = config[key] as number | undefined;
    if (value && value > 1) yield { ...node, config: { ...config, [key]: value - 1 } };
  }
  for (const key of ['kernelSize', 'poolSize', 'strides'] as const) {
    if (config[key] !== undefined && config[key] !== 1) yield { ...node, config: { ...config, [key]: 1 } };
  }
  if (config.padding !== undefined && config.padding !== 'valid') yield { ...node, config: { ...config, padding: 'valid' } };
  if (config.activation !== undefined && config.activation !== 'linear') yield { ...node, config: { ...config, activation: 'linear' } };
  if (config.useBias === true) yield { ...node, config: { ...config, useBias: false } };
}

/** The graph and every graph nested in it, each with a function that puts a changed version of it in place. */
function* graphsWithin(spec: GraphSpec): Generator<{ graph: GraphSpec; replace: (changed: GraphSpec) => GraphSpec }> {
  yield { graph: spec, replace: (changed) => changed };
  for (const [i, node] of spec.nodes.entries()) {
    if (!node.graph) continue;
    for (const inner of graphsWithin(node.graph)) {
      yield { graph: inner.graph, replace: (changed) => ({ ...spec, nodes: spec.nodes.map((n, j) => (j === i ? { ...n, graph: inner.replace(changed) } : n)) }) };
    }
  }
}

/** Variants of one graph (not of those nested in it), each one step smaller: a node bypassed, a merge operand dropped, a node simplified. */
function* smallerVariants(spec: GraphSpec, outermost: boolean): Generator<GraphSpec> {
  const replaceNode = (index: number, node: GraphNode) => ({ ...spec, nodes: spec.nodes.map((n, i) => (i === index ? node : n)) });
  for (let i = spec.nodes.length - 1; i >= 0; i--) {
    const node = spec.nodes[i];
    // Bypassed: its readers read its first input instead.
    const bypassed = (name: string) => (name === node.name ? node.inputs[0] : name);
    yield pruned({
      ...spec, output: bypassed(spec.output),
      nodes: spec.nodes.filter((_, j) => j !== i).map((n) => ({ ...n, inputs: n.inputs.map(bypassed) })),
    }, outermost);
    if (node.inputs.length > 2) {
      for (let k = 0; k < node.inputs.length; k++) yield pruned(replaceNode(i, { ...node, inputs: node.inputs.filter((_, j) => j !== k) }), outermost);
    }
    for (const simpler of simplerNodes(node)) yield replaceNode(i, simpler);
  }
  if (outermost) {
    for (let i = 0; i < spec.inputs.length; i++) {
      const shape = spec.inputs[i].shape!;
      for (let d = 0; d < shape.length; d++) {
        if (shape[d] > 1) {
          yield { ...spec, inputs: spec.inputs.map((t, j) => (j === i ? { ...t, shape: shape.map((v, k) => (k === d ? v - 1 : v)) } : t)) };
        }
      }
    }
  }
}

/** One step smaller variants of a whole graph, nested graphs changed in place; a graph with no node is never proposed. */
export function* smallerGraphs(spec: GraphSpec): Generator<GraphSpec> {
  for (const { graph, replace } of graphsWithin(spec)) {
    for (const variant of smallerVariants(graph, graph === spec)) if (variant.nodes.length > 0) yield replace(variant);
  }
}

/**
 * A graph convas must refuse while building it, made from a valid one by one change in it or in a
 * model nested in it, and what the change is.
 */
export function spoilGraph(rng: Rng, spec: GraphSpec): { spec: GraphSpec; what: string } {
  const { graph, replace } = rng.pick([...graphsWithin(spec)]);
  const node = (name: string, inputs: string[], config: LayerConfig): GraphNode => ({ name: `${graph.output}_${name}`, inputs, config, trainable: true });
  const ending = (what: string, ...nodes: GraphNode[]) => ({ what, spec: replace({ ...graph, nodes: [...graph.nodes, ...nodes], output: nodes[nodes.length - 1].name }) });
  const out = graph.output;
  const merges = graph.nodes.filter((n) => n.config && [...ELEMENTWISE_MERGES, 'Concatenate'].includes(n.config.className));
  switch (rng.int(0, 2)) {
    case 0: {
      // The output, and a dense layer wider than any tensor drawn: their shapes cannot merge.
      const flat = node('flat', [out], { className: 'Flatten' });
      const wide = node('wide', [flat.name], { className: 'Dense', units: 4099 });
      const merged = rng.pick(ELEMENTWISE_MERGES);
      return ending(`a ${merged} of tensors whose shapes disagree`, flat, wide, node('merged', [rng.next() < 0.5 ? out : flat.name, wide.name], { className: merged }));
    }
    case 1: {
      if (merges.length === 0) return ending('a merge of one input', node('merged', [out], { className: rng.pick(ELEMENTWISE_MERGES) }));
      const merge = rng.pick(merges);
      const changed = { ...graph, nodes: graph.nodes.map((n) => (n === merge ? { ...n, inputs: [n.inputs[0]] } : n)) };
      return { what: `${merge.name}, a merge of one input`, spec: replace(changed) };
    }
    default:
      return ending('a concatenation on an axis the tensors lack', node('joined', [out, out], { className: 'Concatenate', axis: 7 }));
  }
}
