// The shape every layer has (after ConvNetJS): forward, backward, and its parameters with their
// gradients side by side. Layers work on wasm addresses planned once per batch capacity, so a
// training step allocates nothing. Inputs come as arrays so that multi-input layers (add,
// concatenate) fit the same graph later.
import { getBackend } from '../backend/wasm.js';
import type { Kernels } from '../backend/kernels.js';
import type { ParallelKernels } from '../backend/parallel-kernels.js';
import { ConfigError, ShapeError } from '../errors.js';
import type { Random } from '../random.js';
import { type Shape, formatShape, isShape, sizeOf } from '../shape.js';

/** A trainable array and its gradient, both in wasm memory, TensorFlow.js shape and name. */
export interface Parameter {
  name: string;
  shape: number[];
  size: number;
  value: number;
  grad: number;
}

/** A layer's serialisable configuration: TensorFlow.js Layers names. */
export type LayerConfig = { className: string; name?: string } & Record<string, unknown>;

let layerCounter = 0;

export abstract class Layer {
  abstract readonly className: string;
  readonly name: string;
  inputShape: Shape = [];
  outputShape: Shape = [];
  readonly params: Parameter[] = [];
  /** Buffers this layer owns for the planned batch capacity: outputs, gradients, scratch. */
  private planned: number[] = [];
  /** A layer holds one model's weights, so it is built once. */
  private built = false;
  protected capacity = 0;

  constructor(name: string | undefined, prefix: string) {
    this.name = name ?? `${prefix}_${++layerCounter}`;
  }

  protected get kernels(): Kernels {
    return getBackend().kernels;
  }

  /** The batch-heavy kernels, split over threads (with the same results at any thread count). */
  protected get parallel(): ParallelKernels {
    return getBackend().parallel;
  }

  /** Checks the settings against the per-example input shapes and returns the output shape. */
  protected abstract computeOutputShape(inputShapes: Shape[]): Shape;

  /** The parameters this layer makes for its input shape: names and TensorFlow.js shapes, in order. */
  protected parameterShapes(): Array<[name: string, shape: number[]]> {
    return [];
  }

  /** Initial values of one parameter (weights from the generator, biases zero). */
  protected initialValues(_name: string, shape: number[], _rng: Random): Float32Array {
    return new Float32Array(sizeOf(shape));
  }

  /** Layers with their own random streams (dropout) seed them here. */
  protected initRandom(_rng: Random): void {}

  /** Allocates this layer's buffers for batches of up to `capacity` examples. */
  protected abstract planBuffers(capacity: number): void;

  /** Runs the layer on a batch; returns the address of the output. */
  abstract forward(inputs: number[], batch: number, training: boolean): number;

  /**
   * Takes the gradient of the loss with respect to the output, writes parameter gradients
   * (overwriting), and returns the gradients with respect to the inputs (0 where not needed).
   */
  abstract backward(dy: number, batch: number, needInputGradients: boolean): number[];

  /** backward()'s answer for a one-input layer, in one reused array so a step allocates nothing. */
  protected inputGradient(dx: number): number[] {
    this.inputGradients[0] = dx;
    return this.inputGradients;
  }

  private readonly inputGradients = [0];

  abstract getConfig(): LayerConfig;

  /**
   * Checks the settings against the input shapes and says what build() would make — the output
   * shape and the parameters' names and shapes — without allocating anything.
   */
  describe(inputShapes: Shape[]): { outputShape: Shape; parameters: Array<{ name: string; shape: number[] }> } {
    for (const s of inputShapes) {
      if (!isShape(s)) {
        throw new ShapeError(`${this.name}: input shape ${formatShape(s)} has a dimension that is not a positive integer`);
      }
    }
    this.inputShape = inputShapes[0];
    this.outputShape = this.computeOutputShape(inputShapes);
    return { outputShape: this.outputShape, parameters: this.parameterShapes().map(([name, shape]) => ({ name: `${this.name}/${name}`, shape })) };
  }

  /** describe(), then the parameters are created and initialised from the generator. */
  build(inputShapes: Shape[], rng: Random): Shape {
    if (this.built) {
      throw new ConfigError(`${this.name}: this layer object already belongs to a model; create a new layer for each model`);
    }
    this.built = true;
    this.describe(inputShapes);
    for (const [name, shape] of this.parameterShapes()) this.addParameter(name, shape, this.initialValues(name, shape, rng));
    this.initRandom(rng);
    return this.outputShape;
  }

  plan(capacity: number): void {
    if (capacity === this.capacity) return;
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
    const memory = getBackend().memory;
    this.planned.forEach((p) => memory.free(p));
    this.planned = [];
    this.capacity = 0;
  }

  /** Allocates a buffer of `length` floats that lives until the next plan() or dispose(). */
  protected buffer(length: number): number {
    const ptr = getBackend().memory.alloc(length * 4);
    this.planned.push(ptr);
    return ptr;
  }

  private addParameter(name: string, shape: number[], values: Float32Array): void {
    const memory = getBackend().memory;
    const size = sizeOf(shape);
    const param = { name: `${this.name}/${name}`, shape, size, value: memory.alloc(size * 4), grad: memory.alloc(size * 4) };
    memory.f32(param.value, size).set(values);
    memory.f32(param.grad, size).fill(0);
    this.params.push(param);
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


  dispose(): void {
    this.unplan();
    const memory = getBackend().memory;
    for (const p of this.params) {
      memory.free(p.value);
      memory.free(p.grad);
    }
    this.params.length = 0;
  }
}

/** Throws a ConfigError naming the layer, the setting and what it should be. */
export function checkSetting(ok: boolean, layer: string, message: string): void {
  if (!ok) throw new ConfigError(`${layer}: ${message}`);
}

export const isPositiveInteger = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;

/** A size given as n or [h, w] (kernelSize, strides, poolSize) as a checked [h, w] pair. */
export function pair(value: unknown, layer: string, setting: string): [number, number] {
  const p = Array.isArray(value) ? value : [value, value];
  checkSetting(p.length === 2 && p.every(isPositiveInteger), layer,
    `${setting} must be a positive integer or a pair of them, got ${JSON.stringify(value)}`);
  return p as [number, number];
}
