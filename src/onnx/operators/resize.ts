// Resize and Upsample of an image to any height and width. Which input pixel (nearest) or pixels
// (linear, cubic) an output reads is set by the node's coordinate_transformation_mode (half_pixel,
// pytorch_half_pixel, align_corners, asymmetric), by the scales (ONNX maps coordinates by 1/scale,
// which differs from the sizes' ratio where in·scale is not whole; given sizes, ONNX Runtime maps by
// out/in in f32, which can differ from in/out at a nearest tie), and nearest_mode. Whole factors that UpSampling2D computes exactly — nearest where every output's
// source pixel, by ONNX's formulas, is floor(out / factor), checked pixel by pixel for the node's
// sizes; linear with half-pixel centres — stay UpSampling2D; every other size and mode is a
// Resizing layer with the node's coordinate mode and scales, cubic with the node's cubic_coeff_a
// and exclude_outside. Its nearest takes the pixel at or before the source coordinate when
// asymmetric (PyTorch's export: nearest_mode floor), else the nearest, halves up
// (round_prefer_ceil): a node whose pixels, so checked, are other than those is refused by name,
// as are tf_crop_and_resize and anti-aliased down-sampling. Nothing is approximated.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { MAX_DIMENSION, type TensorValue, formatDims } from '../values.js';
import { imageInput } from './window.js';

const COORDINATES = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const;
type Coordinates = (typeof COORDINATES)[number];

const f = Math.fround;

/**
 * ONNX's x_original of output `x` along an axis of `size` pixels resized to `out`, by the sizes'
 * ratio or by the node's scale, in f32 as the kernels (and PyTorch, ONNX Runtime) compute it.
 */
function sourceCoordinate(mode: Coordinates, x: number, size: number, out: number, scale: number | undefined): number {
  if (mode === 'align_corners') return out === 1 ? 0 : f(x * (size - 1) / (out - 1));
  if (mode === 'pytorch_half_pixel' && out === 1) return 0;
  if (scale !== undefined) return mode === 'asymmetric' ? f(x / scale) : f(f(f(x + 0.5) / scale) - 0.5);
  const ratio = f(size / out);
  if (mode === 'asymmetric') return f(x * ratio);
  return f(f((x + 0.5) * ratio) - 0.5);
}

const ROUNDING: Record<string, (v: number) => number> = {
  round_prefer_floor: (v) => (v - Math.floor(v) === 0.5 ? Math.floor(v) : Math.round(v)),
  round_prefer_ceil: (v) => Math.round(v),
  floor: Math.floor,
  ceil: Math.ceil,
};

/** One axis of a resize: `size` pixels to `out`, and the node's scale when it maps the coordinates. */
interface Axis {
  size: number;
  out: number;
  scale?: number;
}

/** The input pixel each output reads along an axis, rounded by `round`, within the image. */
function nearestPixels(mode: Coordinates, round: (v: number) => number, { size, out, scale }: Axis): number[] {
  return Array.from({ length: out }, (_, x) => Math.min(size - 1, Math.max(0, round(sourceCoordinate(mode, x, size, out, scale)))));
}

/** Resizing's own nearest rounding for a coordinate mode. */
const layerRounding = (mode: Coordinates) => (mode === 'asymmetric' ? ROUNDING.floor : ROUNDING.round_prefer_ceil);

const samePixels = (a: number[], b: number[]) => a.every((p, i) => p === b[i]);

/**
 * Whether a nearest Resizing without scales (coordinates by in/out, as TensorFlow and PyTorch) picks
 * along an axis the pixels ONNX Runtime picks for the same sizes (by out/in): they part at some ties.
 */
export function sizesKeepNearestPixels(coordinates: string, size: number, out: number): boolean {
  const mode = coordinates as Coordinates, round = layerRounding(mode);
  return out === size || samePixels(nearestPixels(mode, round, { size, out }), nearestPixels(mode, round, { size, out, scale: f(out / size) }));
}

/**
 * The height's and width's axes from scales (or sizes) of [N, C, H, W]; a refusal for any other.
 * ONNX takes floor(in·scale) pixels (an f32 product, as ONNX Runtime) and maps coordinates by the
 * scale, unless it is 1 (the identity); given sizes, by out/in.
 */
function axesOf(ctx: NodeContext, x: TensorValue, scales: number[] | undefined, sizes: number[] | undefined): [Axis, Axis] {
  const [, channels, height, width] = x.dims;
  if (scales && scales.length) {
    if (scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1) ctx.refuse(`scales ${JSON.stringify(scales)}: convas resizes the height and width of an image only`);
    const axes = [[height, scales[2]], [width, scales[3]]].map(([size, scale]): Axis => ({ size, out: Math.floor(f(size * scale)), scale: scale === 1 ? undefined : f(scale) }));
    // Checked before any table of pixels is made: a hostile scale must not make one of billions.
    if (!axes.every((a) => a.out >= 1 && a.out <= MAX_DIMENSION)) {
      ctx.refuse(`scales ${scales.slice(2).join('×')} of ${height}×${width} give ${axes.map((a) => a.out).join('×')} pixels; ` +
        `expected from 1 to ${MAX_DIMENSION} each way`);
    }
    return axes as [Axis, Axis];
  }
  if (sizes && sizes.length) {
    // The batch entry may be unknown (a Shape of the input); the channels must stay.
    if (sizes.length !== 4 || sizes[1] !== channels) {
      ctx.refuse(`sizes ${JSON.stringify(sizes)}: convas resizes the height and width of an image ${formatDims(x.dims)} only`);
    }
    if (!(sizes[2] >= 1 && sizes[2] <= MAX_DIMENSION && sizes[3] >= 1 && sizes[3] <= MAX_DIMENSION)) {
      ctx.refuse(`sizes ${sizes[2]}×${sizes[3]}: expected from 1 to ${MAX_DIMENSION} pixels each way`);
    }
    // ONNX Runtime maps sizes by the scales out/in in f32, as it would scales: nearest ties fall as there.
    return [[height, sizes[2]], [width, sizes[3]]].map(([size, out]): Axis => ({ size, out, scale: out === size ? undefined : f(out / size) })) as [Axis, Axis];
  }
  ctx.refuse('has neither scales nor sizes');
}

/** Cubic's settings: the node's cubic_coeff_a and exclude_outside, exact weights (no table). */
interface CubicSettings {
  cubicCoefficient: number;
  cubicExcludeOutside: boolean;
}

/** The mode is checked before the sizes: a mode convas does not have is the reason to give, at any size. */
function resized(ctx: NodeContext, x: TensorValue, scales: number[] | undefined, sizes: number[] | undefined,
  mode: string, coordinates: string, nearestMode: string, antialias = false, cubic?: CubicSettings): TensorValue {
  const [, , height, width] = x.dims;
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'cubic') ctx.refuse(`mode ${JSON.stringify(mode)} is not supported; convas resizes nearest, linear and cubic`);
  if (!COORDINATES.includes(coordinates as Coordinates)) {
    ctx.refuse(`coordinate_transformation_mode ${coordinates} is not supported; convas resizes with ${COORDINATES.join(', ')}`);
  }
  const mapping = coordinates as Coordinates;
  const round = ROUNDING[nearestMode];
  if (mode === 'nearest' && !round) ctx.refuse(`nearest_mode ${JSON.stringify(nearestMode)} is not one ONNX defines`);
  const axes = axesOf(ctx, x, scales, sizes);
  const [outHeight, outWidth] = axes.map((a) => a.out);
  const byScales = axes.some((a) => a.scale !== undefined);
  if (outHeight === height && outWidth === width) {
    if (!byScales) return x;
    // ONNX's formulas move the pixels; ONNX Runtime copies the input whenever the size stays.
    ctx.refuse(`scales ${scales!.slice(2).join('×')} keep the size ${height}×${width} but move the pixels by ONNX's formulas, ` +
      'while ONNX Runtime copies the input: convas does not guess which is meant');
  }
  if (antialias && (outHeight < height || outWidth < width)) ctx.refuse('antialias 1 when down-sampling is not supported; convas resizes without anti-aliasing');
  const size = axes.map((a) => a.out / a.size) as [number, number];
  // UpSampling2D maps by whole factors: only a scale equal to its factor (or none) maps as it does.
  const wholeFactors = axes.every((a, i) => Number.isInteger(size[i]) && (a.scale === undefined || a.scale === size[i]));
  const repeats = () => axes.every((a) => samePixels(nearestPixels(mapping, round, a), Array.from({ length: a.out }, (_, o) => Math.floor(o * a.size / a.out))));
  const upSampling = wholeFactors && (mode === 'nearest' ? repeats() : mode === 'linear' && (mapping === 'half_pixel' || mapping === 'pytorch_half_pixel'));
  const interpolation = mode === 'nearest' ? 'nearest' : mode === 'linear' ? 'bilinear' : 'bicubic';
  if (upSampling) return ctx.layer(() => layers.upSampling2d({ size, interpolation: interpolation as 'nearest' | 'bilinear', name: ctx.layerName() }), [x]).output;
  const layerPixels = (a: Axis) => samePixels(nearestPixels(mapping, round, a), nearestPixels(mapping, layerRounding(mapping), a));
  if (mode === 'nearest' && !axes.every(layerPixels)) {
    ctx.refuse(`nearest with coordinate_transformation_mode ${coordinates} and nearest_mode ${nearestMode} from ${height}×${width} to ` +
      `${outHeight}×${outWidth} is not supported; convas's nearest Resizing takes floor with asymmetric (PyTorch's) and round_prefer_ceil with the others`);
  }
  // Given sizes, the layer maps by in/out as Keras does (and TF.js can save it), unless a nearest pixel
  // falls otherwise there than by ONNX Runtime's out/in; linear and cubic move by a rounding at most.
  const givenScales = scales !== undefined && scales.length > 0;
  const scalesNeeded = givenScales || (mode === 'nearest' && !axes.every((a) => sizesKeepNearestPixels(mapping, a.size, a.out)));
  const layerScales = byScales && scalesNeeded ? axes.map((a) => a.scale ?? 1) as [number, number] : null;
  return ctx.layer(() => layers.resizing({ height: outHeight, width: outWidth, interpolation, coordinates: mapping, scales: layerScales,
    ...(cubic && { ...cubic, cubicTable: false }), name: ctx.layerName() }), [x]).output;
}

function resize(ctx: NodeContext): TensorValue {
  const x = imageInput(ctx);
  const mode = ctx.string('mode', 'nearest');
  // Opset 10's Resize is Upsample's: asymmetric coordinates, nearest pixels taken with floor.
  const coordinates = ctx.opset >= 11 ? ctx.string('coordinate_transformation_mode', 'half_pixel') : 'asymmetric';
  const nearestMode = ctx.opset >= 11 ? ctx.string('nearest_mode', 'round_prefer_floor') : 'floor';
  // ONNX's cubic defaults (PyTorch's bicubic too): a = −0.75, pixels beyond the edge read the edge pixel.
  const cubic = { cubicCoefficient: ctx.float('cubic_coeff_a', -0.75), cubicExcludeOutside: ctx.int('exclude_outside', 0) !== 0 };
  if (cubic.cubicExcludeOutside && mode !== 'cubic') ctx.refuse('exclude_outside 1 is defined for cubic only');
  // The setting of tf_crop_and_resize, which convas refuses: it changes nothing here.
  ctx.ignore('extrapolation_value');
  // Anti-aliasing (opset 18) changes only down-sampling.
  const antialias = ctx.int('antialias', 0) !== 0;
  if (ctx.has('axes')) ctx.refuse('axes is not supported; give scales or sizes for all four axes');
  if (ctx.string('keep_aspect_ratio_policy', 'stretch') !== 'stretch') ctx.refuse('keep_aspect_ratio_policy other than stretch is not supported');
  const scales = ctx.opset >= 11 ? (ctx.input(2) ? ctx.list(2, 'scales') : undefined) : ctx.list(1, 'scales');
  const sizes = ctx.opset >= 11 && ctx.input(3) ? ctx.ints(3, 'sizes') : undefined;
  return resized(ctx, x, scales, sizes, mode, coordinates, nearestMode, antialias, mode === 'cubic' ? cubic : undefined);
}

/** Upsample (deprecated at opset 10): Resize with asymmetric coordinates, nearest pixels taken with floor. */
function upsample(ctx: NodeContext): TensorValue {
  const x = imageInput(ctx);
  const mode = ctx.string('mode', 'nearest');
  if (mode === 'cubic') ctx.refuse('mode "cubic" is not one Upsample defines (nearest, linear); Resize has it');
  const scales = ctx.has('scales') ? ctx.floatList('scales', []) : ctx.list(1, 'scales');
  return resized(ctx, x, scales, undefined, mode, 'asymmetric', 'floor');
}

export const resizeOperators: Record<string, OpEntry> = {
  Resize: { convert: resize },
  Upsample: { convert: upsample },
};
