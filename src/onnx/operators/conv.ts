// Conv → conv2d (with its groups), or depthwiseConv2d when each group is one input channel (group =
// channels; out = k·channels is depthMultiplier k). The weights move from ONNX's [out, in/group, kh,
// kw] to convas's [kh, kw, in/group, out] ([kh, kw, in, k] depthwise); an activation read only by the
// convolution is applied on its way out, and zeros a Pad node put around its input join its padding.
//
// ConvTranspose → conv2dTranspose ([in, out/group, kh, kw] as [kh, kw, out, in]). It has no
// groups: a grouped one's kernel is block-diagonal, each output reading its own group's channels
// and zeros elsewhere, which add nothing (exact, g times the multiplications; trained, the zeros
// move). Both crop `pads` off the full output (in − 1)·stride + kernel; ONNX's
// output_padding then adds rows at the end, which is cropping that many fewer there — expressible
// while the end's pads are at least output_padding (rows past the full output would be the bias
// alone, which no convas layer computes).
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { type LayerWeight, sameOrder, transposed } from '../layer-weight.js';
import { copyStrided } from '../strided-copy.js';
import { formatDims } from '../values.js';
import { type Pads, imageInput, layerPadding, pairAttribute, windowPadding } from './window.js';

/**
 * A grouped ONNX kernel [group·c, r, kh, kw] as convas's [kh, kw, group·r, group·c], zeros where a
 * group's c columns do not read another group's r rows: each group a block [taps, r, c]. With group
 * 1, a Conv's [out, in/group, kh, kw] becomes Conv2D's [kh, kw, in/group, out] (its groups the
 * layer's own); a ConvTranspose's [in, out/group, kh, kw], [kh, kw, out, in], block-diagonal.
 */
function groupedKernel(w: Float32Array, [columns, r, kh, kw]: number[], group: number): LayerWeight {
  const taps = kh * kw, rows = r * group, c = columns / group;
  return {
    source: w, size: taps * rows * columns,
    write(into) {
      if (group > 1) into.fill(0);
      for (let g = 0; g < group; g++) {
        copyStrided([taps, r, c],
          { values: w, start: g * c * r * taps, strides: [1, taps, r * taps] },
          { values: into, start: g * r * columns + g * c, strides: [rows * columns, columns, 1] });
      }
    },
  };
}

function conv(ctx: NodeContext) {
  const x = imageInput(ctx, true);
  const w = ctx.constant(1, 'the weight');
  const [, channels, height, width] = x.dims;
  if (w.type !== 'float' || w.dims.length !== 4) ctx.refuse(`the weight has dims ${formatDims(w.dims)}; expected [out, in, height, width]`);
  const [filters, perGroup, kh, kw] = w.dims;
  const group = ctx.int('group', 1);
  if (!Number.isInteger(group) || group < 1 || channels % group !== 0 || filters % group !== 0) {
    ctx.refuse(`group=${group} must divide both the ${channels} input channels and the ${filters} outputs`);
  }
  if (perGroup * group !== channels) ctx.refuse(`the weight takes ${perGroup} input channels per group (group=${group}), but the input has ${channels}`);
  const kernel = pairAttribute(ctx, 'kernel_shape', [kh, kw]);
  if (kernel[0] !== kh || kernel[1] !== kw) ctx.refuse(`kernel_shape ${JSON.stringify(kernel)} disagrees with the weight's ${kh}×${kw}`);
  const strides = pairAttribute(ctx, 'strides', [1, 1]);
  const dilations = pairAttribute(ctx, 'dilations', [1, 1]);
  if (dilations.some((d) => d > 1) && strides.some((s) => s > 1)) {
    ctx.refuse(`dilations ${JSON.stringify(dilations)} with strides ${JSON.stringify(strides)}: convas (as Keras) dilates only with stride 1`);
  }
  const own = windowPadding(ctx, [height, width], kernel, strides, dilations);
  const padding = layerPadding(own.map((p, i) => p + (x.pad?.[i] ?? 0)) as Pads, [height, width], kernel, strides, dilations);
  const b = ctx.input(2) ? ctx.constant(2, 'the bias') : undefined;
  if (b && (b.type !== 'float' || b.data.length !== filters)) ctx.refuse(`the bias has dims ${formatDims(b.dims)}; expected [${filters}]`);
  const activation = ctx.fusedActivation([x.dims[0], filters, Number.NaN, Number.NaN]);
  const bias: Record<string, LayerWeight> = b ? { bias: sameOrder(b.data as Float32Array) } : {};
  const common = { kernelSize: kernel, strides, padding, dilationRate: dilations, activation, useBias: b !== undefined, name: ctx.layerName() };
  if (group === channels && group > 1) {
    const { layer, output } = ctx.layer(() => layers.depthwiseConv2d({ ...common, depthMultiplier: filters / channels }), [x]);
    // ONNX's [channels·k, 1, kh, kw] is convas's [kh, kw, channels, k] transposed: output c·k + m is channel c's filter m in both.
    ctx.setWeights(layer, { depthwise_kernel: transposed(w.data as Float32Array, filters, kh * kw), ...bias });
    return output;
  }
  const { layer, output } = ctx.layer(() => layers.conv2d({ ...common, filters, groups: group }), [x]);
  // [out, in/group, kh, kw] as [kh, kw, in/group, out]: as one group's.
  ctx.setWeights(layer, { kernel: groupedKernel(w.data as Float32Array, w.dims, 1), ...bias });
  return output;
}

function convTranspose(ctx: NodeContext) {
  const x = imageInput(ctx);
  const w = ctx.constant(1, 'the weight');
  const channels = x.dims[1];
  if (w.type !== 'float' || w.dims.length !== 4) ctx.refuse(`the weight has dims ${formatDims(w.dims)}; expected [in, out / group, height, width]`);
  const [inChannels, outPerGroup, kh, kw] = w.dims;
  const group = ctx.int('group', 1);
  if (!Number.isInteger(group) || group < 1 || channels % group !== 0) ctx.refuse(`group=${group} must divide the ${channels} input channels`);
  if (inChannels !== channels) ctx.refuse(`the weight takes ${inChannels} input channels, but the input has ${channels}`);
  const filters = outPerGroup * group;
  const kernel = pairAttribute(ctx, 'kernel_shape', [kh, kw]);
  if (kernel[0] !== kh || kernel[1] !== kw) ctx.refuse(`kernel_shape ${JSON.stringify(kernel)} disagrees with the weight's ${kh}×${kw}`);
  const strides = pairAttribute(ctx, 'strides', [1, 1]);
  const dilations = pairAttribute(ctx, 'dilations', [1, 1]);
  if (dilations.some((d) => d !== 1)) ctx.refuse(`dilations ${JSON.stringify(dilations)}: convas's Conv2DTranspose does not dilate`);
  if (ctx.has('output_shape')) ctx.refuse('output_shape is not supported; give pads and output_padding instead (as PyTorch exports)');
  const autoPad = ctx.string('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') ctx.refuse(`auto_pad ${JSON.stringify(autoPad)} is not supported; give pads instead (as PyTorch exports)`);
  const pads = autoPad === 'VALID' ? [0, 0, 0, 0] : ctx.intList('pads', [0, 0, 0, 0]);
  if (pads.length !== 4 || !pads.every((p) => Number.isInteger(p) && p >= 0)) ctx.refuse(`pads ${JSON.stringify(pads)}: expected four non-negative integers [top, left, bottom, right]`);
  const extra = ctx.intList('output_padding', [0, 0]);
  if (extra.length !== 2 || !extra.every((p, i) => Number.isInteger(p) && p >= 0 && p <= pads[i + 2])) {
    ctx.refuse(`output_padding ${JSON.stringify(extra)} with pads ${JSON.stringify(pads)}: convas adds rows at the end only where pads crop at least as many there`);
  }
  const padding: Pads = [pads[0], pads[2] - extra[0], pads[1], pads[3] - extra[1]];
  const b = ctx.input(2) ? ctx.constant(2, 'the bias') : undefined;
  if (b && (b.type !== 'float' || b.data.length !== filters)) ctx.refuse(`the bias has dims ${formatDims(b.dims)}; expected [${filters}]`);
  const activation = ctx.fusedActivation([x.dims[0], filters, Number.NaN, Number.NaN]);
  const { layer, output } = ctx.layer(() => layers.conv2dTranspose({
    filters, kernelSize: kernel, strides, padding: padding.every((p) => p === 0) ? 'valid' : padding, activation, useBias: b !== undefined, name: ctx.layerName(),
  }), [x]);
  ctx.setWeights(layer, { kernel: groupedKernel(w.data as Float32Array, w.dims, group), ...(b ? { bias: sameOrder(b.data as Float32Array) } : {}) });
  return output;
}

export const convOperators: Record<string, OpEntry> = {
  Conv: { convert: conv },
  ConvTranspose: { convert: convTranspose },
};
