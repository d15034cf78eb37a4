// Resize and Upsample of an image to any height and width. Which input pixel (nearest) or pixels
// (linear) an output reads is set by the node's coordinate_transformation_mode (half_pixel,
// pytorch_half_pixel, align_corners, asymmetric) and nearest_mode. Whole factors that UpSampling2D
// computes exactly — nearest where every output's source pixel, by ONNX's formulas, is
// floor(out / factor), checked pixel by pixel for the node's sizes; linear with half-pixel centres —
// stay UpSampling2D; every other size and mode is a Resizing layer with the node's coordinate mode.
// Its nearest takes the pixel at or before the source coordinate when asymmetric (PyTorch's export:
// nearest_mode floor), else the nearest, halves up (round_prefer_ceil): a node whose pixels, so
// checked, are other than those is refused by name, as are cubic, tf_crop_and_resize and scales
// that give no whole number of pixels. Nothing is approximated.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { type TensorValue, formatDims } from '../values.js';
import { imageInput } from './window.js';

const COORDINATES = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const;
type Coordinates = (typeof COORDINATES)[number];

const f = Math.fround;

/** ONNX's x_original of output `x` along an axis of `size` pixels resized to `out`, in f32 as the kernels (and PyTorch) compute it. */
function sourceCoordinate(mode: Coordinates, x: number, size: number, out: number): number {
  if (mode === 'align_corners') return out === 1 ? 0 : f(x * f(f(size - 1) / f(out - 1)));
  const scale = f(size / out);
  if (mode === 'asymmetric') return f(x * scale);
  if (mode === 'pytorch_half_pixel' && out === 1) return 0;
  return f(f((x + 0.5) * scale) - 0.5);
}

const ROUNDING: Record<string, (v: number) => number> = {
  round_prefer_floor: (v) => (v - Math.floor(v) === 0.5 ? Math.floor(v) : Math.round(v)),
  round_prefer_ceil: (v) => Math.round(v),
  floor: Math.floor,
  ceil: Math.ceil,
};

/** The input pixel each of `out` outputs reads along an axis of `size` pixels, rounded by `round`, within the image. */
function nearestPixels(mode: Coordinates, round: (v: number) => number, size: number, out: number): number[] {
  return Array.from({ length: out }, (_, x) => Math.min(size - 1, Math.max(0, round(sourceCoordinate(mode, x, size, out)))));
}

/** Resizing's own nearest rounding for a coordinate mode. */
const layerRounding = (mode: Coordinates) => (mode === 'asymmetric' ? ROUNDING.floor : ROUNDING.round_prefer_ceil);

const samePixels = (a: number[], b: number[]) => a.every((p, i) => p === b[i]);

/** The output [height, width] from scales (or sizes) of [N, C, H, W]; a refusal for any other. */
function outputSize(ctx: NodeContext, x: TensorValue, scales: number[] | undefined, sizes: number[] | undefined): [number, number] {
  const [, channels, height, width] = x.dims;
  if (scales && scales.length) {
    if (scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1) ctx.refuse(`scales ${JSON.stringify(scales)}: convas resizes the height and width of an image only`);
    const exact = [height * scales[2], width * scales[3]];
    // ONNX takes floor(in·scale) pixels (an f32 product, as ONNX Runtime) but maps coordinates by the
    // scale itself: the same, to f32's precision, only when in·scale is whole.
    const out = exact.map((n) => Math.floor(Math.fround(n)));
    if (!out.every((n, i) => n >= 1 && Math.abs(exact[i] - n) <= 1e-6 * n)) {
      ctx.refuse(`scales ${scales.slice(2).join('×')} of ${height}×${width} give ${exact.join('×')} pixels; convas resizes to whole sizes, ` +
        'with coordinates from their ratio to the input (give sizes)');
    }
    return out as [number, number];
  }
  if (sizes && sizes.length) {
    // The batch entry may be unknown (a Shape of the input); the channels must stay.
    if (sizes.length !== 4 || sizes[1] !== channels || !(sizes[2] >= 1 && sizes[3] >= 1)) {
      ctx.refuse(`sizes ${JSON.stringify(sizes)}: convas resizes the height and width of an image ${formatDims(x.dims)} only`);
    }
    return [sizes[2], sizes[3]];
  }
  ctx.refuse('has neither scales nor sizes');
}

/** The mode is checked before the sizes: a mode convas does not have is the reason to give, at any size. */
function resized(ctx: NodeContext, x: TensorValue, scales: number[] | undefined, sizes: number[] | undefined,
  mode: string, coordinates: string, nearestMode: string, antialias = false): TensorValue {
  const [, , height, width] = x.dims;
  if (mode !== 'nearest' && mode !== 'linear') ctx.refuse(`mode ${JSON.stringify(mode)} is not supported; convas resizes nearest and linear`);
  if (!COORDINATES.includes(coordinates as Coordinates)) {
    ctx.refuse(`coordinate_transformation_mode ${coordinates} is not supported; convas resizes with ${COORDINATES.join(', ')}`);
  }
  const mapping = coordinates as Coordinates;
  const round = ROUNDING[nearestMode];
  if (mode === 'nearest' && !round) ctx.refuse(`nearest_mode ${JSON.stringify(nearestMode)} is not one ONNX defines`);
  const [outHeight, outWidth] = outputSize(ctx, x, scales, sizes);
  if (outHeight === height && outWidth === width) return x;
  const axes: Array<[number, number]> = [[height, outHeight], [width, outWidth]];
  const size = axes.map(([n, out]) => out / n) as [number, number];
  if (antialias && (outHeight < height || outWidth < width)) ctx.refuse('antialias 1 when down-sampling is not supported; convas resizes without anti-aliasing');
  const repeats = () => axes.every(([n, out]) => samePixels(nearestPixels(mapping, round, n, out), Array.from({ length: out }, (_, o) => Math.floor(o * n / out))));
  const upSampling = size.every(Number.isInteger) &&
    (mode === 'nearest' ? repeats() : mapping === 'half_pixel' || mapping === 'pytorch_half_pixel');
  const interpolation = mode === 'nearest' ? 'nearest' : 'bilinear';
  if (upSampling) return ctx.layer(() => layers.upSampling2d({ size, interpolation, name: ctx.layerName() }), [x]).output;
  const layerPixels = ([n, out]: [number, number]) => samePixels(nearestPixels(mapping, round, n, out), nearestPixels(mapping, layerRounding(mapping), n, out));
  if (mode === 'nearest' && !axes.every(layerPixels)) {
    ctx.refuse(`nearest with coordinate_transformation_mode ${coordinates} and nearest_mode ${nearestMode} from ${height}×${width} to ` +
      `${outHeight}×${outWidth} is not supported; convas's nearest Resizing takes floor with asymmetric (PyTorch's) and round_prefer_ceil with the others`);
  }
  return ctx.layer(() => layers.resizing({ height: outHeight, width: outWidth, interpolation, coordinates: mapping, name: ctx.layerName() }), [x]).output;
}

function resize(ctx: NodeContext): TensorValue {
  const x = imageInput(ctx);
  const mode = ctx.string('mode', 'nearest');
  // Opset 10's Resize is Upsample's: asymmetric coordinates, nearest pixels taken with floor.
  const coordinates = ctx.opset >= 11 ? ctx.string('coordinate_transformation_mode', 'half_pixel') : 'asymmetric';
  const nearestMode = ctx.opset >= 11 ? ctx.string('nearest_mode', 'round_prefer_floor') : 'floor';
  // Settings of modes convas does not take (cubic, tf_crop_and_resize): they change nothing here.
  ctx.ignore('cubic_coeff_a', 'exclude_outside', 'extrapolation_value');
  // Anti-aliasing (opset 18) changes only down-sampling.
  const antialias = ctx.int('antialias', 0) !== 0;
  if (ctx.has('axes')) ctx.refuse('axes is not supported; give scales or sizes for all four axes');
  if (ctx.string('keep_aspect_ratio_policy', 'stretch') !== 'stretch') ctx.refuse('keep_aspect_ratio_policy other than stretch is not supported');
  const scales = ctx.opset >= 11 ? (ctx.input(2) ? [...ctx.constant(2, 'scales').data] : undefined) : [...ctx.constant(1, 'scales').data];
  const sizes = ctx.opset >= 11 && ctx.input(3) ? ctx.ints(3, 'sizes') : undefined;
  return resized(ctx, x, scales, sizes, mode, coordinates, nearestMode, antialias);
}

/** Upsample (deprecated at opset 10): Resize with asymmetric coordinates, nearest pixels taken with floor. */
function upsample(ctx: NodeContext): TensorValue {
  const x = imageInput(ctx);
  const mode = ctx.string('mode', 'nearest');
  const scales = ctx.has('scales') ? ctx.floatList('scales', []) : [...ctx.constant(1, 'scales').data];
  return resized(ctx, x, scales, undefined, mode, 'asymmetric', 'floor');
}

export const resizeOperators: Record<string, OpEntry> = {
  Resize: { convert: resize },
  Upsample: { convert: upsample },
};
