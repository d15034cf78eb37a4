// The shape every layer has (after ConvNetJS): forward, backward, and its parameters with their
// gradients side by side; its config; its weights, trainable and state (after Keras). Layers work
// on wasm addresses planned once per batch capacity, so a training step allocates nothing. Inputs
// come as arrays, for merge layers (add, concatenate).
import { OwnedBlocks } from '../backend/owned-blocks.js';
import { getBackend } from '../backend/wasm.js';
import type { Kernels } from '../backend/kernels.js';
import type { ParallelKernels } from '../backend/parallel-kernels.js';
import { ConfigError, ShapeError, StateError } from '../errors.js';
import { type Initializer, initialDraws, initialValuesOf } from '../init.js';
import type { Random } from '../random.js';
import { type Shape, formatShape, isShape, sizeOf } from '../shape.js';
import { shownValue } from '../shown-value.js';
import type { Tensor } from '../tensor.js';
import { type CallOptions, LayerNode, SymbolicTensor, callsInInference } from './node.js';
import { type Parameter, parameterTensors, setParameterValues } from './parameter.js';

export type { Parameter };

/** A weight a layer will make for its input shape, before anything is allocated. */
export interface WeightSpec {
  name: string;
  shape: number[];
  /** Defaults to true; false for layer state. */
  trainable?: boolean;
}

/** A layer's buffer() and backwardBuffer(), for the helpers it plans through (its activation). */
export interface PlannedBuffers {
  forward(length: number): number;
  /** The buffer forward returns as the layer's output (Layer.outputBuffer). */
  output(length: number): number;
  backward(length: number): number;
  /** Reserves bytes of the scratch all layers share (calls only; released with the buffers). */
  scratch(bytes: number): void;
}

/**
 * Writes a weight's values as a model is built from a file: `into` is the weight in wasm memory
 * (valid until the next allocation: write, allocate nothing).
 */
export type WeightValues = (param: Parameter, into: Float32Array) => void;

/** A layer's serialisable configuration: TensorFlow.js Layers names. */
export type LayerConfig = { className: string; name?: string } & Record<string, unknown>;

/**
 * Where a layer's forward output lies in inference: 'own' its outputBuffer, 'input' one of its
 * inputs' memory (or memory no graph plans: a nested model's), 'either' of the two, pass by pass
 * (RandomCrop, which hands its input on when the sizes match; and, in the graph's plan, a
 * normalisation or ReLU that predict may fold into the convolution before it).
 */
export type InferenceOutput = 'own' | 'input' | 'either';

/** A place for a layer's output of `length` floats: its address, or 0 where it has none that fits. */
export type OutputPlace = (length: number) => number;

/** wasm32 memory ends at 4 GiB: no array can hold more floats than this. */
const MEMORY_FLOATS = 2 ** 30;

let layerCounter = 0;

export abstract class Layer {
  abstract readonly className: string;
  readonly name: string;
  inputShape: Shape = [];
  outputShape: Shape = [];
  private readonly ownParams: Parameter[] = [];
  private weightSpecs: WeightSpec[] = [];
  private node?: LayerNode<Layer>;
  private isTrainable = true;
  /** `trainable` as the last training run to run the layer began: fixTrainableForRun. */
  private trainableInRun?: boolean;
  /**
   * @internal Set by the graph running the layer before each forward pass: whether this call runs
   * in inference mode in a training pass too (applied with { training: false }, or inside a model
   * applied so). Only what the layer does asks it (trains()); what backward needs is kept as in any
   * training pass, so gradients flow through the call.
   */
  inferenceCall = false;
  /** How many holders use the weights: each model that contains the layer, and a model itself. */
  private holders = 0;
  /** Set by a graph that runs this layer while it only predicts: where its output goes (outputBuffer), and that graph. */
  private outputPlace?: OutputPlace;
  private placer?: object;
  /** Buffers this layer owns for the planned batch capacity: outputs, gradients, scratch. */
  private planned: number[] = [];
  /** The weights', their gradients' and the buffers' memory (freed with the layer if it is never released). */
  private readonly blocks = new OwnedBlocks(this);
  /**
   * Whether plan() makes the buffers only training uses (planTraining), backward's, the input
   * gradients' and the weight gradients' (planBackward): once on, they stay on.
   */
  private trainingPlanned = false;
  private backwardPlanned = false;
  private inputGradientsPlanned = false;
  private weightGradientsPlanned = false;
  private built = false;
  /** Whether the last hold let go of weights it had (every model holding the layer disposed): they are gone for good. */
  private weightsDisposed = false;
  protected capacity = 0;

  constructor(name: string | undefined, prefix: string) {
    this.name = name ?? `${prefix}_${++layerCounter}`;
  }

  /** Merge layers (and models with several inputs) take two or more inputs; every other layer exactly one. */
  protected get takesManyInputs(): boolean {
    return false;
  }

  protected get kernels(): Kernels {
    return getBackend().kernels;
  }

  /** The batch-heavy kernels, split over threads (with the same results at any thread count). */
  protected get parallel(): ParallelKernels {
    return getBackend().parallel;
  }

  /** Every weight of the layer in its own order (trainable ones and state alike). */
  get params(): readonly Parameter[] {
    return this.ownParams;
  }

  /** Whether fit may change this layer's weights (Keras's `trainable`; `false` freezes the layer). */
  get trainable(): boolean {
    return this.isTrainable;
  }

  set trainable(value: boolean) {
    if (typeof value !== 'boolean') throw new ConfigError(`${this.name}: trainable must be true or false, got ${shownValue(value)}`);
    this.isTrainable = value;
  }

  /**
   * Called by a model before each training run (fit, lossAndGradients): the run keeps the layer's
   * `trainable` as it is now, so a change made during the run (from a callback) waits for the next
   * one, for what the layer does in training (trainsInRun) as for the weights the run trains.
   */
  fixTrainableForRun(): void {
    this.trainableInRun = this.isTrainable;
  }

  /** Whether the layer trains in the run under way: its flag as the run began (a layer driven on its own, its flag). */
  protected get trainsInRun(): boolean {
    return this.trainableInRun ?? this.isTrainable;
  }

  /** The weights an optimizer updates, as TensorFlow.js lists them. */
  get trainableWeights(): Parameter[] {
    return this.trainable ? this.params.filter((p) => p.trainable) : [];
  }

  /** Layer state, and every weight of a frozen layer, as TensorFlow.js lists them. */
  get nonTrainableWeights(): Parameter[] {
    const state = this.params.filter((p) => !p.trainable);
    return this.trainable ? state : [...this.params.filter((p) => p.trainable), ...state];
  }

  /** trainableWeights then nonTrainableWeights: the order of TensorFlow.js's getWeights(). */
  get weights(): Parameter[] {
    return [...this.trainableWeights, ...this.nonTrainableWeights];
  }

  /** Copies of the weights, in `weights` order (TensorFlow.js's layer.getWeights()): none before the layer is built. */
  getWeights(): Tensor[] {
    this.checkNotFreed();
    return parameterTensors(this.weights);
  }

  /** Sets the weights, in getWeights() order (as TensorFlow.js's layer.setWeights()); every array is checked before any is written. */
  setWeights(weights: Array<Tensor | Float32Array>): void {
    this.checkNotFreed();
    // Before it is applied to an input a layer has no weights yet: "has 0 weights ()" would not say why.
    if (!this.built) throw new StateError(`${this.name}.setWeights: the layer is not built yet; it makes its weights when applied to an input (in a model)`);
    setParameterValues(this.weights, weights, `${this.name}.setWeights`, 'the layer');
  }

  /**
   * Applies the layer to symbolic tensors (from input() or another layer) and returns the symbolic
   * tensor it outputs; the shapes are checked now. A layer is applied once: it holds the buffers of
   * its one place in a graph. `{ training: false }` runs this call in inference mode in fit too (CallOptions).
   */
  apply(inputs: SymbolicTensor<Layer> | SymbolicTensor<Layer>[], options?: CallOptions): SymbolicTensor<Layer> {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (this.node) {
      throw new ConfigError(`${this.name}: this layer was already applied (to ${this.node.inputs.map((t) => t.name).join(', ') || 'nothing'}); ` +
        'a layer has one place in a graph: create another layer for another place');
    }
    if (list.length === 0 || list.some((t) => !(t instanceof SymbolicTensor))) {
      throw new ConfigError(`${this.name}: apply() takes symbolic tensors (from input() or another layer's apply()), got ${String(inputs)}`);
    }
    if (this.takesManyInputs ? list.length < 2 : list.length !== 1) {
      throw new ConfigError(`${this.name}: ${this.className} takes ${this.takesManyInputs ? 'two or more inputs' : 'one input'}, got ${list.length}`);
    }
    const inferenceMode = callsInInference(options, this.name);
    const { outputShape } = this.describe(list.map((t) => t.shape));
    this.node = new LayerNode<Layer>(this, list, outputShape, this.name, inferenceMode);
    return this.node.output;
  }

  /** The node made by apply(), if the layer was applied. */
  get inboundNode(): LayerNode<Layer> | undefined {
    return this.node;
  }

  /** The symbolic tensor this layer outputs in its graph (what a cut model names as its output). */
  get output(): SymbolicTensor<Layer> {
    if (!this.node) throw new StateError(`${this.name}: the layer has no output yet: it is in no graph (apply it, or add it to a model)`);
    return this.node.output;
  }

  /** The symbolic tensor (or tensors, for a merge layer) the layer reads in its graph. */
  get input(): SymbolicTensor<Layer> | SymbolicTensor<Layer>[] {
    if (!this.node) throw new StateError(`${this.name}: the layer has no input yet: it is in no graph (apply it, or add it to a model)`);
    return this.takesManyInputs ? [...this.node.inputs] : this.node.inputs[0];
  }

  /** Checks the settings against the per-example input shapes and returns the output shape. */
  protected abstract computeOutputShape(inputShapes: Shape[]): Shape;

  /** The weights this layer makes for its input shape, in order (TensorFlow.js names and shapes). */
  protected weightShapes(): WeightSpec[] {
    return [];
  }

  /**
   * How one weight starts (init.ts): every layer of convas's says. Undefined (the default) leaves it
   * to initialValues: zeros, unless a layer class of your own draws its values there (and then
   * leaves this undefined, so that loading a file draws them too, keeping the generator's stream).
   */
  protected initializer(_name: string, _shape: number[]): Initializer | undefined {
    return undefined;
  }

  /** Initial values of one weight: as its initializer says, else zeros. */
  protected initialValues(name: string, shape: number[], rng: Random): Float32Array {
    return initialValuesOf(this.initializer(name, shape) ?? 0, sizeOf(shape), rng);
  }

  /** Layers with their own random streams (dropout) seed them here. */
  protected initRandom(_rng: Random): void {}

  /**
   * Allocates this layer's buffers for batches of up to `capacity` examples: with buffer() those
   * forward needs, with trainingBuffer() those forward needs only in training, with backwardBuffer()
   * and weightGradientBuffer() those only backward needs.
   */
  protected abstract planBuffers(capacity: number): void;

  /** Runs the layer on a batch; returns the address of the output. */
  abstract forward(inputs: number[], batch: number, training: boolean): number;

  /**
   * Takes the gradient of the loss with respect to the output, writes weight gradients (overwriting;
   * skipped when `needWeightGradients` is false, as for a frozen layer), and returns the gradients
   * with respect to the inputs (0 where not needed). `reluFolded` (set by the graph's executor) joins
   * a ReLU to the max pooling that alone reads its output: the pooling (foldsInputRelu) routes
   * gradients only to positive maxima, which takes the ReLU's derivative, and the layer whose output
   * went through the ReLU (outputRelu) skips it — one pass less over the largest maps, the same bits.
   * Its buffers come from planBackward (with input and weight gradients when they are asked for):
   * without them it is refused, where it would write through null addresses over whatever lies there.
   */
  backward(dy: number, batch: number, needInputGradients: boolean, needWeightGradients = true, reluFolded = false): number[] {
    if (!this.plansBackward || (needInputGradients && !this.plansInputGradients) ||
      (needWeightGradients && !this.weightGradientsPlanned && this.ownParams.some((p) => p.trainable))) {
      throw new StateError(`${this.name}: backward needs the buffers planBackward(${needWeightGradients}, ${needInputGradients}) makes: a model ` +
        'plans its layers so (prepareBackward) at its first training step; a layer driven on its own must be planned so before plan()');
    }
    return this.backpropagate(dy, batch, needInputGradients, needWeightGradients, reluFolded);
  }

  /** backward's work, once its buffers are planned. */
  protected abstract backpropagate(dy: number, batch: number, needInputGradients: boolean, needWeightGradients: boolean, reluFolded: boolean): number[];

  /** Whether the output comes out of a plain ReLU whose derivative backward leaves out when told reluFolded. */
  get outputRelu(): boolean {
    return false;
  }

  /** Whether backward can take the derivative of a ReLU before this layer in when told reluFolded (max pooling). */
  get foldsInputRelu(): boolean {
    return false;
  }

  /** backward()'s answer for a one-input layer, in one reused array so a step allocates nothing. */
  protected inputGradient(dx: number): number[] {
    this.inputGradients[0] = dx;
    return this.inputGradients;
  }

  private readonly inputGradients = [0];

  abstract getConfig(): LayerConfig;

  /**
   * Checks the settings against the input shapes and says what build() would make — the output
   * shape and the weights' names and shapes — without allocating anything. Weights or outputs that
   * wasm memory could never hold are refused here, before anything is allocated.
   */
  describe(inputShapes: Shape[]): { outputShape: Shape; parameters: Array<Required<WeightSpec>> } {
    for (const s of inputShapes) {
      if (!isShape(s)) {
        throw new ShapeError(`${this.name}: input shape ${formatShape(s)} has a dimension that is not a positive integer`);
      }
    }
    this.inputShape = inputShapes[0];
    this.outputShape = this.computeOutputShape(inputShapes);
    this.weightSpecs = this.weightShapes();
    const parameters = this.plannedWeights;
    for (const { name, shape } of [{ name: 'output per example', shape: this.outputShape }, ...parameters]) {
      if (sizeOf(shape) > MEMORY_FLOATS) {
        throw new ConfigError(`${this.name}: ${name} of shape ${formatShape(shape)} has ${sizeOf(shape)} values, more than ` +
          `wasm memory can hold (${MEMORY_FLOATS}); use fewer filters or units, or less padding`);
      }
    }
    return { outputShape: this.outputShape, parameters };
  }

  get isBuilt(): boolean {
    return this.built;
  }

  /** The weights build() makes (or made), with their full names: known once the layer is applied. */
  get plannedWeights(): Array<Required<WeightSpec>> {
    return this.weightSpecs.map(({ name, shape, trainable }) => ({ name: `${this.name}/${name}`, shape, trainable: trainable ?? true }));
  }

  /**
   * describe(), then the weights are created (once): initialised from the generator, or, given
   * `values` (a file's), written by it — the generator then skips the values it would have drawn,
   * so whatever draws after (dropout streams, shuffling) draws as if they had been.
   */
  build(inputShapes: Shape[], rng: Random, values?: WeightValues): Shape {
    if (this.built) throw new ConfigError(`${this.name}: this layer is already built: its weights exist`);
    this.checkNotFreed();
    this.describe(inputShapes);
    this.built = true;
    try {
      for (const { name, shape, trainable } of this.weightSpecs) {
        const param = this.addParameter(name, shape, trainable ?? true);
        if (values) {
          this.skipInitialValues(name, shape, rng);
          values(param, getBackend().memory.f32(param.value, param.size));
        } else {
          getBackend().memory.f32(param.value, param.size).set(this.initialValues(name, shape, rng));
        }
      }
      this.initRandom(rng);
    } catch (error) {
      this.unbuild(); // out of memory, or a file's values refused: no weights half made
      throw error;
    }
    return this.outputShape;
  }

  /** @internal Frees what build() made and forgets it was built: a model whose build failed part way takes its layers back to unbuilt. */
  unbuild(): void {
    this.free();
    this.built = false;
  }

  /** The batch size the buffers are planned for (0: none). */
  get plannedCapacity(): number {
    return this.capacity;
  }

  /**
   * From now on plan() also makes the buffers backward uses (its kernels' scratch); with
   * `inputGradients`, the gradients with respect to its inputs (inputGradientBuffer), which a layer
   * that nothing trained lies before — the one reading the model's input, the first after a frozen
   * base — never writes; and with `weightGradients`, the weights' gradients (allocated now, zeroed)
   * and the partial sums that add them up. The model calls it before its first training step for
   * the layers backward reaches, so a model that only predicts holds its weights once and buffers
   * for forward alone. What it makes stays (another model sharing the layer may need more): later
   * steps allocate nothing.
   */
  planBackward(weightGradients: boolean, inputGradients = true): void {
    if (this.backwardPlanned && (this.weightGradientsPlanned || !weightGradients) && (this.inputGradientsPlanned || !inputGradients)) return;
    if (weightGradients) this.allocateGradients();
    this.trainingPlanned = this.backwardPlanned = true;
    this.weightGradientsPlanned ||= weightGradients;
    this.inputGradientsPlanned ||= inputGradients;
    this.replan();
  }

  /**
   * From now on plan() also makes the buffers forward uses only in training (a dropout's mask, an
   * augmentation's output: trainingBuffer), which inference, passing the input through, never
   * touches. The model calls it before its first training step for the layers backward does not
   * reach (planBackward does it for the others).
   */
  planTraining(): void {
    if (this.trainingPlanned) return;
    this.trainingPlanned = true;
    this.replan();
  }

  /** Planned already (the model predicted first): planned again, with the buffers just asked for. */
  protected replan(): void {
    const capacity = this.capacity;
    this.unplan();
    if (capacity) this.plan(capacity);
  }

  /** Whether plan() makes the buffers forward uses in training. */
  protected get plansTraining(): boolean {
    return this.trainingPlanned;
  }

  /** Whether plan() makes backward's buffers (for workspaces, which are sized for the passes they serve). */
  protected get plansBackward(): boolean {
    return this.backwardPlanned;
  }

  /** Whether plan() makes the input gradients' buffers: backward computes them. */
  protected get plansInputGradients(): boolean {
    return this.inputGradientsPlanned;
  }

  /** Whether plan() makes the weight gradients' buffers: backward computes them. */
  protected get plansWeightGradients(): boolean {
    return this.weightGradientsPlanned;
  }

  /** Moves the generator past the weight's initial values, as making them would. */
  private skipInitialValues(name: string, shape: number[], rng: Random): void {
    const init = this.initializer(name, shape);
    if (init === undefined) this.initialValues(name, shape, rng); // however it draws: drawn, and dropped
    else rng.skip(initialDraws(init, sizeOf(shape)));
  }

  /** Makes sure the buffers hold batches of `capacity` examples (they grow, never shrink). */
  plan(capacity: number): void {
    if (capacity <= this.capacity) return;
    this.unplan();
    try {
      this.planBuffers(capacity);
      this.capacity = capacity;
    } catch (error) {
      this.unplan(); // out of memory: keep no half-made plan
      throw error;
    }
  }

  /** Frees the planned buffers; the next plan() allocates them again. */
  unplan(): void {
    const planned = this.planned;
    this.planned = [];
    this.capacity = 0; // first: whatever fails below, the layer claims no plan whose buffers are gone
    planned.forEach((p) => this.blocks.free(p));
    this.blocks.releaseScratch();
  }

  /** Allocates a buffer of `length` floats that lives until the next plan() or the weights are freed. */
  protected buffer(length: number): number {
    const ptr = this.blocks.alloc(length * 4);
    this.planned.push(ptr);
    return ptr;
  }

  /**
   * The buffer forward returns as the output: where the graph running the layer places it while it
   * only predicts (shared with outputs not live at the same time), else a buffer() of its own.
   */
  protected outputBuffer(length: number): number {
    // Training (or only its forward pass) keeps every output: backward, or a later layer's, reads it.
    const placed = this.trainingPlanned ? 0 : this.outputPlace?.(length);
    return placed || this.buffer(length);
  }

  /**
   * Where forward's output lies in inference (the graph plans its outputs by it): its outputBuffer
   * ('own'), an input's memory ('input'), or either, pass by pass ('either').
   */
  get inferenceOutput(): InferenceOutput {
    return 'own';
  }

  /**
   * Called by a graph that runs this layer (`placer`): from the next plan(), outputBuffer takes its
   * output from `place` (0 there: a buffer of its own); undefined gives the layer its own again. A
   * layer in two graphs (a model and one cut from it) is placed by the one that planned it last.
   */
  placeOutput(place: OutputPlace | undefined, placer: object | undefined): void {
    if (place === this.outputPlace && placer === this.placer) return;
    this.outputPlace = place;
    this.placer = placer;
    // Planned for training, the layer keeps its own output and its buffers as they are: a training
    // loop plans once, and a model sharing the layer may predict (or be freed) between its steps.
    // Otherwise the next plan() makes them again: every graph plans before it predicts.
    if (!this.trainingPlanned) this.unplan();
  }

  /** The graph that placed the output (placeOutput), if one did. */
  get outputPlacer(): object | undefined {
    return this.placer;
  }

  /** A buffer() that only forward in training uses: 0 until the layer is planned for training. */
  protected trainingBuffer(length: number): number {
    return this.trainingPlanned ? this.buffer(length) : 0;
  }

  /**
   * Whether this forward pass acts as in training (a dropout drops, a batch normalisation takes the
   * batch's statistics): a training pass, unless its call is fixed in inference mode (inferenceCall).
   * A layer driven on its own without planTraining is refused in a training pass, rather than left
   * to write its trainingBuffer()s through null addresses.
   */
  protected trains(training: boolean): boolean {
    if (training && !this.trainingPlanned) {
      throw new StateError(`${this.name}: forward in training needs the buffers planTraining() (or planBackward) makes: a model ` +
        'plans its layers so at its first training step; a layer driven on its own must be planned so before plan()');
    }
    return training && !this.inferenceCall;
  }

  /** A buffer() that only backward uses: 0 until the layer is planned for backward. */
  protected backwardBuffer(length: number): number {
    return this.backwardPlanned ? this.buffer(length) : 0;
  }

  /** A buffer() that only the gradients with respect to the inputs use (them, their scratch): 0 until the layer computes them. */
  protected inputGradientBuffer(length: number): number {
    return this.inputGradientsPlanned ? this.buffer(length) : 0;
  }

  /** A buffer() that only weight gradients use (their partial sums): 0 until the layer computes them. */
  protected weightGradientBuffer(length: number): number {
    return this.weightGradientsPlanned ? this.buffer(length) : 0;
  }

  /**
   * buffer() and backwardBuffer() for the helpers a layer plans through, and its reservation of the
   * scratch every layer's kernel calls share (backend/shared-scratch.ts: what a call needs only while
   * it runs), which lasts, like a buffer, until the next plan() or the weights are freed.
   */
  protected readonly plannedBuffers: PlannedBuffers = {
    forward: (length) => this.buffer(length), output: (length) => this.outputBuffer(length), backward: (length) => this.backwardBuffer(length),
    scratch: (bytes) => this.blocks.reserveScratch(bytes),
  };

  /** A new weight with its values yet to be written, and no gradient: the first training step makes one (planBackward). */
  private addParameter(name: string, shape: number[], trainable: boolean): Parameter {
    const size = sizeOf(shape);
    const param = { name: `${this.name}/${name}`, shape, size, value: this.blocks.alloc(size * 4), grad: 0, trainable };
    this.ownParams.push(param);
    return param;
  }

  /** Gives each trainable weight its gradient buffer, zeroed, where it has none yet; they stay until the weights are freed. */
  private allocateGradients(): void {
    const memory = getBackend().memory;
    for (const p of this.ownParams) {
      if (!p.trainable || p.grad) continue;
      p.grad = this.blocks.alloc(p.size * 4);
      memory.f32(p.grad, p.size).fill(0);
    }
  }

  get outputSize(): number {
    return sizeOf(this.outputShape);
  }

  get inputSize(): number {
    return sizeOf(this.inputShape);
  }

  get parameterCount(): number {
    return this.params.reduce((n, p) => n + p.size, 0);
  }

  /** TF.js's name for parameterCount: the values of every weight, trainable or not (moving statistics too). */
  countParams(): number {
    return this.parameterCount;
  }

  /** A model that contains this layer holds it; the weights live while anyone does. */
  retain(): void {
    this.holders++;
  }

  /**
   * Refuses a layer whose weights the last hold freed for good (every model holding it disposed):
   * new weights in their place would predict as if they were the trained ones. A model checks each
   * of its layers so before it takes any hold.
   */
  checkNotFreed(): void {
    if (this.weightsDisposed) {
      throw new StateError(`${this.name}: this layer was freed, weights and all, when the models holding it were disposed; ` +
        'a new model cannot use it: cut or build from a model that is not disposed');
    }
  }

  /** Lets go of one hold; the last one frees the weights and buffers for good (a layer never built, after a failed build, may be built again). */
  release(): void {
    if (--this.holders > 0) return;
    this.free();
    this.weightsDisposed ||= this.built;
    this.built = false;
  }

  /** Frees the weights and buffers in wasm memory. */
  protected free(): void {
    this.unplan();
    for (const p of this.ownParams) {
      this.blocks.free(p.value);
      this.blocks.free(p.grad);
    }
    this.ownParams.length = 0;
  }
}

/** Throws a ConfigError naming the layer, the setting and what it should be. */
export function checkSetting(ok: boolean, layer: string, message: string): void {
  if (!ok) throw new ConfigError(`${layer}: ${message}`);
}

export const isPositiveInteger = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;
