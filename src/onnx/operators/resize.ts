// Resize and Upsample of an image by whole factors → UpSampling2D, where its result is ONNX's
// exactly. Which input pixel (nearest) or pixels (linear) an output reads is set by the node's
// coordinate_transformation_mode and nearest_mode: nearest is UpSampling2D's repetition when every
// output's source pixel, by ONNX's formulas, is floor(out / factor) — checked pixel by pixel for the
// node's sizes, so every mode that comes to that is read; linear is UpSampling2D's bilinear with
// half-pixel centres (half_pixel, and pytorch_half_pixel whose outputs are more than one). Other
// modes (align_corners, asymmetric linear, cubic) and sizes that are no whole multiple are refused by
// name: convas has no layer that resizes so.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { type TensorValue, formatDims } from '../values.js';
import { imageInput } from './window.js';

/** The input coordinate of output `x` along an axis of `size` pixels scaled by `scale` to `out` (ONNX's Resize). */
function sourceCoordinate(mode: string, x: number, scale: number, size: number, out: number): number {
  switch (mode) {
    case 'half_pixel': return (x + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel': return out > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return out === 1 ? 0 : (x * (size - 1)) / (out - 1);
    case 'asymmetric': return x / scale;
    default: return Number.NaN;
  }
}

const ROUNDING: Record<string, (v: number) => number> = {
  round_prefer_floor: (v) => (v - Math.floor(v) === 0.5 ? Math.floor(v) : Math.round(v)),
  round_prefer_ceil: (v) => Math.round(v),
  floor: Math.floor,
  ceil: Math.ceil,
};

/** Whether nearest resizing by the whole `factor` reads, for every output, pixel floor(out / factor): UpSampling2D's repetition. */
function repeatsPixels(mode: string, round: (v: number) => number, factor: number, size: number): boolean {
  for (let x = 0; x < size * factor; x++) {
    const source = Math.min(size - 1, Math.max(0, round(sourceCoordinate(mode, x, factor, size, size * factor))));
    if (source !== Math.floor(x / factor)) return false;
  }
  return true;
}

/** The whole factors [rows, columns] from scales (or sizes) of [N, C, H, W]; a refusal for any other. */
function factors(ctx: NodeContext, x: TensorValue, scales: number[] | undefined, sizes: number[] | undefined): [number, number] {
  const [, channels, height, width] = x.dims;
  let hw: number[];
  if (scales && scales.length) {
    if (scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1) ctx.refuse(`scales ${JSON.stringify(scales)}: convas resizes the height and width of an image only`);
    hw = scales.slice(2);
  } else if (sizes && sizes.length) {
    // The batch entry may be unknown (a Shape of the input); the channels must stay.
    if (sizes.length !== 4 || sizes[1] !== channels) ctx.refuse(`sizes ${JSON.stringify(sizes)}: convas resizes the height and width of an image ${formatDims(x.dims)} only`);
    hw = [sizes[2] / height, sizes[3] / width];
  } else {
    ctx.refuse('has neither scales nor sizes');
  }
  if (!hw.every((f) => Number.isInteger(f) && f >= 1)) {
    ctx.refuse(`resizes ${height}×${width} by ${hw.join('×')}; convas up-samples by whole factors only (UpSampling2D)`);
  }
  return hw as [number, number];
}

/** The mode is checked before the sizes: a mode convas does not have is the reason to give, at any size. */
function upSampling(ctx: NodeContext, x: TensorValue, scales: number[] | undefined, sizes: number[] | undefined,
  mode: string, coordinates: string, nearestMode: string): TensorValue {
  const [, , height, width] = x.dims;
  if (mode !== 'nearest' && mode !== 'linear') ctx.refuse(`mode ${JSON.stringify(mode)} is not supported; convas up-samples nearest and linear`);
  if (mode === 'linear' && coordinates !== 'half_pixel' && coordinates !== 'pytorch_half_pixel') {
    ctx.refuse(`linear with coordinate_transformation_mode ${coordinates} is not supported; convas's bilinear UpSampling2D has half-pixel centres ` +
      '(half_pixel, pytorch_half_pixel)');
  }
  const size = factors(ctx, x, scales, sizes);
  if (mode === 'nearest') {
    const round = ROUNDING[nearestMode];
    if (!round) ctx.refuse(`nearest_mode ${JSON.stringify(nearestMode)} is not one ONNX defines`);
    if (!repeatsPixels(coordinates, round, size[0], height) || !repeatsPixels(coordinates, round, size[1], width)) {
      ctx.refuse(`nearest with coordinate_transformation_mode ${coordinates} and nearest_mode ${nearestMode} by ${size.join('×')} does not repeat each pixel; ` +
        'convas\'s UpSampling2D does');
    }
  }
  if (size[0] === 1 && size[1] === 1) return x;
  const interpolation = mode === 'nearest' ? 'nearest' : 'bilinear';
  return ctx.layer(() => layers.upSampling2d({ size, interpolation, name: ctx.layerName() }), [x]).output;
}

function resize(ctx: NodeContext): TensorValue {
  const x = imageInput(ctx);
  const mode = ctx.string('mode', 'nearest');
  // Opset 10's Resize is Upsample's: asymmetric coordinates, nearest pixels taken with floor.
  const coordinates = ctx.opset >= 11 ? ctx.string('coordinate_transformation_mode', 'half_pixel') : 'asymmetric';
  const nearestMode = ctx.opset >= 11 ? ctx.string('nearest_mode', 'round_prefer_floor') : 'floor';
  // Settings of modes convas does not take (cubic, tf_crop_and_resize) or of down-sampling (antialias): they change nothing here.
  ctx.ignore('cubic_coeff_a', 'exclude_outside', 'extrapolation_value', 'antialias');
  if (ctx.has('axes')) ctx.refuse('axes is not supported; give scales or sizes for all four axes');
  if (ctx.string('keep_aspect_ratio_policy', 'stretch') !== 'stretch') ctx.refuse('keep_aspect_ratio_policy other than stretch is not supported');
  const scales = ctx.opset >= 11 ? (ctx.input(2) ? [...ctx.constant(2, 'scales').data] : undefined) : [...ctx.constant(1, 'scales').data];
  const sizes = ctx.opset >= 11 && ctx.input(3) ? ctx.ints(3, 'sizes') : undefined;
  return upSampling(ctx, x, scales, sizes, mode, coordinates, nearestMode);
}

/** Upsample (deprecated at opset 10): Resize with asymmetric coordinates, nearest pixels taken with floor. */
function upsample(ctx: NodeContext): TensorValue {
  const x = imageInput(ctx);
  const mode = ctx.string('mode', 'nearest');
  const scales = ctx.has('scales') ? ctx.floatList('scales', []) : [...ctx.constant(1, 'scales').data];
  return upSampling(ctx, x, scales, undefined, mode, 'asymmetric', 'floor');
}

export const resizeOperators: Record<string, OpEntry> = {
  Resize: { convert: resize },
  Upsample: { convert: upsample },
};
