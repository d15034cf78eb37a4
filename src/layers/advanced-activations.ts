// Keras's activation layers with options of their own: ReLU (max value, negative slope, threshold),
// LeakyReLU, ELU and Softmax (axis). PReLU, whose slopes are weights, is in prelu.ts.
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { ActivationFunction } from './activation-function.js';
import { ActivationLayer } from './activation.js';
import type { LayerDescriptor } from './descriptor.js';
import { type LayerConfig, checkSetting } from './layer.js';

/** A setting that must be a finite number (at least `least`, when given); `fallback` when absent. */
function numberSetting(value: unknown, fallback: number, layer: string, setting: string, least?: number): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && Number.isFinite(value) && (least === undefined || value >= least);
  checkSetting(ok, layer, `${setting} must be a finite number${least === undefined ? '' : ` ≥ ${least}`}, got ${shownValue(value)}`);
  return value as number;
}

export interface ReLUOptions {
  /** The largest output; null or absent: none. */
  maxValue?: number | null;
  negativeSlope?: number;
  threshold?: number;
  name?: string;
}

/**
 * Keras's ReLU: f(x) = min(x, maxValue) for x > threshold, negativeSlope·(x − threshold) otherwise
 * (Keras's documentation says x ≥ threshold; its code, followed here, x > threshold). Plain and
 * capped at 6 (MobileNetV2's ReLU(max_value=6)) it runs the relu and relu6 kernels.
 */
export class ReLU extends ActivationLayer {
  readonly className = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;
  readonly activation: ActivationFunction;

  constructor(options: ReLUOptions = {}) {
    super(options.name, 're_lu');
    // Keras refuses negative settings.
    this.maxValue = options.maxValue === null || options.maxValue === undefined ? null : numberSetting(options.maxValue, 0, this.name, 'maxValue', 0);
    this.negativeSlope = numberSetting(options.negativeSlope, 0, this.name, 'negativeSlope', 0);
    this.threshold = numberSetting(options.threshold, 0, this.name, 'threshold', 0);
    const plain = this.negativeSlope === 0 && this.threshold === 0 && (this.maxValue === null || this.maxValue === 6);
    this.activation = plain
      ? new ActivationFunction(this.maxValue === 6 ? 'relu6' : 'relu')
      : new ActivationFunction('leakyRelu', { parameters: [this.maxValue ?? Infinity, this.negativeSlope, this.threshold] });
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold };
  }
}

/** LeakyReLU and ELU: one setting, alpha, with its default, and the function it makes. */
abstract class AlphaActivation extends ActivationLayer {
  readonly alpha: number;
  readonly activation: ActivationFunction;

  constructor(options: { alpha?: number; name?: string }, prefix: string, fallback: number, make: (alpha: number) => ActivationFunction) {
    super(options.name, prefix);
    this.alpha = numberSetting(options.alpha, fallback, this.name, 'alpha');
    this.activation = make(this.alpha);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, alpha: this.alpha };
  }
}

/** Keras's LeakyReLU: x > 0 ? x : alpha·x. */
export class LeakyReLU extends AlphaActivation {
  readonly className = 'LeakyReLU';

  constructor(options: { alpha?: number; name?: string } = {}) {
    super(options, 'leaky_re_lu', 0.3, (alpha) => new ActivationFunction('leakyRelu', { parameters: [Infinity, alpha, 0] }));
  }
}

/** Keras's ELU: x ≥ 0 ? x : alpha·(exp(x) − 1). */
export class ELU extends AlphaActivation {
  readonly className = 'ELU';

  constructor(options: { alpha?: number; name?: string } = {}) {
    super(options, 'elu', 1, (alpha) => new ActivationFunction('elu', { parameters: [alpha, 1] }));
  }
}

/** Keras's Softmax layer, along the last axis (the one other axis TF.js allows, a list of axes, is refused when built). */
export class Softmax extends ActivationLayer {
  readonly className = 'Softmax';
  readonly axis: number;
  readonly activation = new ActivationFunction('softmax');

  constructor(options: { axis?: number | [number]; name?: string } = {}) {
    super(options.name, 'softmax');
    const axis = Array.isArray(options.axis) && options.axis.length === 1 ? options.axis[0] : options.axis ?? -1;
    checkSetting(Number.isInteger(axis), this.name, `axis must be an integer (−1: the last axis), got ${shownValue(options.axis)}`);
    this.axis = axis as number;
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    // Keras counts the batch as axis 0: the last axis of an example of rank r is −1 or r.
    checkSetting(this.axis === -1 || this.axis === input.length, this.name,
      `softmax normalises along the last axis only: axis −1 (or ${input.length}) for inputs of shape ${formatShape(input)}, got axis ${this.axis}`);
    return input;
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, axis: this.axis };
  }
}

export const advancedActivationDescriptors: LayerDescriptor[] = [
  {
    className: 'ReLU',
    fromConfig: (c) => new ReLU(c as ReLUOptions),
    tfjs: {
      options: ['max_value', 'negative_slope', 'threshold'],
      inexpressible: (c) => (c.negativeSlope || c.threshold ? 'has a negativeSlope or threshold, which TensorFlow.js\'s ReLU ignores' : undefined),
    },
  },
  { className: 'LeakyReLU', fromConfig: (c) => new LeakyReLU(c as { alpha?: number }), tfjs: { options: ['alpha'], kerasAliases: { negative_slope: 'alpha' } } },
  {
    className: 'ELU',
    fromConfig: (c) => new ELU(c as { alpha?: number }),
    tfjs: { options: ['alpha'], inexpressible: (c) => (c.alpha !== 1 ? `has alpha ${c.alpha}; TensorFlow.js's ELU supports only 1` : undefined) },
  },
  { className: 'Softmax', fromConfig: (c) => new Softmax(c as { axis?: number }), tfjs: { options: ['axis'] } },
];
