// A model is a graph of layers: nodes in topological order, each reading the outputs of earlier
// nodes (or the model input). `sequential` builds the simplest graph, a chain. Buffers are planned
// for a batch capacity once; fit/predict/evaluate then run without allocating.
import { getBackend } from '../backend/wasm.js';
import { ConfigError, DivergenceError, ShapeError, StateError, ValueError } from '../errors.js';
import type { Layer, Parameter } from '../layers/layer.js';
import { type Random, seededRandom } from '../random.js';
import { argmaxRow } from '../metrics.js';
import { yieldToEventLoop } from '../platform.js';
import { type Shape, formatShape, isExampleShape, sizeOf } from '../shape.js';
import { Tensor, emptyTensor } from '../tensor.js';
import { type SaveOptions, saveModel } from '../io/save.js';
import { type LossName, checkLoss, computeLoss } from './losses.js';
import { Optimizer, type OptimizerConfig } from './optimizers.js';
import { StepCheckpoint, firstNonFiniteGradient } from './step-checkpoint.js';

/**
 * Examples per kernel thread that predict and evaluate run at once, whatever batchSize asks: each
 * layer's output then stays in the core's cache for the next layer (about 5% faster at batch 256
 * than one pass over the whole batch). Every example's result is the same in any batch.
 */
const INFERENCE_CHUNK = 32;

/** Examples per forward pass of predict and evaluate: batchSize, n and the chunk cap it. */
function inferenceBatch(batchSize: number, n: number): number {
  return Math.min(batchSize, n, INFERENCE_CHUNK * getBackend().threads);
}

/** One layer in the graph; an input index of −1 is the model input. */
export interface GraphNode {
  layer: Layer;
  inputs: number[];
}

export interface CompileOptions {
  optimizer: OptimizerConfig | 'sgd' | 'momentum' | 'adam';
  loss: LossName;
}

export interface Logs {
  loss: number;
  acc: number;
  val_loss?: number;
  val_acc?: number;
}

export interface FitOptions {
  epochs?: number;
  /**
   * Examples per step: at most the number of examples (a larger one is refused, as likely a mix-up);
   * left out, 32 or all the examples if there are fewer.
   */
  batchSize?: number;
  shuffle?: boolean;
  validationData?: [Tensor, Tensor];
  /** Called after each batch with the running mean loss and accuracy of the epoch so far. */
  onBatchEnd?: (batch: number, logs: Logs & { size: number }) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  /** Return true (e.g. from a stop button) to end training after the current batch. */
  shouldStop?: () => boolean;
}

export interface History {
  epoch: number[];
  history: { loss: number[]; acc: number[]; val_loss: number[]; val_acc: number[] };
}

const YIELD_EVERY_MS = 50;
/** wasm32 memory ends at 4 GiB: no array can hold more floats than this. */
const MEMORY_FLOATS = 2 ** 30;

/** Refuses a layer whose weights or per-example output could never be allocated, before it allocates anything. */
function checkFitsInMemory(layer: Layer, inputShapes: Shape[]): void {
  const { outputShape, parameters } = layer.describe(inputShapes);
  for (const { name, shape } of [{ name: 'output per example', shape: outputShape }, ...parameters]) {
    if (sizeOf(shape) > MEMORY_FLOATS) {
      throw new ConfigError(`${layer.name}: ${name} of shape ${formatShape(shape)} has ${sizeOf(shape)} values, more than ` +
        `wasm memory can hold (${MEMORY_FLOATS}); use fewer filters or units, or less padding`);
    }
  }
}

export class Model {
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  readonly seed: number;
  readonly nodes: GraphNode[];
  private readonly rng: Random;
  private optimizer?: Optimizer;
  private lossName?: LossName;
  private capacity = 0;
  private inputBuffer = 0;
  private targetBuffer = 0;
  private outputGradient = 0;
  /** Reused per-node arrays of input addresses, so the forward pass allocates nothing. */
  private readonly nodeInputs: number[][];
  private readonly nodeOutputs: number[];
  /** Whether a node's input gradient is needed: it reads another node, not only the model input. */
  private readonly nodeNeedsInputGradient: boolean[];
  private readonly parameters: Parameter[];
  private readonly outputSize: number;
  /** The output address of the last training forward pass. */
  private lastOutput = 0;
  private disposed = false;

  constructor(inputShape: Shape, nodes: GraphNode[], seed: number) {
    if (!isExampleShape(inputShape)) {
      throw new ShapeError(`model: inputShape ${JSON.stringify(inputShape)} is not valid; expected positive integers such as [28, 28, 1]`);
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new ConfigError(`model: seed must be an integer in [0, 2^32), got ${JSON.stringify(seed)}`);
    }
    if (nodes.length === 0) throw new ConfigError('model: a model needs at least one layer');
    this.inputShape = [...inputShape];
    this.seed = seed;
    this.nodes = nodes;
    this.rng = seededRandom(seed);
    const consumers = new Array<number>(nodes.length).fill(0);
    const shapes: Shape[] = [];
    nodes.forEach((node, i) => {
      for (const j of node.inputs) {
        if (j >= i || j < -1) throw new ConfigError(`model: layer ${node.layer.name} reads node ${j}, which is not an earlier node`);
        if (j >= 0 && ++consumers[j] > 1) {
          throw new ConfigError(`model: ${nodes[j].layer.name} feeds more than one layer; branches are not supported yet`);
        }
      }
      const inputShapes = node.inputs.map((j) => (j < 0 ? this.inputShape : shapes[j]));
      checkFitsInMemory(node.layer, inputShapes);
      shapes.push(node.layer.build(inputShapes, this.rng));
    });
    this.outputShape = shapes[shapes.length - 1];
    this.nodeInputs = nodes.map((n) => n.inputs.map(() => 0));
    this.nodeOutputs = nodes.map(() => 0);
    this.nodeNeedsInputGradient = nodes.map((n) => n.inputs.some((j) => j >= 0));
    this.parameters = nodes.flatMap((n) => n.layer.params);
    this.outputSize = sizeOf(this.outputShape);
  }

  get layers(): Layer[] {
    return this.nodes.map((n) => n.layer);
  }

  /** Every trainable array, in layer order (fixed once the layers are built). */
  get params(): Parameter[] {
    return this.parameters;
  }

  private get outputLayer(): Layer {
    return this.nodes[this.nodes.length - 1].layer;
  }

  get isCompiled(): boolean {
    return this.optimizer !== undefined;
  }

  get compileConfig(): { optimizer: Required<OptimizerConfig>; loss: LossName } | undefined {
    return this.optimizer && this.lossName ? { optimizer: this.optimizer.config, loss: this.lossName } : undefined;
  }

  /** The optimizer, for saving its state with the model. */
  get optimizerState(): Optimizer | undefined {
    return this.optimizer;
  }

  /** The model's own stream (shuffling) and each dropout layer's, in layer order: saved with the model. */
  get randomState(): number[] {
    return [this.rng.state, ...this.layersWithStreams().map((l) => l.randomState)];
  }

  set randomState(states: number[]) {
    const layers = this.layersWithStreams();
    if (!Array.isArray(states) || states.length !== layers.length + 1 || states.some((s) => !Number.isInteger(s) || s < 0 || s > 0xffffffff)) {
      throw new ConfigError(`randomState: expected ${layers.length + 1} integers in [0, 2^32), got ${JSON.stringify(states)}`);
    }
    this.rng.state = states[0];
    layers.forEach((l, i) => (l.randomState = states[i + 1]));
  }

  private layersWithStreams(): Array<Layer & { randomState: number }> {
    return this.layers.filter((l): l is Layer & { randomState: number } => 'randomState' in l);
  }

  compile(options: CompileOptions): void {
    this.checkAlive();
    const loss = checkLoss(options?.loss);
    const optimizer = new Optimizer(options.optimizer);
    this.optimizer?.dispose();
    optimizer.attach(this.params);
    this.optimizer = optimizer;
    this.lossName = loss;
    // Softmax followed by cross-entropy: the loss works from the logits (stable, and the
    // gradient (p − t)/n skips the softmax Jacobian).
    const activation = (this.outputLayer as { activation?: { name: string; fusedWithLoss: boolean } }).activation;
    if (activation) activation.fusedWithLoss = loss === 'categoricalCrossentropy' && activation.name === 'softmax';
  }

  /** Grows the planned buffers to hold batches of `capacity` examples (they never shrink). */
  private plan(capacity: number): void {
    if (capacity <= this.capacity) return;
    this.unplan();
    const memory = getBackend().memory;
    try {
      this.inputBuffer = memory.alloc(capacity * sizeOf(this.inputShape) * 4);
      this.targetBuffer = memory.alloc(capacity * this.outputSize * 4);
      this.outputGradient = memory.alloc(capacity * this.outputSize * 4);
      for (const node of this.nodes) node.layer.plan(capacity);
      this.capacity = capacity;
    } catch (error) {
      // Out of memory half-way: hold nothing rather than addresses of freed buffers.
      this.unplan();
      throw error;
    }
  }

  /** Frees every planned buffer (the model's and its layers'); the next call plans anew. */
  private unplan(): void {
    const memory = getBackend().memory;
    for (const ptr of [this.inputBuffer, this.targetBuffer, this.outputGradient]) if (ptr) memory.free(ptr);
    this.inputBuffer = this.targetBuffer = this.outputGradient = 0;
    for (const node of this.nodes) node.layer.unplan();
    this.capacity = 0;
  }

  /** Runs every node on the batch of examples at `input`; returns the address of the model's output. */
  private forward(input: number, batch: number, training: boolean): number {
    const { nodes, nodeInputs, nodeOutputs } = this;
    for (let i = 0; i < nodes.length; i++) {
      const inputs = nodes[i].inputs;
      for (let j = 0; j < inputs.length; j++) nodeInputs[i][j] = inputs[j] < 0 ? input : nodeOutputs[inputs[j]];
      nodeOutputs[i] = nodes[i].layer.forward(nodeInputs[i], batch, training);
    }
    return nodeOutputs[nodes.length - 1];
  }

  /** Backpropagates `dOutput` through the chain; the model input's gradient is never needed. */
  private backward(dOutput: number, batch: number): void {
    // Each node has at most one consumer (checked at construction), so gradients pass straight on.
    const gradients = this.nodeOutputs; // reused: once a node's backward ran, its output is not needed
    gradients[this.nodes.length - 1] = dOutput;
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const { layer, inputs } = this.nodes[i];
      const dInputs = layer.backward(gradients[i], batch, this.nodeNeedsInputGradient[i]);
      for (let j = 0; j < inputs.length; j++) if (inputs[j] >= 0) gradients[inputs[j]] = dInputs[j];
    }
  }

  /** Copies examples order[from … from+batch) of x (and y) into the planned batch buffers. */
  private gather(x: Tensor, y: Tensor | undefined, order: Uint32Array | undefined, from: number, batch: number): void {
    copyRows(x, this.inputBuffer, order, from, batch);
    if (y) copyRows(y, this.targetBuffer, order, from, batch);
  }


  /** Number of rows whose largest output is where the target's largest value is. */
  private countCorrect(output: number, batch: number): number {
    const heap = getBackend().memory.heapF32;
    const cols = this.outputSize;
    let correct = 0;
    for (let r = 0; r < batch; r++) {
      const o = (output >> 2) + r * cols, t = (this.targetBuffer >> 2) + r * cols;
      const right = cols === 1 ? Math.round(heap[o]) === heap[t] : argmaxRow(heap, o, cols) === argmaxRow(heap, t, cols);
      if (right) correct++;
    }
    return correct;
  }

  private checkData(x: Tensor, y: Tensor | undefined, what: string): number {
    this.checkAlive();
    const n = x.shape[0];
    const expected = formatShape(['n', ...this.inputShape] as never);
    if (x.rank !== this.inputShape.length + 1 || x.shape.slice(1).some((d, i) => d !== this.inputShape[i])) {
      throw new ShapeError(`${what}: x has shape ${formatShape(x.shape)}, but the model takes ${expected}`);
    }
    if (y) {
      if (y.shape[0] !== n) {
        throw new ShapeError(`${what}: x has ${n} examples but y has ${y.shape[0]}; they must have the same length`);
      }
      if (y.size / y.shape[0] !== sizeOf(this.outputShape)) {
        throw new ShapeError(`${what}: y has shape ${formatShape(y.shape)}, but the model outputs ` +
          `${formatShape(['n', ...this.outputShape] as never)}: labels must match the outputs (one-hot for classes)`);
      }
    }
    for (const [t, name] of [[x, 'x'], [y, 'y']] as const) {
      // One SIMD pass finds whether there is a bad value; only then is it looked for, to name it.
      if (!t || getBackend().kernels.countNonFinite(t.ptr, t.size) === 0) continue;
      const values = getBackend().memory.f32(t.ptr, t.size);
      const i = values.findIndex((v) => !Number.isFinite(v));
      throw new ValueError(`${what}: ${name} holds a non-finite value (${values[i]}) at flat index ${i}; all values must be finite`);
    }
    return n;
  }

  private checkBatchSize(batchSize: number, what: string): void {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new ConfigError(`${what}: batchSize must be a positive integer, got ${JSON.stringify(batchSize)}`);
    }
  }

  async fit(x: Tensor, y: Tensor, options: FitOptions = {}): Promise<History> {
    if (!this.optimizer || !this.lossName) throw new StateError('fit: the model must be compiled first: call model.compile({ optimizer, loss })');
    const n = this.checkData(x, y, 'fit');
    const { epochs = 1, batchSize = 32, shuffle = true, validationData, onBatchEnd, onEpochEnd, shouldStop } = options;
    if (!Number.isInteger(epochs) || epochs < 1) throw new ConfigError(`fit: epochs must be a positive integer, got ${JSON.stringify(epochs)}`);
    this.checkBatchSize(batchSize, 'fit');
    if (n === 0) throw new ShapeError('fit: the dataset is empty');
    if (options.batchSize !== undefined && batchSize > n) {
      throw new ConfigError(`fit: batchSize ${batchSize} is larger than the ${n} examples in x; expected at most ${n} ` +
        '(or leave it out: it is then 32, or all the examples if there are fewer)');
    }
    if (validationData) this.checkData(validationData[0], validationData[1], 'fit (validationData)');
    const batch = Math.min(batchSize, n);
    this.plan(batch);
    const order = shuffle ? Uint32Array.from({ length: n }, (_, i) => i) : undefined;
    const history: History = { epoch: [], history: { loss: [], acc: [], val_loss: [], val_acc: [] } };
    let lastYield = performance.now();
    // Each step can be undone, so divergence leaves the last good weights.
    const checkpoint = new StepCheckpoint(this.params, this.optimizer);
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        if (order) this.rng.shuffle(order);
        let lossSum = 0, correct = 0, seen = 0;
        for (let from = 0, b = 0; from < n; from += batch, b++) {
          const size = Math.min(batch, n - from);
          this.gather(x, y, order, from, size);
          const loss = this.computeGradients(size);
          if (!Number.isFinite(loss)) throw this.divergence(`the loss became ${loss}`, epoch, b);
          const badGradient = firstNonFiniteGradient(this.params);
          if (badGradient) throw this.divergence(`the gradient of ${badGradient.name} became NaN or infinite`, epoch, b);
          checkpoint.save();
          this.optimizer.step(this.params);
          const badArray = checkpoint.firstNonFinite();
          if (badArray) {
            checkpoint.restore();
            throw this.divergence(`the step made ${badArray} NaN or infinite (it was undone)`, epoch, b);
          }
          lossSum += loss * size;
          correct += this.countCorrect(this.lastOutput, size);
          seen += size;
          if (onBatchEnd) {
            await onBatchEnd(b, { loss: lossSum / seen, acc: correct / seen, size });
            this.checkStillTraining();
          }
          if (shouldStop?.()) break;
          if (performance.now() - lastYield > YIELD_EVERY_MS) {
            await yieldToEventLoop(); // let progress, UI and other work run
            this.checkStillTraining();
            lastYield = performance.now();
          }
        }
        const logs: Logs = { loss: lossSum / seen, acc: correct / seen };
        if (validationData) {
          const v = this.evaluate(validationData[0], validationData[1], { batchSize: batch });
          logs.val_loss = v.loss;
          logs.val_acc = v.accuracy;
          history.history.val_loss.push(v.loss);
          history.history.val_acc.push(v.accuracy);
        }
        history.epoch.push(epoch);
        history.history.loss.push(logs.loss);
        history.history.acc.push(logs.acc);
        if (onEpochEnd) {
          await onEpochEnd(epoch, logs);
          this.checkStillTraining();
        }
        if (shouldStop?.()) break;
      }
    } finally {
      checkpoint.dispose();
    }
    return history;
  }

  private divergence(what: string, epoch: number, batch: number): DivergenceError {
    return new DivergenceError(`fit: ${what} at epoch ${epoch + 1}, batch ${batch + 1}; training stopped with the weights ` +
      `from before that step. Try a lower learningRate (now ${this.optimizer!.learningRate})`);
  }

  /** Forward in training mode, loss and backward on the gathered batch: every parameter's grad is set. */
  private computeGradients(size: number): number {
    this.lastOutput = this.forward(this.inputBuffer, size, true);
    const loss = computeLoss(this.lossName!, this.lastOutput, this.fusedLogits(), this.targetBuffer, this.outputGradient,
      size, this.outputSize);
    if (Number.isFinite(loss)) this.backward(this.outputGradient, size);
    return loss;
  }

  /**
   * The mean loss on (x, y) with every parameter's gradient left in its `grad` buffer, weights
   * unchanged: what one training step would use. For gradient checks and custom training loops.
   */
  lossAndGradients(x: Tensor, y: Tensor): number {
    if (!this.lossName) throw new StateError('lossAndGradients: the model must be compiled first');
    const n = this.checkData(x, y, 'lossAndGradients');
    this.plan(n);
    this.gather(x, y, undefined, 0, n);
    return this.computeGradients(n);
  }

  /** The softmax logits when the loss is fused with the output softmax, else 0. */
  private fusedLogits(): number {
    const activation = (this.outputLayer as { activation?: { fusedWithLoss: boolean; logits: number } }).activation;
    return activation?.fusedWithLoss ? activation.logits : 0;
  }

  /** Runs the model on x in batches; returns a new tensor [n, ...outputShape]. */
  predict(x: Tensor, options: { batchSize?: number } = {}): Tensor {
    const n = this.checkData(x, undefined, 'predict');
    const batchSize = options.batchSize ?? 32;
    this.checkBatchSize(batchSize, 'predict');
    const batch = inferenceBatch(batchSize, Math.max(n, 1));
    this.plan(batch);
    const result = emptyTensor([n, ...this.outputShape]);
    const cols = this.outputSize;
    const heap = () => getBackend().memory.heapF32;
    for (let from = 0; from < n; from += batch) {
      const size = Math.min(batch, n - from);
      // In order and read-only: the examples are used where they lie, not copied.
      const output = this.forward(rowAddress(x, from), size, false);
      heap().copyWithin((result.ptr >> 2) + from * cols, output >> 2, (output >> 2) + size * cols);
    }
    return result;
  }

  /**
   * Every layer's output for x, in layer order (inference mode): what each layer sees, for
   * visualising feature maps. Each is a new tensor [n, ...layer.outputShape].
   */
  activations(x: Tensor): Tensor[] {
    const n = this.checkData(x, undefined, 'activations');
    this.plan(n);
    this.forward(x.ptr, n, false);
    return this.nodes.map(({ layer }, i) => {
      const t = emptyTensor([n, ...layer.outputShape]); // may grow memory: take the heap view after
      getBackend().memory.heapF32.copyWithin(t.ptr >> 2, this.nodeOutputs[i] >> 2, (this.nodeOutputs[i] >> 2) + t.size);
      return t;
    });
  }

  /** Mean loss and accuracy (share of rows whose largest output matches the target's). */
  evaluate(x: Tensor, y: Tensor, options: { batchSize?: number } = {}): { loss: number; accuracy: number } {
    if (!this.lossName) throw new StateError('evaluate: the model must be compiled first (evaluate needs its loss)');
    const n = this.checkData(x, y, 'evaluate');
    if (n === 0) throw new ShapeError('evaluate: the dataset is empty');
    const batchSize = options.batchSize ?? 32;
    this.checkBatchSize(batchSize, 'evaluate');
    const batch = inferenceBatch(batchSize, n);
    this.plan(batch);
    const cols = this.outputSize;
    let lossSum = 0, correct = 0;
    for (let from = 0; from < n; from += batch) {
      const size = Math.min(batch, n - from);
      copyRows(y, this.targetBuffer, undefined, from, size);
      const output = this.forward(rowAddress(x, from), size, false);
      lossSum += computeLoss(this.lossName, output, this.fusedLogits(), this.targetBuffer, 0, size, cols) * size;
      correct += this.countCorrect(output, size);
    }
    return { loss: lossSum / n, accuracy: correct / n };
  }

  /** The weights in layer order with TensorFlow.js shapes (conv kernel, bias, dense kernel [in, out], bias), as copies. */
  getWeights(): Tensor[] {
    this.checkAlive();
    const memory = getBackend().memory;
    return this.params.map((p) => {
      const t = emptyTensor(p.shape);
      memory.heapF32.copyWithin(t.ptr >> 2, p.value >> 2, (p.value >> 2) + p.size);
      return t;
    });
  }

  setWeights(weights: Array<Tensor | Float32Array>): void {
    this.checkAlive();
    const params = this.params;
    if (weights.length !== params.length) {
      throw new ShapeError(`setWeights: got ${weights.length} arrays, but the model has ${params.length} weights (${params.map((p) => p.name).join(', ')})`);
    }
    params.forEach((p, i) => {
      const w = weights[i];
      const size = w instanceof Tensor ? w.size : w.length;
      if (w instanceof Tensor ? formatShape(w.shape) !== formatShape(p.shape) : size !== p.size) {
        const got = w instanceof Tensor ? formatShape(w.shape) : `${size} values`;
        throw new ShapeError(`setWeights: ${p.name} expects shape ${formatShape(p.shape)}, got ${got}`);
      }
      const values = w instanceof Tensor ? getBackend().memory.f32(w.ptr, w.size) : w;
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new ValueError(`setWeights: ${p.name} holds ${values[bad]} at flat index ${bad}; weights must be finite`);
    });
    const memory = getBackend().memory;
    params.forEach((p, i) => {
      const w = weights[i];
      memory.f32(p.value, p.size).set(w instanceof Tensor ? w.dataSync() : w);
    });
  }

  /**
   * Writes model.json and weights.bin to `destination`: a directory in Node (atomically),
   * indexeddb://name or downloads://name in browsers. The convas format (default) keeps the
   * optimizer state, so a loaded model trains on exactly; { format: 'tfjs' } writes a
   * TensorFlow.js LayersModel. Read either back with loadModel().
   */
  save(destination: string, options?: SaveOptions): Promise<void> {
    this.checkAlive();
    return saveModel(this, destination, options);
  }

  /** A table of layers, output shapes and parameter counts; printed with `print` and returned. */
  summary(print: ((line: string) => void) | null = console.log): string {
    this.checkAlive();
    const rows = [['Layer (type)', 'Output shape', 'Params'],
      ...this.layers.map((l) => [`${l.name} (${l.className})`, formatShape(['batch', ...l.outputShape] as never), String(l.parameterCount)])];
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)) + 2);
    const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('');
    const rule = '─'.repeat(widths.reduce((a, b) => a + b));
    const total = this.layers.reduce((n, l) => n + l.parameterCount, 0);
    const text = [rule, line(rows[0]), rule, ...rows.slice(1).map(line), rule, `Total params: ${total}`].join('\n');
    print?.(text);
    return text;
  }

  /** Other code runs while fit awaits: it may have disposed the model. */
  private checkStillTraining(): void {
    if (this.disposed) throw new StateError('fit: the model was disposed while it was training');
  }

  private checkAlive(): void {
    if (this.disposed) throw new StateError('this model was disposed and cannot be used');
  }

  /** Frees every buffer the model holds in wasm memory. */
  dispose(): void {
    if (this.disposed) return;
    this.unplan();
    this.layers.forEach((l) => l.dispose());
    this.optimizer?.dispose();
    this.disposed = true;
  }
}

/** The address of example `index` of a batch-first tensor. */
const rowAddress = (t: Tensor, index: number) => t.ptr + index * (t.size / t.shape[0]) * 4;

/** Copies examples order[from … from+batch) of src (or from … from+batch in order) to dst, one after another. */
function copyRows(src: Tensor, dst: number, order: Uint32Array | undefined, from: number, batch: number): void {
  const heap = getBackend().memory.heapF32;
  const width = src.size / src.shape[0];
  const srcBase = src.ptr >> 2, dstBase = dst >> 2;
  if (!order) {
    heap.copyWithin(dstBase, srcBase + from * width, srcBase + (from + batch) * width);
    return;
  }
  for (let r = 0; r < batch; r++) {
    const row = srcBase + order[from + r] * width;
    heap.copyWithin(dstBase + r * width, row, row + width);
  }
}
