// Rows and columns added at an image's borders (ZeroPadding2D, zeros) or removed from them
// (Cropping2D). Each is the other's backward: a padded image is the input copied into the middle
// of a zero frame, and its gradient is the middle of the frame's gradient cut out again; cropping
// cuts the middle out, and its gradient is placed back in a zero frame. Both are row copies.
import type { Kernels } from '../backend/kernels.js';
import { StateError } from '../errors.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { Layer, type LayerConfig, checkSetting } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';

/** n on every side, [height, width] (each on both of its sides), or [[top, bottom], [left, right]], as Keras takes them. */
export type Borders = number | [number, number] | [[number, number], [number, number]];
/** Borders resolved: [[top, bottom], [left, right]]. */
export type Borders2DSides = [[number, number], [number, number]];

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isPairOfCounts = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every(isCount);

/** The three forms as [[top, bottom], [left, right]], each a non-negative integer; a ConfigError naming `who` otherwise. */
export function resolveBorders(value: unknown, who: string, setting: string): Borders2DSides {
  if (isCount(value)) return [[value, value], [value, value]];
  if (isPairOfCounts(value)) return [[value[0], value[0]], [value[1], value[1]]];
  checkSetting(Array.isArray(value) && value.length === 2 && value.every(isPairOfCounts), who,
    `${setting} must be a non-negative integer, [height, width] or [[top, bottom], [left, right]], got ${shownValue(value)}`);
  const [[top, bottom], [left, right]] = value as [[number, number], [number, number]];
  return [[top, bottom], [left, right]];
}

/** Copies each [height, width, channels] image of `small` into the window at (top, left) of the frames in `frame`, which are zero elsewhere. */
function placeInFrames(k: Kernels, small: number, [h, w, c]: Shape, frame: number, [frameH, frameW]: Shape,
  top: number, left: number, batch: number): void {
  k.frameImages(small, batch, h, w, c, frame, frameH, frameW, top, left);
}

/** The inverse: copies the window at (top, left) of each frame into `small`. */
function takeFromFrames(k: Kernels, frame: number, [frameH, frameW]: Shape, small: number, [h, w, c]: Shape,
  top: number, left: number, batch: number): void {
  for (let b = 0; b < batch; b++) {
    k.copyRuns(frame + ((b * frameH + top) * frameW + left) * c * 4, frameW * c, small + b * h * w * c * 4, w * c, h, w * c);
  }
}

abstract class Borders2D extends Layer {
  /** [[top, bottom], [left, right]]: zeros added, or rows and columns removed. */
  readonly borders: Borders2DSides;
  /** The larger image of the two (the output when padding, the input when cropping), and the smaller. */
  private frame: Shape = [];
  private small: Shape = [];
  private y = 0;
  private dx = 0;
  /** Set when a graph runs the layer inside the one convolution that reads it (convolution-layer.ts): nothing to plan, unless read all the same. */
  private absorbed = false;
  private outputRead = false;

  constructor(name: string | undefined, prefix: string, value: unknown, setting: string) {
    super(name, prefix);
    this.borders = resolveBorders(value, this.name, setting);
  }

  /** Whether the layer adds the borders (padding) or removes them (cropping). */
  protected abstract readonly adds: boolean;

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 3, this.name, `${this.className} takes [height, width, channels] per example, got ${formatShape(input)}`);
    const [[top, bottom], [left, right]] = this.borders;
    const sign = this.adds ? 1 : -1;
    const height = input[0] + sign * (top + bottom), width = input[1] + sign * (left + right);
    checkSetting(height >= 1 && width >= 1, this.name, `cropping ${shownValue(this.borders)} removes more than the ` +
      `${input[0]}×${input[1]} input has; each axis must keep at least one row or column`);
    const output = [height, width, input[2]];
    [this.frame, this.small] = this.adds ? [output, input] : [input, output];
    return output;
  }

  /** Called by a graph's executor: the reader of this padding reads its input instead, in every pass. */
  absorb(): void {
    this.absorbed = true;
    this.replan();
  }

  /** Called where the output is read after all: a graph that holds the layer unabsorbed, or activations(). */
  keepOutput(): void {
    if (this.outputRead) return;
    this.outputRead = true;
    this.replan();
  }

  protected planBuffers(capacity: number): void {
    if (this.absorbed && !this.outputRead) {
      this.y = this.dx = 0;
      return;
    }
    this.y = this.outputBuffer(capacity * this.outputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
  }

  forward([x]: number[], batch: number): number {
    if (!this.y) throw new StateError(`${this.name}: no output is planned: plan() the layer first (a graph that runs it inside the convolution reading it plans none)`);
    const { frame, small } = this, [[top], [left]] = this.borders;
    if (this.adds) placeInFrames(this.kernels, x, small, this.y, frame, top, left, batch);
    else takeFromFrames(this.kernels, x, frame, this.y, small, top, left, batch);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!needInputGradients) return this.inputGradient(0);
    const { frame, small } = this, [[top], [left]] = this.borders;
    if (this.adds) takeFromFrames(this.kernels, dy, frame, this.dx, small, top, left, batch);
    else placeInFrames(this.kernels, dy, small, this.dx, frame, top, left, batch);
    return this.inputGradient(this.dx);
  }
}

export class ZeroPadding2D extends Borders2D {
  readonly className = 'ZeroPadding2D';
  protected readonly adds = true;

  /** padding defaults to 1 on every side, as in Keras and TensorFlow.js. */
  constructor(options: { padding?: Borders; name?: string } = {}) {
    super(options.name, 'zero_padding2d', options.padding ?? 1, 'padding');
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, padding: this.borders };
  }
}

export class Cropping2D extends Borders2D {
  readonly className = 'Cropping2D';
  protected readonly adds = false;

  /** cropping defaults to none, as in Keras. */
  constructor(options: { cropping?: Borders; name?: string } = {}) {
    super(options.name, 'cropping2d', options.cropping ?? 0, 'cropping');
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, cropping: this.borders };
  }
}

export const bordersDescriptors: LayerDescriptor[] = [
  // ZeroPadding2D's padding is rows and columns of zeros, not the window padding ('valid', 'same') of convolutions.
  { className: 'ZeroPadding2D', fromConfig: (c) => new ZeroPadding2D(c as never), tfjs: { options: ['padding'], spatial: true, ownSettings: ['padding'] } },
  { className: 'Cropping2D', fromConfig: (c) => new Cropping2D(c as never), tfjs: { options: ['cropping'], spatial: true } },
];
