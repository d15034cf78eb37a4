// The activation applied at the end of a layer (conv2d, dense, or a standalone activation layer).
// It owns its output and gradient buffers. A derivative is taken from the output y where y tells
// it (ReLU, tanh, sigmoid…), so nothing more is kept; the functions whose derivative needs the input
// x (GELU, swish, softplus…) read it where the layer left it (its own pre-activation buffer, or the
// previous layer's output), which stays in place until backward: no copy either way.
import type { ElementwiseKernel } from '../backend/kernel-jobs.js';
import { FUSED_ACTIVATION } from '../backend/kernels.js';
import { getBackend } from '../backend/wasm.js';
import { ConfigError } from '../errors.js';
import { shownValue } from '../shown-value.js';
import type { PlannedBuffers } from './layer.js';

export const ACTIVATIONS = [
  'linear', 'relu', 'tanh', 'sigmoid', 'softmax', 'logSoftmax',
  'relu6', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'gelu', 'hardSigmoid', 'hardSwish',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/**
 * What an ActivationFunction can run: the activation names, Keras's relu with its options
 * (max value, negative slope, threshold) that the ReLU and LeakyReLU layers run, and the clip to
 * [low, high] that the Clip layer runs.
 */
export type ActivationFunctionName = ActivationName | 'leakyRelu' | 'clip';

export function checkActivation(name: unknown, layer: string): ActivationName {
  if (name === undefined) return 'linear';
  if (!ACTIVATIONS.includes(name as ActivationName)) {
    throw new ConfigError(`${layer}: unknown activation ${shownValue(name)}; expected one of ${ACTIVATIONS.join(', ')}`);
  }
  return name as ActivationName;
}

/** SELU's constants, as TensorFlow's kernel has them (Keras documents them to 8 digits). */
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_SCALE_ALPHA = 1.7580993408473768599402175208123;

interface ElementwiseActivation {
  forward: ElementwiseKernel;
  backward: ElementwiseKernel;
  /** What the derivative reads besides dy: the output y, the input x, or both. */
  reads: 'y' | 'x' | 'xy';
  /** The kernel's parameters (src/backend/kernels.ts), unless the layer gives its own. */
  parameters?: number[];
}

/** The activations that normalise along the last axis, by row: their kernels (src/backend/kernels.ts), whose backward reads y. */
const ROWWISE = {
  softmax: { forward: 'softmaxForward', backward: 'softmaxBackward' },
  logSoftmax: { forward: 'logSoftmaxForward', backward: 'logSoftmaxBackward' },
} as const;
const isRowwise = (name: ActivationFunctionName): name is keyof typeof ROWWISE => Object.hasOwn(ROWWISE, name);

const ELEMENTWISE: Record<Exclude<ActivationFunctionName, 'linear' | keyof typeof ROWWISE>, ElementwiseActivation> = {
  relu: { forward: 'reluForward', backward: 'reluBackward', reads: 'y' },
  tanh: { forward: 'tanhForward', backward: 'tanhBackward', reads: 'y' },
  sigmoid: { forward: 'sigmoidForward', backward: 'sigmoidBackward', reads: 'y' },
  relu6: { forward: 'relu6Forward', backward: 'relu6Backward', reads: 'y' },
  elu: { forward: 'eluForward', backward: 'eluBackward', reads: 'xy', parameters: [1, 1] },
  selu: { forward: 'eluForward', backward: 'eluBackward', reads: 'xy', parameters: [SELU_SCALE_ALPHA, SELU_SCALE] },
  softplus: { forward: 'softplusForward', backward: 'softplusBackward', reads: 'x' },
  softsign: { forward: 'softsignForward', backward: 'softsignBackward', reads: 'x' },
  swish: { forward: 'swishForward', backward: 'swishBackward', reads: 'x' },
  gelu: { forward: 'geluForward', backward: 'geluBackward', reads: 'x' },
  hardSigmoid: { forward: 'hardSigmoidForward', backward: 'hardSigmoidBackward', reads: 'y' },
  hardSwish: { forward: 'hardSwishForward', backward: 'hardSwishBackward', reads: 'x' },
  leakyRelu: { forward: 'leakyReluForward', backward: 'leakyReluBackward', reads: 'x' },
  clip: { forward: 'clipForward', backward: 'clipBackward', reads: 'x' },
};

/** Whether a kernel can apply the activation to its results on their way out (conv2d's FUSED_ACTIVATION). */
export const appliedByKernels = (name: ActivationFunctionName): name is 'relu' | 'relu6' => name === 'relu' || name === 'relu6';

/** ReLU-like activations, whose layers start from He initialisation. */
export const isReluLike = (name: ActivationFunctionName) => name === 'relu' || name === 'relu6';

export interface ActivationFunctionOptions {
  /**
   * The layer's kernel applies this activation itself (conv2d with ReLU or ReLU6): forward hands
   * the kernel's output through and backward takes the derivative from it.
   */
  appliedByKernel?: boolean;
  /** The kernel's parameters, in place of the default ones (ELU's α; leakyRelu's [max, slope, threshold]; clip's [low, high]). */
  parameters?: number[];
}

export class ActivationFunction {
  private exampleSize = 0;
  private axisSize = 0;
  private y = 0;
  private dz = 0;
  /** Where the kernel's parameters are, when it takes any. */
  private parameterBuffer = 0;
  private readonly parameters?: number[];
  /** The input of the last forward: the logits when this is the model's output softmax, and x for derivatives that need it. */
  input = 0;
  /**
   * Set only during the backward pass of a model whose loss takes these logits directly (softmax +
   * cross-entropy): the loss then hands back the gradient with respect to the logits and backward
   * passes it through. Only then: the layer may be shared with models trained with other losses.
   */
  fusedWithLoss = false;
  readonly appliedByKernel: boolean;
  /** The FUSED_ACTIVATION code the layer's kernel applies: none unless appliedByKernel. */
  readonly kernelCode: number;

  constructor(readonly name: ActivationFunctionName, options: ActivationFunctionOptions = {}) {
    this.appliedByKernel = options.appliedByKernel ?? false;
    if (this.appliedByKernel && !appliedByKernels(name)) throw new ConfigError(`no kernel applies the activation ${name} itself`);
    this.kernelCode = this.appliedByKernel ? FUSED_ACTIVATION[name as 'relu' | 'relu6'] : FUSED_ACTIVATION.none;
    this.parameters = options.parameters ?? (name in ELEMENTWISE ? ELEMENTWISE[name as keyof typeof ELEMENTWISE].parameters : undefined);
  }

  /** Per-example size, and the size of the last axis (softmax and logSoftmax normalise along it); the buffers from the layer's. */
  plan(exampleSize: number, axisSize: number, buffers: PlannedBuffers, capacity: number): void {
    this.exampleSize = exampleSize;
    this.axisSize = axisSize;
    if (this.name === 'linear') return;
    if (this.ownsOutput) this.y = buffers.output(capacity * exampleSize);
    this.dz = buffers.backward(capacity * exampleSize);
    if (this.parameters) {
      this.parameterBuffer = buffers.forward(this.parameters.length);
      getBackend().memory.f32(this.parameterBuffer, this.parameters.length).set(this.parameters);
    }
  }

  /** Whether forward writes a buffer of its own (the layer's output), not the z it was given. */
  get ownsOutput(): boolean {
    return this.name !== 'linear' && !this.appliedByKernel;
  }

  /** A buffer for z, what the layer computes before the activation: the layer's output where forward returns z. */
  zBuffer(length: number, buffers: PlannedBuffers): number {
    return this.ownsOutput ? buffers.forward(length) : buffers.output(length);
  }

  forward(z: number, batch: number): number {
    this.input = z;
    if (this.appliedByKernel) {
      this.y = z;
      return z;
    }
    const { kernels, parallel } = getBackend();
    if (this.name === 'linear') return z;
    if (isRowwise(this.name)) kernels[ROWWISE[this.name].forward](z, this.y, (batch * this.exampleSize) / this.axisSize, this.axisSize);
    else parallel.elementwise.map(ELEMENTWISE[this.name].forward, batch, this.exampleSize, this.parameterBuffer, z, this.y);
    return this.y;
  }

  /** reluFolded: a ReLU's derivative is already in dy (taken by the max pooling after it, Layer.backward). */
  backward(dy: number, batch: number, reluFolded = false): number {
    if (this.name === 'linear' || this.fusedWithLoss || (reluFolded && this.name === 'relu')) return dy;
    const { kernels, parallel } = getBackend();
    if (isRowwise(this.name)) {
      kernels[ROWWISE[this.name].backward](this.y, dy, this.dz, (batch * this.exampleSize) / this.axisSize, this.axisSize);
      return this.dz;
    }
    const { backward, reads } = ELEMENTWISE[this.name];
    const n = this.exampleSize, parameters = this.parameterBuffer;
    if (reads === 'xy') parallel.elementwise.map(backward, batch, n, parameters, this.input, this.y, dy, this.dz);
    else parallel.elementwise.map(backward, batch, n, parameters, reads === 'x' ? this.input : this.y, dy, this.dz);
    return this.dz;
  }
}

/**
 * Each activation's name in Keras and TensorFlow.js files (Keras's snake_case, which TF.js writes
 * too), where TF.js has the activation; Keras 3 also writes silu, hard_silu and hard_swish.
 */
const KERAS_NAMES: Record<ActivationName, string | undefined> = {
  linear: 'linear', relu: 'relu', tanh: 'tanh', sigmoid: 'sigmoid', softmax: 'softmax', logSoftmax: 'log_softmax', relu6: 'relu6', elu: 'elu', selu: 'selu',
  softplus: 'softplus', softsign: 'softsign', swish: 'swish', gelu: 'gelu', hardSigmoid: 'hard_sigmoid', hardSwish: undefined,
};
const KERAS_ALIASES: Record<string, ActivationName> = { silu: 'swish', hard_silu: 'hardSwish', hard_swish: 'hardSwish' };

/** The convas name of an activation named in a Keras or TF.js file; a name it does not know is returned as it is. */
export function activationFromKeras(name: string): string {
  return KERAS_ALIASES[name] ?? ACTIVATIONS.find((a) => KERAS_NAMES[a] === name) ?? name;
}

/** The activation's name in a TF.js file, or undefined when TF.js does not have it. */
export const kerasActivationName = (name: ActivationName): string | undefined => KERAS_NAMES[name];
