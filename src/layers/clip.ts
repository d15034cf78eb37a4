// Clip: each value clamped to [min, max], PyTorch's torch.clamp(x, min, max) and nn.Hardtanh(min,
// max), ONNX's Clip. Keras's ReLU clips from 0 only (its threshold zeroes what is below it), so
// bounds elsewhere, such as Hardtanh's default [−1, 1], need a layer of their own. The gradient
// passes where min ≤ x ≤ max, the bounds included, as torch.clamp's does.
import { shownValue } from '../shown-value.js';
import { ActivationFunction } from './activation-function.js';
import { ActivationLayer } from './activation.js';
import type { LayerDescriptor } from './descriptor.js';
import { type LayerConfig, checkSetting } from './layer.js';

export interface ClipOptions {
  /** The smallest output; null or absent: none. */
  min?: number | null;
  /** The largest output; null or absent: none. */
  max?: number | null;
  name?: string;
}

export class Clip extends ActivationLayer {
  readonly className = 'Clip';
  readonly min: number | null;
  readonly max: number | null;
  readonly activation: ActivationFunction;

  constructor(options: ClipOptions = {}) {
    super(options.name, 'clip');
    const bound = (value: unknown, setting: string) => {
      if (value === null || value === undefined) return null;
      checkSetting(typeof value === 'number' && Number.isFinite(value), this.name, `${setting} must be a finite number or null (no bound), got ${shownValue(value)}`);
      return value as number;
    };
    this.min = bound(options.min, 'min');
    this.max = bound(options.max, 'max');
    // As torch.clamp and ONNX's Clip: with min above max, every value is max.
    this.activation = new ActivationFunction('clip', { parameters: [this.min ?? -Infinity, this.max ?? Infinity] });
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, min: this.min, max: this.max };
  }
}

/** convas's own: TensorFlow.js has no clip layer, so a model with one saves in the convas and ONNX formats. */
export const clipDescriptor: LayerDescriptor = { className: 'Clip', fromConfig: (c) => new Clip(c as ClipOptions) };
