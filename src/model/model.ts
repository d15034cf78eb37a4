// A Model is a graph of layers between symbolic inputs and outputs (Keras's functional API), and
// itself a layer, so models nest. This class is the facade: the graph and its checks are in
// graph.ts, running it in executor.ts, training in train-step.ts and fit-loop.ts, inference in
// inference.ts, weights in and out in weights.ts, the per-batch buffers in batch-buffers.ts. Buffers are planned per batch capacity; fit, predict and evaluate
// then run without allocating.
import { ConfigError, ShapeError, StateError } from '../errors.js';
import { Dropout } from '../layers/dropout.js';
import { InputLayer } from '../layers/input-layer.js';
import { type InferenceOutput, Layer, type LayerConfig, type Parameter, type WeightSpec, type WeightValues } from '../layers/layer.js';
import type { SymbolicTensor } from '../layers/node.js';
import { SameMemoryLayer } from '../layers/same-memory.js';
import { type Random, seededRandom } from '../random.js';
import { type Shape, formatShape, sizeOf } from '../shape.js';
import { shownValue } from '../shown-value.js';
import type { Tensor } from '../tensor.js';
import { BatchBuffers } from './batch-buffers.js';
import { type FoldPair, foldPairs, withFolds } from './batch-norm-folding.js';
import type { History } from './callbacks.js';
import { checkInputs, checkTargets, oneTarget } from './data-checks.js';
import { BatchReader, type Dataset } from './dataset-batches.js';
import { LossReference } from './divergence.js';
import { GraphExecutor } from './executor.js';
import { type Trainer, fitDatasetBatches, fitTensors } from './fit.js';
import type { Evaluation } from './fit-loop.js';
import { type FitDatasetOptions, type FitOptions, checkVerbose } from './fit-options.js';
import { type Around, Inference, Scoring } from './inference.js';
import { type Graph, buildGraph } from './graph.js';
import { graphConfig } from './graph-config.js';
import {
  type Loss, type LossConfig, type LossName, type LossSpec, type OutputRows, type OutputValues, checkLoss, checkLossFitsOutput, lossConfig, lossRows, outputMismatch,
  rowsAlongLastAxis,
} from './losses.js';
import { type CompiledMetric, MetricSet, type MetricSpec, type MetricSpecs, canonicalMetric, metricList } from './metric-set.js';
import { SampleWeights } from './sample-weights.js';
import { checkOptions } from './settings.js';
import type { ModelOptions } from './model-options.js';
import { Optimizer, type OptimizerClassName, type OptimizerConfig, type OptimizerType, type ResolvedOptimizerConfig } from './optimizers.js';
import { type SaveOptions, saveWithRegisteredSaver } from './save-registry.js';
import { summaryText } from './summary.js';
import { type FusedActivation, TrainStep } from './train-step.js';
import { checkNoRunUnderWay, checkNotTraining, trainExclusively } from './training-runs.js';
import { parameterTensors, setParameterValues } from '../layers/parameter.js';
import { Pass } from '../data/stream.js';

export type { BatchLogs, History, Logs } from './callbacks.js';
export type { FitDatasetOptions, FitOptions } from './fit-options.js';
export type { Evaluation } from './fit-loop.js';
export type { ModelOptions } from './model-options.js';

export interface PredictOptions {
  batchSize?: number;
  /**
   * Fold each BatchNormalization that directly follows a convolution (its only reader) into that
   * convolution's weights for this call, and run a ReLU or ReLU6 that alone reads it inside the
   * convolution's kernel: faster, and the results move only by rounding (the model's own weights
   * are untouched). Default false.
   */
  foldBatchNorm?: boolean;
  /** TF.js's and Keras's progress printing: 0, 1, 2, true or false, taken and ignored (nothing is printed). */
  verbose?: 0 | 1 | 2 | boolean;
}

export interface EvaluateOptions extends PredictOptions {
  /** Metrics to report besides the loss, accuracy and those compile asked for (TF.js's names, or Keras's): a list, or one name. */
  metrics?: MetricSpecs;
  /** Keras's sample_weight, as fit takes it: weighs the loss (not the metrics). */
  sampleWeight?: Tensor;
}

export interface EvaluateDatasetOptions {
  /** The batches to read: all of one pass when left out. */
  batches?: number;
  /** As evaluate's. */
  metrics?: MetricSpecs;
  /** As evaluate's: TF.js's evaluateDataset takes it beside batches. */
  verbose?: 0 | 1 | 2;
}

/** Every option each takes: one left out here fails the type check, and one a caller misspells is refused. */
const COMPILE_OPTIONS: Record<keyof CompileOptions, true> = { optimizer: true, loss: true, metrics: true };
export const PREDICT_OPTIONS: Record<keyof PredictOptions, true> = { batchSize: true, foldBatchNorm: true, verbose: true };
const EVALUATE_OPTIONS: Record<keyof EvaluateOptions, true> = { ...PREDICT_OPTIONS, metrics: true, sampleWeight: true };
const EVALUATE_DATASET_OPTIONS: Record<keyof EvaluateDatasetOptions, true> = { batches: true, metrics: true, verbose: true };

/** The loss/output mismatches compile has warned of: each once, not at every compile of a retraining loop. */
const warnedMismatches = new Set<string>();

export interface CompileOptions {
  /** convas's name ('adam'), TF.js's or Keras's class name ('Adam', 'RMSProp'), or { type, learningRate, …settings }. */
  optimizer: OptimizerConfig | OptimizerType | OptimizerClassName;
  /** TF.js's name ('categoricalCrossentropy') or Keras's ('categorical_crossentropy', 'mse'), or { type, …settings }; kept under TF.js's. */
  loss: LossSpec;
  /**
   * What fit logs (per epoch, and val_ ones with validation) and evaluate returns, besides the loss
   * and accuracy (always there): 'topKCategoricalAccuracy', 'precision', 'perClassF1', … (TF.js's names);
   * a list, or one name alone ('accuracy'), as TF.js takes it.
   */
  metrics?: MetricSpecs;
}

export class Model extends Layer {
  readonly className: 'Model' | 'Sequential';
  readonly seed: number;
  readonly inputs: SymbolicTensor<Layer>[];
  readonly outputs: SymbolicTensor<Layer>[];
  private readonly graph: Graph;
  private readonly executor: GraphExecutor;
  private readonly rng: Random;
  private readonly buffers: BatchBuffers;
  private readonly outputSizes: number[];
  private readonly inference: Inference;
  private optimizer?: Optimizer;
  private loss?: Loss;
  /** The output activation whose logits the loss takes (compile decides, once: steps read it without a search). */
  private fusedOutput?: FusedActivation;
  private metrics?: CompiledMetric[];
  /** Set to true (from a callback, a button…) to end fit after the current batch, as Keras's model.stop_training. */
  stopTraining = false;
  private lossReference = new LossReference();
  private weightsMade = false;
  /** The layers makeWeights built (not those it was given built). */
  private builtHere: Layer[] = [];
  private userDefinedMetadata?: Record<string, unknown>;
  private disposed = false;
  /** Whether the last hold let go of the model (free()): its layers are let go of, and it cannot be built again. */
  private freed = false;
  /** Whether the model's own hold (from its constructor) is still its own: see dispose(). */
  private holdsItself = true;

  constructor(options: ModelOptions) {
    if (!options || typeof options !== 'object') throw new ConfigError('model: expected { inputs, outputs }');
    super(options.name, 'model');
    const seed = options?.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new ConfigError(`model: seed must be an integer in [0, 2^32), got ${shownValue(seed)}`);
    }
    this.className = options.className ?? 'Model';
    if (options.ownTrainable !== undefined) super.trainable = options.ownTrainable;
    this.graph = buildGraph(options.inputs, options.outputs, `model ${this.name}`);
    if (this.graph.nodes.length === 0) throw new ConfigError(`model ${this.name}: a model needs at least one layer between its inputs and outputs`);
    this.inputs = this.graph.inputs;
    this.outputs = this.graph.outputs;
    this.inputShape = this.inputs[0].shape;
    this.outputShape = this.outputs[0].shape;
    this.seed = seed;
    this.rng = seededRandom(seed);
    this.executor = new GraphExecutor(this.graph);
    this.outputSizes = this.outputs.map((t) => sizeOf(t.shape));
    this.buffers = new BatchBuffers(this.inputs.map((t) => sizeOf(t.shape)), this.outputSizes[0], rowsAlongLastAxis(this.outputShape).positions);
    this.inference = new Inference(this.executor, this.buffers, this.inputs.length, this.outputShapes,
      this.graph.nodes.map((n) => n.output.shape));
    // A layer freed for good, or a nested model freed with the model that held it (its own layers
    // let go), is refused before any hold is taken: a failed constructor gives back only what it took.
    for (const layer of this.executor.layers) layer.checkNotFreed();
    this.retain(); // the model holds itself until dispose(), or until a model that contains it takes that hold over
    const tookOver: Model[] = [];
    for (const layer of this.executor.layers) {
      // A model nested here belongs to this one, as its other layers do: disposing this model frees it too.
      if (layer instanceof Model && layer.holdsItself) {
        layer.holdsItself = false;
        tookOver.push(layer);
      } else layer.retain();
    }
    if (options.deferBuild) return;
    try {
      this.makeWeights(this.rng);
    } catch (error) {
      // This model will not exist: its holds go back (a nested model to holding itself), and what it built is unbuilt.
      for (const layer of this.executor.layers) {
        if (tookOver.includes(layer as Model)) (layer as Model).holdsItself = true;
        else layer.release();
      }
      throw error;
    }
  }

  /**
   * Builds every layer that has no weights yet, in node order, from `rng` (or with `values`:
   * Layer.build). One that fails (out of memory) takes those built here back to unbuilt; layers
   * built before, which other models may hold, stay as they were.
   */
  private makeWeights(rng: Random, values?: WeightValues): void {
    const builtHere: Layer[] = [];
    const drawn = rng.state; // a retry draws the same weights from the same seed
    try {
      for (const node of this.graph.nodes) {
        if (node.layer.isBuilt) continue;
        node.layer.build(node.inputs.map((t) => t.shape), rng, values);
        builtHere.push(node.layer);
      }
    } catch (error) {
      for (const layer of builtHere.reverse()) layer.unbuild();
      rng.state = drawn;
      throw error;
    }
    this.builtHere = builtHere;
    this.weightsMade = true;
  }

  /** @internal A nested model's build taken back (its outer model's build failed): the layers it built, not those it was given built. */
  unbuild(): void {
    for (const layer of [...this.builtHere].reverse()) layer.unbuild();
    this.builtHere = [];
    this.weightsMade = false;
  }

  // --- the graph

  /** The layers, as TensorFlow.js lists them: a graph model's with its InputLayers (in Keras's order), a Sequential's without. */
  get layers(): Layer[] {
    return this.className === 'Sequential' ? this.executor.layers : this.graph.ordered.map((n) => n.layer);
  }

  /** The layers that compute, for checks across nested models. */
  get innerLayers(): readonly Layer[] {
    return this.executor.layers;
  }

  /** The layers that compute, nested models' own included. */
  private get everyLayer(): Layer[] {
    return this.executor.layers.flatMap((layer) => (layer instanceof Model ? [layer, ...layer.everyLayer] : [layer]));
  }

  /**
   * The layer named `name`, or at `index` in `layers`: getLayer('conv1'), getLayer(3), or TF.js's and
   * Keras's getLayer(undefined, 3) (get_layer(index=3)).
   */
  getLayer(nameOrIndex?: string | number, index?: number): Layer {
    const layers = this.layers;
    if (index !== undefined && index !== null) {
      if (nameOrIndex !== undefined && nameOrIndex !== null) {
        throw new ConfigError(`getLayer: got both a name or index (${shownValue(nameOrIndex)}) and an index (${shownValue(index)}); give one`);
      }
      nameOrIndex = index;
    }
    if (typeof nameOrIndex === 'number') {
      if (!Number.isInteger(nameOrIndex) || nameOrIndex < 0 || nameOrIndex >= layers.length) {
        throw new ConfigError(`getLayer: index ${shownValue(nameOrIndex)}; model ${this.name} has ${layers.length} layers, at indices 0 to ${layers.length - 1}`);
      }
      return layers[nameOrIndex];
    }
    const found = layers.find((l) => l.name === nameOrIndex);
    if (!found) {
      const asked = typeof nameOrIndex === 'string' ? `no layer ${shownValue(nameOrIndex)}` : `no layer named ${shownValue(nameOrIndex)} (expected a name or an index)`;
      throw new ConfigError(`getLayer: model ${this.name} has ${asked}; it has ${layers.map((l) => l.name).join(', ')}`);
    }
    return found;
  }

  /** The nodes that compute, each with the layers it reads and whether its call is fixed in inference mode: for the file writers. */
  get nodes(): ReadonlyArray<{ layer: Layer; inputs: Layer[]; inferenceMode: boolean }> {
    return this.graph.nodes.map((n) => ({ layer: n.layer, inputs: n.inputs.map((t) => t.sourceLayer), inferenceMode: n.inferenceMode }));
  }

  get inputShapes(): Shape[] {
    return this.inputs.map((t) => t.shape);
  }

  get outputShapes(): Shape[] {
    return this.outputs.map((t) => t.shape);
  }

  // --- weights

  /** Every weight, in layer order (nested models' in theirs): fixed once the model is built. */
  get params(): readonly Parameter[] {
    return this.executor.layers.flatMap((l) => l.params);
  }

  get trainable(): boolean {
    return super.trainable;
  }

  /** Freezes (false) or unfreezes every layer of the model, nested ones included, as Keras does. */
  set trainable(value: boolean) {
    super.trainable = value;
    for (const layer of this.executor ? this.layers : []) layer.trainable = value;
  }

  get trainableWeights(): Parameter[] {
    return this.trainable ? this.executor.layers.flatMap((l) => l.trainableWeights) : [];
  }

  get nonTrainableWeights(): Parameter[] {
    const state = this.executor.layers.flatMap((l) => l.nonTrainableWeights);
    return this.trainable ? state : [...this.executor.layers.flatMap((l) => l.trainableWeights), ...state];
  }

  get plannedWeights(): Array<Required<WeightSpec>> {
    return this.executor.layers.flatMap((l) => l.plannedWeights);
  }

  /**
   * Makes the weights of a model built with deferBuild, from its own seed; or, for loaders, with the
   * values `values` writes (a file's), drawing none: the generator moves on as if it had drawn them.
   */
  initializeWeights(values?: WeightValues): void {
    if (this.weightsMade) throw new StateError(`${this.name}: the weights are already made`);
    this.makeWeights(this.rng, values);
  }

  get parameterCount(): number {
    return this.params.reduce((n, p) => n + p.size, 0);
  }

  /** The model's stream (shuffling) and each dropout layer's, in layer order: saved with the model. */
  get randomState(): number[] {
    return [this.rng.state, ...this.layersWithStreams().map((l) => l.randomState)];
  }

  set randomState(states: number[]) {
    const layers = this.layersWithStreams();
    if (!Array.isArray(states) || states.length !== layers.length + 1 || states.some((s) => !Number.isInteger(s) || s < 0 || s > 0xffffffff)) {
      throw new ConfigError(`randomState: expected ${layers.length + 1} integers in [0, 2^32), got ${shownValue(states)}`);
    }
    this.rng.state = states[0];
    layers.forEach((l, i) => (l.randomState = states[i + 1]));
  }

  private layersWithStreams(): Array<Layer & { randomState: number }> {
    return this.executor.layers.flatMap((l) => (l instanceof Model ? l.layersWithStreams() : 'randomState' in l ? [l as Layer & { randomState: number }] : []));
  }

  /** The weights as TensorFlow.js's getWeights() lists them (trainable, then non-trainable), as copies. */
  getWeights(): Tensor[] {
    this.checkAlive();
    return parameterTensors(this.weights);
  }

  /** Sets the weights, in getWeights() order; every array is checked before any is written. */
  setWeights(weights: Array<Tensor | Float32Array>): void {
    this.checkAlive();
    setParameterValues(this.weights, weights, 'setWeights');
  }

  // --- training and inference

  get isCompiled(): boolean {
    return this.optimizer !== undefined;
  }

  get compileConfig(): { optimizer: ResolvedOptimizerConfig; loss: LossName | LossConfig; metrics?: CompiledMetric[] } | undefined {
    if (!this.optimizer || !this.loss) return undefined;
    return { optimizer: this.optimizer.config, loss: lossConfig(this.loss), ...(this.metrics?.length ? { metrics: structuredClone(this.metrics) } : {}) };
  }

  /** The optimizer, for saving its state with the model. */
  get optimizerState(): Optimizer | undefined {
    return this.optimizer;
  }

  compile(options: CompileOptions): void {
    this.checkAlive();
    checkNotTraining(this, 'compile');
    checkOptions('compile', options, Object.keys(COMPILE_OPTIONS));
    const values = this.valuesActivation();
    const loss = checkLoss(options.loss, values?.name);
    const metrics = metricList(options.metrics, 'compile');
    if (this.outputs.length === 1) {
      checkLossFitsOutput(loss, this.outputShape, values);
      new MetricSet(metrics, loss, this.outputShape, 'compile'); // refuses unknown metrics now
    } else if (metrics?.length) this.checkOneOutput('compile (metrics)');
    const optimizer = new Optimizer(options.optimizer);
    this.optimizer?.dispose();
    optimizer.attach(this.params);
    this.optimizer = optimizer;
    this.loss = loss;
    this.metrics = metrics?.map(canonicalMetric);
    this.lossReference = new LossReference();
    // Softmax followed by a categorical cross-entropy, or sigmoid by binary cross-entropy: the loss
    // works from the logits (stable, and the gradient skips the activation's derivative) — when
    // nothing else reads the activation's output. A fact of this model and its loss, not of the
    // layer, which other models may share (they mark it only while their own backward pass runs).
    // With fromLogits the output itself is the logits, whatever ends the model (Keras's reading).
    const output = this.outputActivation();
    const activation = output?.name;
    this.fusedOutput = !loss.fromLogits && activation === loss.fusesWith ? output : undefined;
    const mismatch = activation === undefined ? undefined : outputMismatch(loss, activation);
    if (mismatch && !warnedMismatches.has(mismatch)) {
      warnedMismatches.add(mismatch);
      console.warn(`compile: ${mismatch}`);
    }
  }

  /** The activation of the layer that computes the one output, while nothing else reads that activation's output. */
  private outputActivation(): (FusedActivation & { name: string }) | undefined {
    if (this.outputs.length !== 1 || this.graph.nodes.some((n) => n.inputs.includes(this.outputs[0]))) return undefined;
    const layer = this.outputs[0].sourceLayer;
    if (layer instanceof Model) return layer.outputActivation();
    return (layer as { activation?: FusedActivation & { name: string } }).activation;
  }

  /**
   * The activation that made the one output's values, looked for through the layers that hand
   * values on unchanged (Reshape, Flatten; Dropout, as inference runs it), with the length of the
   * axis it works along (softmax's classes).
   */
  private valuesActivation(): OutputValues | undefined {
    if (this.outputs.length !== 1) return undefined;
    let tensor = this.outputs[0];
    let behindDropout = false;
    for (;;) {
      const layer = tensor.sourceLayer;
      if (layer instanceof Model) {
        const inner = layer.valuesActivation();
        return inner && { ...inner, behindDropout: inner.behindDropout || behindDropout };
      }
      if (!(layer instanceof SameMemoryLayer || layer instanceof Dropout)) break;
      if (layer instanceof Dropout && layer.rate > 0) behindDropout = true;
      tensor = tensor.node.inputs[0];
    }
    const activation = (tensor.sourceLayer as { activation?: { name: string } }).activation;
    return activation && { name: activation.name, classes: tensor.shape[tensor.shape.length - 1], behindDropout };
  }

  private fusedLogits(): number {
    return this.fusedOutput?.input ?? 0;
  }

  /** Grows the model's and its layers' buffers to hold batches of `capacity` examples. */
  private planBatch(capacity: number): void {
    this.executor.plan(capacity);
    try {
      this.buffers.plan(capacity);
    } catch (error) {
      this.executor.restorePlans();
      throw error;
    }
  }

  private trainStep(what: string): TrainStep {
    if (!this.optimizer || !this.loss) throw new StateError(`${what}: the model must be compiled first: call model.compile({ optimizer, loss })`);
    this.checkOneOutput(what);
    return new TrainStep({
      executor: this.executor, buffers: this.buffers, optimizer: this.optimizer, loss: this.loss, rows: this.lossRows(),
      rng: this.rng, trained: this.trainableWeights, layerState: this.params.filter((p) => !p.trainable),
      lossReference: this.lossReference, fusedActivation: () => this.fusedOutput, plan: (c) => this.planBatch(c),
      checkStillTraining: () => {
        if (this.disposed) throw new StateError('fit: the model was disposed while it was training');
      },
    });
  }

  /** What fit and fitDataset need of this model, for one call. */
  private trainer(what: string): Trainer {
    const step = this.trainStep(what);
    return {
      model: this, step, loss: this.loss!, metrics: this.metrics, outputShape: this.outputShape,
      checkData: (x, y, who) => this.checkData(x, y, who),
      evaluate: (xs, y, first, n, batchSize, weights) => this.inference.evaluate(xs, y, first, n, batchSize, this.scoring([], 'evaluate', weights)),
      evaluateDataset: (dataset, batches, who) => this.scoreDataset(dataset, batches, who, this.scoring()),
      reader: (who) => this.reader(who),
    };
  }

  private checkOneOutput(what: string): void {
    if (this.outputs.length !== 1) {
      throw new ConfigError(`${what}: model ${this.name} has ${this.outputs.length} outputs; convas trains and evaluates models ` +
        'with one output (predictOutputs runs any number)');
    }
  }

  /** x and y checked against the model's inputs and output (as the loss reads its targets). */
  private checkData(x: Tensor | Tensor[], y: Tensor, what: string): { xs: Tensor[]; n: number } {
    const { xs, n } = checkInputs(x, this.inputShapes, what);
    checkTargets(y, n, this.outputShape, what, this.loss);
    return { xs, n };
  }

  /** Sums of an evaluation with the compiled metrics and `extra` ones (one asked for again, with the same settings, counts once). */
  private scoring(extra?: MetricSpecs, what = 'evaluate', weights?: SampleWeights): Scoring {
    const compiled = this.metrics ?? [];
    const same = (a: MetricSpec, b: MetricSpec) => JSON.stringify(a) === JSON.stringify(b);
    const asked = (metricList(extra, what) ?? []).map(canonicalMetric);
    const metrics = new MetricSet([...compiled, ...asked.filter((m) => !compiled.some((c) => same(c, m)))], this.loss!, this.outputShape, what);
    return new Scoring(this.loss!, this.lossRows(), () => this.fusedLogits(), metrics, weights);
  }

  /** How the compiled loss reads the (one) output of each example. */
  private lossRows(): OutputRows {
    return lossRows(this.loss!, this.outputShape);
  }

  private reader(what: string): BatchReader {
    return new BatchReader(this.buffers, (c) => this.planBatch(c), this.inputShapes, this.outputShape, this.loss!, what);
  }

  /** Scores the batches of one pass over `dataset` (the first `batches` of it, when given). */
  private async scoreDataset(dataset: Dataset<unknown>, batches: number | undefined, what: string, scoring: Scoring): Promise<Evaluation> {
    const reader = this.reader(what);
    const pass = await Pass.start(dataset, what);
    scoring.start();
    try {
      for (let b = 0; batches === undefined || b < batches; b++) {
        const next = await pass.next();
        if (next.done) break;
        this.checkAlive();
        const size = reader.read(next.value, `batch ${b + 1}`);
        this.inference.score(this.buffers.inputs, size, scoring);
      }
    } finally {
      pass.leave();
    }
    if (scoring.count === 0) throw new ConfigError(`${what}: the dataset gave no batches`);
    return scoring.result();
  }

  /**
   * Trains on (x, y); frozen layers (trainable = false) keep their weights. Options as TF.js's:
   * epochs, batchSize, shuffle, validationData or validationSplit, initialEpoch, classWeight,
   * callbacks; and Keras's sampleWeight, per example or per position of the output. y may be [y],
   * as TF.js takes the targets of a model's one output.
   */
  async fit(x: Tensor | Tensor[], y: Tensor | [Tensor], options: FitOptions = {}): Promise<History> {
    this.checkAlive();
    const targets = oneTarget(y, 'fit');
    return trainExclusively(this, this.everyLayer, 'fit', () => fitTensors(this.trainer('fit'), x, targets, options));
  }

  /**
   * Trains on the batches of a dataset: any iterable or async iterable of { xs, ys } (Tensors,
   * { values, shape } or flat arrays), or an object with iterator() as tf.data's. Memory holds one
   * batch at a time, so the data may be larger than memory. Fed the same batches in the same order,
   * it trains to the same weights as fit.
   */
  async fitDataset(dataset: Dataset<unknown>, options: FitDatasetOptions = {}): Promise<History> {
    this.checkAlive();
    return trainExclusively(this, this.everyLayer, 'fitDataset', () => fitDatasetBatches(this.trainer('fitDataset'), dataset, options));
  }

  /**
   * The mean loss on (x, y) with every trainable weight's gradient left in its `grad` buffer, weights
   * unchanged: what one training step would use. For gradient checks and custom training loops.
   */
  lossAndGradients(x: Tensor | Tensor[], given: Tensor | [Tensor]): number {
    this.checkAlive();
    const y = oneTarget(given, 'lossAndGradients');
    checkNoRunUnderWay(this, this.everyLayer, 'lossAndGradients');
    const step = this.trainStep('lossAndGradients');
    const { xs, n } = checkInputs(x, this.inputShapes, 'lossAndGradients');
    checkTargets(y, n, this.outputShape, 'lossAndGradients', this.loss);
    this.planBatch(n);
    step.gather(xs, y, undefined, 0, n);
    return step.computeGradients(n);
  }

  /** Runs the model on x in batches: a new tensor [n, ...outputShape]. A model with several outputs uses predictOutputs. */
  predict(x: Tensor | Tensor[], options: PredictOptions = {}): Tensor {
    if (this.outputs.length !== 1) {
      throw new ConfigError(`predict: model ${this.name} has ${this.outputs.length} outputs; predictOutputs(x) gives a tensor for each`);
    }
    return this.predictOutputs(x, options)[0];
  }

  /** Runs the model on x in batches: a new tensor [n, ...shape] for each output, in the order of `outputs`. */
  predictOutputs(x: Tensor | Tensor[], options: PredictOptions = {}): Tensor[] {
    this.checkAlive();
    checkOptions('predict', options, Object.keys(PREDICT_OPTIONS));
    checkVerbose(options.verbose, 'predict');
    const { xs, n } = checkInputs(x, this.inputShapes, 'predict');
    return this.inference.predict(xs, n, options.batchSize ?? 32, this.inferenceSetUp(options, 'predict'));
  }

  /**
   * Every computing layer's output for x, in node order (inference mode): what each layer sees, for
   * visualising feature maps. Each is a new tensor [n, ...layer.outputShape].
   */
  activations(x: Tensor | Tensor[]): Tensor[] {
    this.checkAlive();
    const { xs, n } = checkInputs(x, this.inputShapes, 'activations');
    return this.inference.activations(xs, n);
  }

  /**
   * Mean loss, accuracy (the share right, counted as the loss reads its targets: accuracy.ts), the
   * compiled metrics and those in options.metrics.
   */
  evaluate(x: Tensor | Tensor[], given: Tensor | [Tensor], options: EvaluateOptions = {}): Evaluation {
    this.checkAlive();
    const y = oneTarget(given, 'evaluate');
    checkOptions('evaluate', options, Object.keys(EVALUATE_OPTIONS));
    checkVerbose(options.verbose, 'evaluate');
    if (!this.loss) throw new StateError('evaluate: the model must be compiled first (evaluate needs its loss)');
    this.checkOneOutput('evaluate');
    const { xs, n } = this.checkData(x, y, 'evaluate');
    const weights = options.sampleWeight === undefined ? undefined : new SampleWeights(options.sampleWeight, n, this.outputShape, this.loss, 'evaluate');
    const scoring = this.scoring(options.metrics, 'evaluate', weights);
    return this.inference.evaluate(xs, y, 0, n, options.batchSize ?? 32, scoring, this.inferenceSetUp(options, 'evaluate'));
  }

  /**
   * evaluate over the batches of a dataset (as fitDataset reads them): one pass, or its first
   * `batches`. Memory holds one batch at a time.
   */
  async evaluateDataset(dataset: Dataset<unknown>, options: EvaluateDatasetOptions = {}): Promise<Evaluation> {
    this.checkAlive();
    checkOptions('evaluateDataset', options, Object.keys(EVALUATE_DATASET_OPTIONS));
    checkVerbose(options.verbose, 'evaluateDataset');
    if (!this.loss) throw new StateError('evaluateDataset: the model must be compiled first (it needs its loss)');
    this.checkOneOutput('evaluateDataset');
    const { batches } = options;
    if (batches !== undefined && (!Number.isInteger(batches) || batches < 1)) {
      throw new ConfigError(`evaluateDataset: batches must be a positive integer, got ${shownValue(batches)}`);
    }
    return this.scoreDataset(dataset, batches, 'evaluateDataset', this.scoring(options.metrics, 'evaluateDataset'));
  }

  /** What predict and evaluate run their passes in: with the batch normalisations folded, when asked. */
  private inferenceSetUp(options: PredictOptions, what: string): Around | undefined {
    const fold = options.foldBatchNorm ?? false;
    if (typeof fold !== 'boolean') throw new ConfigError(`${what}: foldBatchNorm must be true or false, got ${shownValue(fold)}`);
    if (!fold) return undefined;
    const pairs = this.batchNormFolds;
    return (passes) => withFolds(pairs, passes);
  }

  private foldsFound?: FoldPair[];

  /** The convolution → BatchNormalization pairs that foldBatchNorm folds, nested models' included (the graph never changes). */
  private get batchNormFolds(): FoldPair[] {
    this.foldsFound ??= [...foldPairs(this.graph), ...this.executor.layers.flatMap((l) => (l instanceof Model ? l.batchNormFolds : []))];
    return this.foldsFound;
  }

  // --- files and text

  /**
   * Writes model.json and weights.bin to `destination`: a directory in Node (atomically),
   * indexeddb://name or downloads://name in browsers. The convas format (default) keeps the
   * optimizer state, so a loaded model trains on exactly; { format: 'tfjs' } writes a
   * TensorFlow.js LayersModel; { format: 'onnx' } one ONNX file (a path ending in .onnx, a
   * directory's model.onnx, or downloads://name). Read any of them back with loadModel().
   */
  save(destination: string, options?: SaveOptions): Promise<void> {
    this.checkAlive();
    return saveWithRegisteredSaver(this, destination, options);
  }

  /**
   * Anything JSON you want kept with the model — class names, how its inputs are prepared — as
   * TensorFlow.js's setUserDefinedMetadata: saved in both file formats (TF.js reads it back too).
   */
  setUserDefinedMetadata(metadata: Record<string, unknown> | undefined): void {
    if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
      throw new ConfigError(`setUserDefinedMetadata: expected a plain object, got ${Array.isArray(metadata) ? 'an array' : shownValue(metadata)}`);
    }
    try {
      this.userDefinedMetadata = metadata && JSON.parse(JSON.stringify(metadata)); // a copy, as the files will hold it
    } catch (error) {
      throw new ConfigError(`setUserDefinedMetadata: the metadata must be JSON (${(error as Error).message})`);
    }
  }

  getUserDefinedMetadata(): Record<string, unknown> | undefined {
    return this.userDefinedMetadata && JSON.parse(JSON.stringify(this.userDefinedMetadata));
  }

  /**
   * A table of layers, output shapes and weight counts (trainable and not); printed with `print`
   * (null: not printed) and returned. TF.js's `summary(lineLength, positions, printFn)` is taken too:
   * printFn gets the table line by line, as TF.js gives it; the columns fit their contents whatever
   * lineLength and positions say.
   */
  summary(print?: ((line: string) => void) | null | number, positions?: readonly number[], printFn?: (line: string) => void): string {
    this.checkAlive();
    const tfjsForm = print === undefined || typeof print === 'number';
    if (!tfjsForm && print !== null && typeof print !== 'function') {
      throw new ConfigError(`summary: expected a function to print with (or null), or TF.js's (lineLength, positions, printFn); got ${shownValue(print)}`);
    }
    if (printFn !== undefined && typeof printFn !== 'function') throw new ConfigError(`summary: printFn must be a function, got ${shownValue(printFn)}`);
    const graph = this.className !== 'Sequential';
    const rows = (graph ? this.graph.ordered : this.graph.nodes)
      .map((n) => ({ layer: n.layer, inputs: graph ? n.inputs.map((t) => t.sourceLayer.name) : undefined }));
    const text = summaryText(rows, this.trainableWeights, this.params);
    if (!tfjsForm) print?.(text);
    else if (printFn) text.split('\n').forEach((line) => printFn(line));
    else console.log(text);
    return text;
  }

  /** TF.js's Sequential.add, which cannot work here: a model's graph is fixed when it is built. */
  add(layer?: unknown): never {
    throw new ConfigError(`${this.name}: add(${layer instanceof Layer ? layer.name : ''}): a model's layers are fixed when it is built; give them all to ` +
      'sequential({ inputShape, layers: [...] }), or apply the layer to model.outputs[0] and build model({ inputs: model.inputs, outputs })');
  }

  /** The graph as a config: each layer's own config, what it reads, the inputs and outputs. */
  getConfig(): LayerConfig {
    return graphConfig(this);
  }

  // --- as a layer inside another model

  /**
   * The model's output tensor as TF.js gives it (`model({ inputs: base.inputs, outputs: base.output })`);
   * once the model is applied as a layer in another one, the output of that application.
   */
  get output(): SymbolicTensor<Layer> {
    if (this.inboundNode) return super.output;
    if (this.outputs.length !== 1) throw new StateError(`${this.name}: the model has ${this.outputs.length} outputs; use model.outputs`);
    return this.outputs[0];
  }

  /** The model's input tensor (or tensors) as TF.js gives them; once applied in another model, what that application reads. */
  get input(): SymbolicTensor<Layer> | SymbolicTensor<Layer>[] {
    if (this.inboundNode) return super.input;
    return this.inputs.length === 1 ? this.inputs[0] : [...this.inputs];
  }

  get isBuilt(): boolean {
    return this.weightsMade;
  }

  build(inputShapes: Shape[], rng: Random, values?: WeightValues): Shape {
    if (this.weightsMade) throw new ConfigError(`${this.name}: this model is already built: its weights exist`);
    this.checkNotFreed();
    this.describe(inputShapes);
    this.makeWeights(rng, values);
    return this.outputShape;
  }

  protected computeOutputShape(inputShapes: Shape[]): Shape {
    if (this.outputs.length !== 1) {
      throw new ConfigError(`${this.name}: a model used as a layer must have one output; this one has ${this.outputs.length}`);
    }
    const expected = this.inputShapes;
    if (inputShapes.length !== expected.length || inputShapes.some((s, i) => formatShape(s) !== formatShape(expected[i]))) {
      throw new ShapeError(`${this.name}: the model takes ${expected.map(formatShape).join(', ')} per example, got ${inputShapes.map(formatShape).join(', ')}`);
    }
    return this.outputShape;
  }

  protected get takesManyInputs(): boolean {
    return this.inputs.length > 1;
  }

  protected planBuffers(capacity: number): void {
    this.executor.plan(capacity);
  }

  /** Nested, its graph plans at every pass too: a graph sharing its layers may have placed their outputs since. */
  plan(capacity: number): void {
    super.plan(capacity);
    this.executor.plan(capacity);
  }

  /** Nested, its output lies in its own graph's memory, or is its input handed on. */
  get inferenceOutput(): InferenceOutput {
    return 'input';
  }

  forward(inputs: number[], batch: number, training: boolean): number {
    this.executor.forward(inputs, batch, training, false, this.inferenceCall);
    return this.executor.output(0);
  }

  private readonly nestedOutputGradient = [0];

  protected backpropagate(dy: number, batch: number): number[] {
    this.nestedOutputGradient[0] = dy;
    return this.executor.backward(this.nestedOutputGradient, batch);
  }

  /** A model's backward is planned by prepareBackward, which plans its layers. */
  protected get plansBackward(): boolean {
    return this.executor.backwardPrepared;
  }

  /** Whether the last prepareBackward asked for the gradients at the model's inputs. */
  protected get plansInputGradients(): boolean {
    return this.executor.inputGradientsPrepared;
  }

  /** Called by the containing model's executor: the layers a plan may grow, for its rollback. */
  get plannedLayers(): readonly Layer[] {
    return this.executor.plannedLayers;
  }

  /** Called by the containing model's executor: which of this model's steps its backward needs. */
  prepareBackward(trained: ReadonlySet<Parameter>, needInputGradients: boolean): void {
    this.executor.prepareBackward(trained, needInputGradients);
  }

  // --- lifetime

  /** Refuses a model freed, nested, with the model that held it (or disposed on its own): it no longer holds its layers. */
  checkNotFreed(): void {
    if (this.freed) {
      throw new StateError(`${this.name}: this model was freed, weights and all, when the model holding it was disposed ` +
        '(or it was disposed itself); a new model cannot use it: cut or build from a model that is not disposed');
    }
  }

  private checkAlive(): void {
    if (this.disposed) throw new StateError('this model was disposed and cannot be used');
  }

  /**
   * Frees every buffer the model holds in wasm memory; layers shared with another model live on
   * with it. A model nested in another is freed with that one (its dispose() then only retires it).
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.holdsItself) this.release();
  }

  protected free(): void {
    // A second free would release the layers again, freeing weights that other models still hold.
    if (this.freed) throw new StateError(`${this.name}: the model was freed twice (an internal error in convas)`);
    this.disposed = true;
    this.freed = true;
    this.weightsMade = false;
    this.executor.unplan();
    this.buffers.free();
    this.optimizer?.dispose();
    for (const layer of this.executor.layers) layer.release();
    super.free();
  }
}

/** A graph model from symbolic inputs to outputs, as TensorFlow.js's tf.model(). */
export const model = (options: ModelOptions): Model => new Model(options);

/** Whether a layer is an InputLayer (for writers that list them apart). */
export const isInputLayer = (layer: Layer): layer is InputLayer => layer instanceof InputLayer;
