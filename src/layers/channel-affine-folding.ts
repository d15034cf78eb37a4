// What a layer offers so that a batch normalisation reading it can be folded into its weights for
// inference (predict({ foldBatchNorm: true })): a layer each of whose output channels is linear in
// its weights — a convolution, whose kernel column and bias for output channel c make channel c.
// KernelLayer is that offer made once for the layers built on a kernel and a bias.
import { FUSED_ACTIVATION } from '../backend/kernels.js';
import { OwnedBlocks } from '../backend/owned-blocks.js';
import { getBackend } from '../backend/wasm.js';
import type { ActivationFunction } from './activation-function.js';
import { Layer, type Parameter } from './layer.js';

export interface ChannelAffineFolding {
  /**
   * From now on, forward passes in inference mode give (output − centre)·scale + shift per output
   * channel instead of the output (centre, scale and shift are wasm addresses of [channels] f32;
   * centre or shift 0 for none): the layer computes them with a copy of its weights in which the
   * kernel's output channel c is multiplied by scale[c] and the bias (0 without one) becomes
   * (bias[c] − centre[c])·scale[c] + shift[c]. Its own weights, training and files are untouched.
   * scale = 0 ends the fold. `activation`, a FUSED_ACTIVATION code, is applied after the affine map
   * (the ReLU or ReLU6 that follows the normalisation, run inside the layer's kernel). Returns false,
   * changing nothing, when the layer cannot fold (say, an activation follows its product) or cannot
   * apply `activation`; the caller then runs the normalisation (or activation) itself.
   */
  foldChannelAffine(centre: number, scale: number, shift: number, activation?: number): boolean;
}

export const foldsChannelAffine = (layer: Layer): layer is Layer & ChannelAffineFolding =>
  typeof (layer as Partial<ChannelAffineFolding>).foldChannelAffine === 'function';

/**
 * A folded copy of a layer's weights, for layers that implement ChannelAffineFolding: a kernel whose
 * last axis is the output channels (conv2d's [kh, kw, in, out], dense's [in, out]) and a bias.
 * Its buffers are made on the first fold and kept for the next until free().
 */
export class FoldedWeights {
  /** Whether forward passes in inference mode use the folded copy. */
  active = false;
  kernel = 0;
  bias = 0;
  /** The FUSED_ACTIVATION code applied after the folded copy's product. */
  activation: number = FUSED_ACTIVATION.none;
  private readonly blocks = new OwnedBlocks(this);

  /**
   * Makes the copy of `kernel` and `bias` (absent: 0) with (· − centre)·scale + shift folded into
   * output channel c, as foldChannelAffine asks (scale = 0: the copy is no longer used).
   */
  fold(kernel: Parameter, bias: Parameter | undefined, channels: number, centre: number, scale: number, shift: number,
    activation: number = FUSED_ACTIVATION.none): true {
    this.active = scale !== 0;
    this.activation = this.active ? activation : FUSED_ACTIVATION.none;
    if (!this.active) return true;
    const { kernels, memory } = getBackend();
    this.kernel ||= this.blocks.alloc(kernel.size * 4);
    this.bias ||= this.blocks.alloc(channels * 4);
    kernels.channelAffine(kernel.value, 0, scale, 0, this.kernel, kernel.size / channels, channels, FUSED_ACTIVATION.none);
    if (bias) memory.copyFloats(this.bias, bias.value, channels);
    else kernels.fill(this.bias, channels, 0);
    kernels.channelAffine(this.bias, centre, scale, shift, this.bias, 1, channels, FUSED_ACTIVATION.none);
    return true;
  }

  free(): void {
    this.blocks.free(this.kernel);
    this.blocks.free(this.bias);
    this.kernel = this.bias = 0;
    this.active = false;
  }
}

/**
 * A layer whose weights are a kernel (its last axis the output channels, read flat) and an optional
 * bias, an activation after them — Conv2D, DepthwiseConv2D, Dense — and which folds a normalisation
 * that follows it into a copy of them when that activation is linear.
 */
export abstract class KernelLayer extends Layer implements ChannelAffineFolding {
  abstract readonly activation: ActivationFunction;
  /** The kernel and bias with a normalisation folded in, for predict({ foldBatchNorm }). */
  private readonly folded = new FoldedWeights();

  /** The output channels: the kernel's last axis, and the bias's length. */
  protected abstract get outputChannels(): number;

  protected get kernel(): Parameter {
    return this.params[0];
  }

  protected get bias(): Parameter | undefined {
    return this.params[1];
  }

  /** The kernel a forward pass reads: the folded copy in inference mode while a fold is on. */
  protected forwardKernel(training: boolean): number {
    return this.folded.active && !training ? this.folded.kernel : this.kernel.value;
  }

  /** The bias a forward pass adds (0: none), as forwardKernel chooses. */
  protected forwardBias(training: boolean): number {
    return this.folded.active && !training ? this.folded.bias : this.bias?.value ?? 0;
  }

  /** Whether the layer's kernel applies a FUSED_ACTIVATION code on its way out (the convolutions do; Dense's does not). */
  protected abstract readonly kernelAppliesActivations: boolean;

  /** The FUSED_ACTIVATION code a forward pass's kernel applies: the fold's in inference mode while one is on. */
  protected forwardActivation(training: boolean): number {
    return this.folded.active && !training ? this.folded.activation : this.activation.kernelCode;
  }

  foldChannelAffine(centre: number, scale: number, shift: number, activation: number = FUSED_ACTIVATION.none): boolean {
    if (this.activation.name !== 'linear' || (activation !== FUSED_ACTIVATION.none && !this.kernelAppliesActivations)) return false;
    return this.folded.fold(this.kernel, this.bias, this.outputChannels, centre, scale, shift, activation);
  }

  protected free(): void {
    this.folded.free();
    super.free();
  }
}
