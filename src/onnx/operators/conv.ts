// Conv → conv2d. The weights move from ONNX's [out, in, kh, kw] to convas's [kh, kw, in, out];
// a ReLU, sigmoid or tanh read only by the convolution is applied on its way out, and zeros a
// Pad node put around its input join its padding.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { formatDims } from '../values.js';
import { ELEMENTWISE_ACTIVATIONS } from './activation.js';
import { type Pads, imageInput, layerPadding, pairAttribute, windowPadding } from './window.js';

/** ONNX's [out, in, kh, kw] as convas's [kh, kw, in, out]. */
function hwioKernel(w: Float32Array, [out, inChannels, kh, kw]: number[]): Float32Array {
  const kernel = new Float32Array(w.length);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inChannels; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) kernel[((y * kw + x) * inChannels + i) * out + o] = w[((o * inChannels + i) * kh + y) * kw + x];
      }
    }
  }
  return kernel;
}

function conv(ctx: NodeContext) {
  const x = imageInput(ctx, true);
  const w = ctx.constant(1, 'the weight');
  const [, channels, height, width] = x.dims;
  if (w.type !== 'float' || w.dims.length !== 4) ctx.refuse(`the weight has dims ${formatDims(w.dims)}; expected [out, in, height, width]`);
  const [filters, perGroup, kh, kw] = w.dims;
  const group = ctx.int('group', 1);
  if (group !== 1) ctx.refuse(`group=${group} with ${channels} input channels is not supported`);
  if (perGroup !== channels) ctx.refuse(`the weight takes ${perGroup} input channels, but the input has ${channels}`);
  const kernel = pairAttribute(ctx, 'kernel_shape', [kh, kw]);
  if (kernel[0] !== kh || kernel[1] !== kw) ctx.refuse(`kernel_shape ${JSON.stringify(kernel)} disagrees with the weight's ${kh}×${kw}`);
  const strides = pairAttribute(ctx, 'strides', [1, 1]);
  const dilations = pairAttribute(ctx, 'dilations', [1, 1]);
  if (dilations[0] !== 1 || dilations[1] !== 1) ctx.refuse(`dilations ${JSON.stringify(dilations)} are not supported`);
  const own = windowPadding(ctx, [height, width], kernel, strides, dilations);
  const padding = own.map((p, i) => p + (x.pad?.[i] ?? 0)) as Pads;
  const b = ctx.input(2) ? ctx.constant(2, 'the bias') : undefined;
  if (b && (b.type !== 'float' || b.data.length !== filters)) ctx.refuse(`the bias has dims ${formatDims(b.dims)}; expected [${filters}]`);
  const activation = ctx.fusedActivation(ELEMENTWISE_ACTIVATIONS) as 'relu' | undefined;
  const { layer, output } = ctx.layer(() => layers.conv2d({
    filters, kernelSize: kernel, strides, padding: layerPadding(padding, [height, width], kernel, strides), activation, useBias: b !== undefined,
    name: ctx.layerName(),
  }), [x]);
  ctx.setWeights(layer, { kernel: hwioKernel(w.data as Float32Array, w.dims), ...(b ? { bias: Float32Array.from(b.data) } : {}) });
  return output;
}

export const convOperators: Record<string, OpEntry> = {
  Conv: { convert: conv },
};
