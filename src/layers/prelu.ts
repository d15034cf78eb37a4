// PReLU, the ReLU with learnable slopes: y = x > 0 ? x : alpha·x. alpha has the example's shape,
// or 1 along the sharedAxes (Keras counts the batch as axis 0: [1, 2] on images gives one slope
// per channel). Shared axes must lead, so that the slopes repeat every alphaLength elements.
import type { Initializer } from '../init.js';
import { type Shape, formatShape, sizeOf } from '../shape.js';
import { shownValue } from '../shown-value.js';
import type { LayerDescriptor } from './descriptor.js';
import { Layer, type LayerConfig, type Parameter, type WeightSpec, checkSetting } from './layer.js';

/** Where alpha starts: 'zeros' (Keras's default), 'ones', a constant, or Keras's { class_name, config } of one of them. */
export type AlphaInitializer = 'zeros' | 'ones' | number | { class_name?: string; className?: string; config?: { value?: unknown } };

export interface PReLUOptions {
  alphaInitializer?: AlphaInitializer;
  /** Axes (1 for the first axis of an example) along which one slope is shared; null or absent: none. */
  sharedAxes?: number | number[] | null;
  name?: string;
}

/** The constant alpha starts from, read from any form of AlphaInitializer. */
function initialAlpha(initializer: AlphaInitializer | undefined, layer: string): number {
  const keras = typeof initializer === 'object' && initializer !== null ? initializer : undefined;
  const kind = keras ? keras.class_name ?? keras.className : initializer ?? 'zeros';
  if (kind === 'zeros' || kind === 'Zeros') return 0;
  if (kind === 'ones' || kind === 'Ones') return 1;
  const value = kind === 'Constant' ? keras?.config?.value : kind;
  checkSetting(typeof value === 'number' && Number.isFinite(value), layer,
    `alphaInitializer must be 'zeros', 'ones', a finite number or a Keras Zeros, Ones or Constant initializer, got ${shownValue(initializer)}`);
  return value as number;
}

export class PReLU extends Layer {
  readonly className = 'PReLU';
  readonly sharedAxes: number[] | null;
  private readonly initialValue: number;
  /** Slopes per example: alpha's size, after which they repeat. */
  private alphaLength = 0;
  private x = 0;
  private y = 0;
  private dx = 0;
  /** Partial slope gradients of the batch slices. */
  private partials = 0;

  constructor(options: PReLUOptions = {}) {
    super(options.name, 'p_re_lu');
    this.initialValue = initialAlpha(options.alphaInitializer, this.name);
    const shared = options.sharedAxes;
    this.sharedAxes = shared === null || shared === undefined ? null : Array.isArray(shared) ? [...shared] : [shared];
    checkSetting(!this.sharedAxes || this.sharedAxes.every((a) => Number.isInteger(a) && a >= 1), this.name,
      `sharedAxes must be axes of the example (integers from 1), got ${shownValue(shared)}`);
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    const leading = [...new Set(this.sharedAxes ?? [])].sort((a, b) => a - b);
    checkSetting(leading.every((a, i) => a === i + 1) && leading.length <= input.length, this.name,
      `sharedAxes must be the leading axes of the example ([1], [1, 2], … up to ${input.length} for inputs of shape ` +
      `${formatShape(input)}; [1, 2] gives images one slope per channel), got ${shownValue(this.sharedAxes)}`);
    this.alphaLength = sizeOf(input.slice(leading.length));
    return input;
  }

  protected weightShapes(): WeightSpec[] {
    return [{ name: 'alpha', shape: this.inputShape.map((d, i) => (this.sharedAxes?.includes(i + 1) ? 1 : d)) }];
  }

  protected initializer(): Initializer {
    return this.initialValue;
  }

  private get alpha(): Parameter {
    return this.params[0];
  }

  protected planBuffers(capacity: number): void {
    this.y = this.outputBuffer(capacity * this.inputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    this.partials = this.weightGradientBuffer(this.parallel.elementwise.preluPartialSumsFloats(this.alphaLength));
  }

  forward([x]: number[], batch: number): number {
    this.x = x;
    this.parallel.elementwise.preluForward(x, this.alpha.value, this.y, batch, this.inputSize, this.alphaLength);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean, needWeightGradients: boolean): number[] {
    const dx = needInputGradients ? this.dx : 0;
    if (dx || needWeightGradients) {
      this.parallel.elementwise.preluBackward(this.x, this.alpha.value, dy, dx, needWeightGradients ? this.alpha.grad : 0, this.partials,
        batch, this.inputSize, this.alphaLength);
    }
    return this.inputGradient(dx);
  }

  getConfig(): LayerConfig {
    const initializer = this.initialValue === 0 ? { class_name: 'Zeros', config: {} }
      : this.initialValue === 1 ? { class_name: 'Ones', config: {} } : { class_name: 'Constant', config: { value: this.initialValue } };
    return { className: this.className, name: this.name, alphaInitializer: initializer, sharedAxes: this.sharedAxes };
  }
}

export const preluDescriptor: LayerDescriptor = {
  className: 'PReLU',
  fromConfig: (c) => new PReLU(c as PReLUOptions),
  tfjs: { options: ['alpha_initializer', 'shared_axes'] },
};
