// A small MobileNetV2-like transfer setup, built in convas: a base of a stride-2 stem and inverted
// residual blocks (1×1 expansion, 3×3 depthwise, 1×1 projection, batch normalisations, ReLU6, the
// residual add), nested in a model that feeds it through a trainable convolution reading the
// model's input (its input also fed past it, to the add: fan-out) and ends with a head of its own.
// `tuned` says what trains: the head alone (the base frozen, as transfer learning starts), or the
// first convolution and the head around the frozen base (frozen layers in the middle).
import { type Model, type SymbolicTensor, input, layers, model } from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';

export type Tuned = 'head' | 'around';

/** One inverted residual block: expand ×6, depthwise 3×3 (stride), project; the add when the shape stays. */
function invertedResidual(x: SymbolicTensor<Layer>, channels: number, filters: number, stride: number): SymbolicTensor<Layer> {
  const relu6 = () => layers.reLU({ maxValue: 6 });
  let h = layers.conv2d({ filters: 6 * channels, kernelSize: 1, useBias: false }).apply(x);
  h = relu6().apply(layers.batchNormalization().apply(h));
  h = layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false }).apply(h);
  h = relu6().apply(layers.batchNormalization().apply(h));
  h = layers.batchNormalization().apply(layers.conv2d({ filters, kernelSize: 1, useBias: false }).apply(h));
  return stride === 1 && channels === filters ? layers.add().apply([x, h]) : h;
}

/** The base: size×size×3 → a stem (3×3, stride 2) → inverted residual blocks, as MobileNetV2's start. */
export function smallMobileNetBase(size: number, seed: number): Model {
  const x = input({ shape: [size, size, 3] });
  let h = layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'stem' }).apply(x);
  h = layers.reLU({ maxValue: 6 }).apply(layers.batchNormalization().apply(h));
  h = invertedResidual(h, 16, 16, 1);
  h = invertedResidual(h, 16, 24, 2);
  h = invertedResidual(h, 24, 24, 1);
  return model({ inputs: x, outputs: h, seed, name: 'base' });
}

/** The base, frozen and nested, between a convolution on the input and a head of `classes` (see the file's comment). */
export function smallMobileNetTransfer(size: number, classes: number, tuned: Tuned, seed = 4): Model {
  const base = smallMobileNetBase(size, seed + 1);
  base.trainable = false;
  const x = input({ shape: [size, size, 3] });
  const first = layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'first_conv' });
  first.trainable = tuned === 'around';
  const features = base.apply(layers.add().apply([x, first.apply(x)]));
  let h = layers.conv2d({ filters: 32, kernelSize: 1, activation: 'relu', name: 'head_conv' }).apply(features);
  h = layers.layerNormalization().apply(h);
  h = layers.globalAveragePooling2d().apply(h);
  return model({ inputs: x, outputs: layers.dense({ units: classes, activation: 'softmax' }).apply(h), seed });
}
