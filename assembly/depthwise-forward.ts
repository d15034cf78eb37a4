// Depthwise convolution's forward pass (depthwise-conv2d.ts has the contract), also its backward input
// at stride 1 (the pass over dy with the turned filter). Border columns and rows take the taps inside
// the image (convolvePosition); MobileNet's 3×3 windows take the rest on paths of their own: blocks
// of eight outputs sliding along a row (rows3x3), or pairs of outputs (pair3x3) where a block would
// not stay in the cache.
import { fusedActivation, fusedActivation4 } from './fused-activation';
import { multiplyAdd } from './multiply-add';
import { BLOCK, bytes, endInside, firstInside, repeatedLanes } from './depthwise-window';

/** The sum plus bias (a zero vector when there is none), through the fused activation. */
// @ts-ignore: decorator
@inline function finish4(sum: v128, bias: v128, activation: i32): v128 {
  return fusedActivation4(f32x4.add(sum, bias), activation);
}

// @ts-ignore: decorator
@inline function biasLanes(bias: usize, o: i32): v128 {
  return bias ? v128.load(bias + (<usize>o << 2)) : f32x4.splat(0);
}

// @ts-ignore: decorator
@inline function biasLane(bias: usize, o: i32): f32 {
  return bias ? load<f32>(bias + (<usize>o << 2)) : 0;
}

/** The forward pass (also backward input's, on dy with the turned filter): the pads may be negative. */
export function convolve(
  x: usize, filter: usize, bias: usize, y: usize, activation: i32,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32, dm: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
  dilationHeight: i32, dilationWidth: i32,
): void {
  const outChannels = channels * dm;
  const pixelBytes = <usize>channels << 2, rowBytes = <usize>inWidth * pixelBytes;
  const outPixelBytes = <usize>outChannels << 2;
  const tapRowBytes = <usize>dilationHeight * rowBytes, tapColumnBytes = <usize>dilationWidth * pixelBytes;
  const columnBytes = <usize>strideWidth * pixelBytes;
  // Output columns [inner0, inner1) have every tap inside the image's width.
  const inner0 = min(firstInside(-padLeft, strideWidth), outWidth);
  const inner1 = max(inner0, min(outWidth, endInside((kernelWidth - 1) * dilationWidth - padLeft, strideWidth, inWidth)));
  const plain3x3 = dm == 1 && kernelHeight == 3 && kernelWidth == 3 && dilationHeight == 1 && dilationWidth == 1;
  const blocks = plain3x3 && strideWidth == 1 && inner1 - inner0 >= BLOCK && blockFitsCache(pixelBytes);
  for (let n = 0; n < batch; n++) {
    const image = x + <usize>n * inHeight * rowBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const iy0 = oy * strideHeight - padTop;
      const ky0 = firstInside(iy0, dilationHeight), ky1 = min(kernelHeight, endInside(iy0, dilationHeight, inHeight));
      const yRow = y + (<usize>(n * outHeight + oy) * outWidth) * outPixelBytes;
      // Where tap (0, 0) of output column 0 would be, inside the image or not: only taps inside are read.
      const origin = image + bytes(iy0 * inWidth - padLeft, pixelBytes);
      for (let ox = 0; ox < outWidth; ox++) {
        if (ox == inner0 && inner1 > inner0) {
          // The inner columns, all of whose taps in rows ky0 … ky1 − 1 are inside.
          const at = origin + <usize>inner0 * columnBytes;
          if (blocks) {
            rows3x3(at, rowBytes, filter, bias, yRow + <usize>inner0 * outPixelBytes, channels, inner1 - inner0, ky0, ky1, activation);
          } else if (plain3x3 && ky0 == 0 && ky1 == 3) {
            let i = 0;
            for (; i + 2 <= inner1 - inner0; i += 2) {
              pair3x3(at + <usize>i * columnBytes, columnBytes, rowBytes, filter, bias, yRow + <usize>(inner0 + i) * outPixelBytes, channels, activation);
            }
            if (i < inner1 - inner0) {
              position3x3(at + <usize>i * columnBytes, rowBytes, filter, bias, yRow + <usize>(inner0 + i) * outPixelBytes, channels, activation);
            }
          } else {
            for (let i = 0; i < inner1 - inner0; i++) {
              convolvePosition(at + <usize>i * columnBytes, tapRowBytes, tapColumnBytes, filter, bias,
                yRow + <usize>(inner0 + i) * outPixelBytes, outChannels, dm, kernelWidth, ky0, ky1, 0, kernelWidth, activation);
            }
          }
          ox = inner1 - 1;
          continue;
        }
        const ix0 = ox * strideWidth - padLeft;
        convolvePosition(origin + <usize>ox * columnBytes, tapRowBytes, tapColumnBytes, filter, bias, yRow + <usize>ox * outPixelBytes,
          outChannels, dm, kernelWidth, ky0, ky1, firstInside(ix0, dilationWidth), min(kernelWidth, endInside(ix0, dilationWidth, inWidth)), activation);
      }
    }
  }
}

/** Cache sets of 64-byte lines in a level-1 data cache (32 to 48 KB, 8 to 12 ways) of today's x86 and ARM cores. */
const CACHE_SETS = 64;
/** Lines of one set a block may keep, of the 8 ways or more: the rest for the filter and the output. */
const WAYS_FOR_INPUT = 6;

/**
 * Whether the input vectors one step of rows3x3 reads (three rows of ten pixels) stay in the cache
 * until the next steps read the rest of their lines. Pixels a multiple of 1 KB apart map to few sets
 * (512 channels: 2 of 64), and a block's lines would evict each other; pairs of outputs (fifteen
 * pixels, each read through whole lines) are then faster.
 */
function blockFitsCache(pixelBytes: usize): bool {
  let lines = <i32>(pixelBytes >> 6), sets = CACHE_SETS;
  // The sets that pixels `lines` lines apart visit: CACHE_SETS / gcd(lines, CACHE_SETS); all when they straddle lines.
  while ((pixelBytes & 63) == 0 && (lines & 1) == 0 && sets > 1) {
    lines >>= 1;
    sets >>= 1;
  }
  return 3 * (BLOCK + 2) <= sets * WAYS_FOR_INPUT;
}

/**
 * The output channels from `first` on of one position, from the taps ky ∈ [ky0, ky1), kx ∈ [kx0, kx1),
 * all inside the image; tap (ky, kx) of the input is at origin + ky·tapRowBytes + kx·tapColumnBytes.
 */
function convolvePosition(
  origin: usize, tapRowBytes: usize, tapColumnBytes: usize, filter: usize, bias: usize, out: usize,
  outChannels: i32, dm: i32, kernelWidth: i32, ky0: i32, ky1: i32, kx0: i32, kx1: i32, activation: i32, first: i32 = 0,
): void {
  const tapBytes = <usize>outChannels << 2;
  let o = first;
  // Sixteen channels at a time where inputs are plain vectors: the tap loops cost little per vector.
  for (; dm == 1 && o + 16 <= outChannels; o += 16) {
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    for (let ky = ky0; ky < ky1; ky++) {
      const inputRow = origin + <usize>ky * tapRowBytes + (<usize>o << 2);
      const filterRow = filter + <usize>(ky * kernelWidth) * tapBytes + (<usize>o << 2);
      for (let kx = kx0; kx < kx1; kx++) {
        const i = inputRow + <usize>kx * tapColumnBytes, f = filterRow + <usize>kx * tapBytes;
        s0 = multiplyAdd(v128.load(i), v128.load(f), s0);
        s1 = multiplyAdd(v128.load(i, 16), v128.load(f, 16), s1);
        s2 = multiplyAdd(v128.load(i, 32), v128.load(f, 32), s2);
        s3 = multiplyAdd(v128.load(i, 48), v128.load(f, 48), s3);
      }
    }
    const at = out + (<usize>o << 2);
    v128.store(at, finish4(s0, biasLanes(bias, o), activation));
    v128.store(at, finish4(s1, biasLanes(bias, o + 4), activation), 16);
    v128.store(at, finish4(s2, biasLanes(bias, o + 8), activation), 32);
    v128.store(at, finish4(s3, biasLanes(bias, o + 12), activation), 48);
  }
  for (; o + 4 <= outChannels; o += 4) {
    let sum = f32x4.splat(0);
    for (let ky = ky0; ky < ky1; ky++) {
      const inputRow = origin + <usize>ky * tapRowBytes;
      const filterRow = filter + <usize>(ky * kernelWidth) * tapBytes + (<usize>o << 2);
      for (let kx = kx0; kx < kx1; kx++) {
        sum = multiplyAdd(repeatedLanes(inputRow + <usize>kx * tapColumnBytes, o, dm), v128.load(filterRow + <usize>kx * tapBytes), sum);
      }
    }
    v128.store(out + (<usize>o << 2), finish4(sum, biasLanes(bias, o), activation));
  }
  for (; o < outChannels; o++) {
    let sum: f32 = 0;
    const lane = <usize>(o / dm) << 2;
    for (let ky = ky0; ky < ky1; ky++) {
      const inputRow = origin + <usize>ky * tapRowBytes + lane;
      const filterRow = filter + <usize>(ky * kernelWidth) * tapBytes + (<usize>o << 2);
      for (let kx = kx0; kx < kx1; kx++) sum += load<f32>(inputRow + <usize>kx * tapColumnBytes) * load<f32>(filterRow + <usize>kx * tapBytes);
    }
    store<f32>(out + (<usize>o << 2), fusedActivation(sum + biasLane(bias, o), activation));
  }
}

/** One output of a 3×3 window wholly inside the image (depthMultiplier 1, no dilation), sixteen channels a step. */
function position3x3(at: usize, rowBytes: usize, filter: usize, bias: usize, out: usize, channels: i32, activation: i32): void {
  const pixel = <usize>channels << 2;
  let c = 0;
  for (; c + 16 <= channels; c += 16) {
    const lanes = <usize>c << 2;
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    for (let t = 0; t < 9; t++) {
      const r = t / 3;
      const i = at + <usize>r * rowBytes + <usize>(t - 3 * r) * pixel + lanes, f = filter + <usize>t * pixel + lanes;
      s0 = multiplyAdd(v128.load(i), v128.load(f), s0);
      s1 = multiplyAdd(v128.load(i, 16), v128.load(f, 16), s1);
      s2 = multiplyAdd(v128.load(i, 32), v128.load(f, 32), s2);
      s3 = multiplyAdd(v128.load(i, 48), v128.load(f, 48), s3);
    }
    v128.store(out + lanes, finish4(s0, biasLanes(bias, c), activation));
    v128.store(out + lanes, finish4(s1, biasLanes(bias, c + 4), activation), 16);
    v128.store(out + lanes, finish4(s2, biasLanes(bias, c + 8), activation), 32);
    v128.store(out + lanes, finish4(s3, biasLanes(bias, c + 12), activation), 48);
  }
  if (c < channels) convolvePosition(at, rowBytes, pixel, filter, bias, out, channels, 1, 3, 0, 3, 0, 3, activation, c);
}

/** Two outputs `step` bytes apart in the input, as position3x3 does one: eight sums in flight, twice the lines. */
function pair3x3(at: usize, step: usize, rowBytes: usize, filter: usize, bias: usize, out: usize, channels: i32, activation: i32): void {
  const pixel = <usize>channels << 2;
  let c = 0;
  for (; c + 16 <= channels; c += 16) {
    const lanes = <usize>c << 2;
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
    for (let t = 0; t < 9; t++) {
      const r = t / 3;
      const i = at + <usize>r * rowBytes + <usize>(t - 3 * r) * pixel + lanes, j = i + step, f = filter + <usize>t * pixel + lanes;
      let g = v128.load(f);
      s0 = multiplyAdd(v128.load(i), g, s0);
      t0 = multiplyAdd(v128.load(j), g, t0);
      g = v128.load(f, 16);
      s1 = multiplyAdd(v128.load(i, 16), g, s1);
      t1 = multiplyAdd(v128.load(j, 16), g, t1);
      g = v128.load(f, 32);
      s2 = multiplyAdd(v128.load(i, 32), g, s2);
      t2 = multiplyAdd(v128.load(j, 32), g, t2);
      g = v128.load(f, 48);
      s3 = multiplyAdd(v128.load(i, 48), g, s3);
      t3 = multiplyAdd(v128.load(j, 48), g, t3);
    }
    const b0 = biasLanes(bias, c), b1 = biasLanes(bias, c + 4), b2 = biasLanes(bias, c + 8), b3 = biasLanes(bias, c + 12);
    const o = out + lanes;
    v128.store(o, finish4(s0, b0, activation));
    v128.store(o, finish4(s1, b1, activation), 16);
    v128.store(o, finish4(s2, b2, activation), 32);
    v128.store(o, finish4(s3, b3, activation), 48);
    v128.store(o + pixel, finish4(t0, b0, activation));
    v128.store(o + pixel, finish4(t1, b1, activation), 16);
    v128.store(o + pixel, finish4(t2, b2, activation), 32);
    v128.store(o + pixel, finish4(t3, b3, activation), 48);
  }
  if (c < channels) {
    convolvePosition(at, rowBytes, pixel, filter, bias, out, channels, 1, 3, 0, 3, 0, 3, activation, c);
    convolvePosition(at + step, rowBytes, pixel, filter, bias, out + pixel, channels, 1, 3, 0, 3, 0, 3, activation, c);
  }
}

/**
 * `count` ≥ BLOCK adjacent outputs of a 3×3 window (depthMultiplier 1, no dilation, stride 1) whose
 * columns all lie inside the image, from kernel rows ky0 … ky1 − 1: at is tap (0, 0) of the first.
 * The outputs of a block share the input vectors they overlap on; the last block overlaps the one
 * before when count is not a multiple of BLOCK (an output computed twice comes out the same).
 */
function rows3x3(
  at: usize, rowBytes: usize, filter: usize, bias: usize, out: usize, channels: i32, count: i32,
  ky0: i32, ky1: i32, activation: i32,
): void {
  const pixel = <usize>channels << 2;
  const vectors = channels & ~3;
  // Blocks of outputs outside, channels inside: consecutive steps read the same cache lines.
  for (let j = 0; j < count; j += BLOCK) {
    j = min(j, count - BLOCK);
    for (let c = 0; c < vectors; c += 4) {
      const lanes = <usize>c << 2;
      const first = at + <usize>j * pixel + lanes;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      for (let ky = ky0; ky < ky1; ky++) {
        const row = first + <usize>ky * rowBytes, f = filter + <usize>(3 * ky) * pixel + lanes;
        const g0 = v128.load(f), g1 = v128.load(f + pixel), g2 = v128.load(f + 2 * pixel);
        // Input i meets tap i − k of output k.
        let i = v128.load(row);
        a0 = multiplyAdd(i, g0, a0);
        i = v128.load(row + pixel);
        a0 = multiplyAdd(i, g1, a0); a1 = multiplyAdd(i, g0, a1);
        i = v128.load(row + 2 * pixel);
        a0 = multiplyAdd(i, g2, a0); a1 = multiplyAdd(i, g1, a1); a2 = multiplyAdd(i, g0, a2);
        i = v128.load(row + 3 * pixel);
        a1 = multiplyAdd(i, g2, a1); a2 = multiplyAdd(i, g1, a2); a3 = multiplyAdd(i, g0, a3);
        i = v128.load(row + 4 * pixel);
        a2 = multiplyAdd(i, g2, a2); a3 = multiplyAdd(i, g1, a3); a4 = multiplyAdd(i, g0, a4);
        i = v128.load(row + 5 * pixel);
        a3 = multiplyAdd(i, g2, a3); a4 = multiplyAdd(i, g1, a4); a5 = multiplyAdd(i, g0, a5);
        i = v128.load(row + 6 * pixel);
        a4 = multiplyAdd(i, g2, a4); a5 = multiplyAdd(i, g1, a5); a6 = multiplyAdd(i, g0, a6);
        i = v128.load(row + 7 * pixel);
        a5 = multiplyAdd(i, g2, a5); a6 = multiplyAdd(i, g1, a6); a7 = multiplyAdd(i, g0, a7);
        i = v128.load(row + 8 * pixel);
        a6 = multiplyAdd(i, g2, a6); a7 = multiplyAdd(i, g1, a7);
        i = v128.load(row + 9 * pixel);
        a7 = multiplyAdd(i, g2, a7);
      }
      const q = out + <usize>j * pixel + lanes;
      const b = biasLanes(bias, c);
      v128.store(q, finish4(a0, b, activation));
      v128.store(q + pixel, finish4(a1, b, activation));
      v128.store(q + 2 * pixel, finish4(a2, b, activation));
      v128.store(q + 3 * pixel, finish4(a3, b, activation));
      v128.store(q + 4 * pixel, finish4(a4, b, activation));
      v128.store(q + 5 * pixel, finish4(a5, b, activation));
      v128.store(q + 6 * pixel, finish4(a6, b, activation));
      v128.store(q + 7 * pixel, finish4(a7, b, activation));
    }
  }
  // The last channels, one at a time.
  for (let c = vectors; c < channels; c++) {
    const lane = <usize>c << 2;
    for (let j = 0; j < count; j++) {
      let sum: f32 = 0;
      for (let ky = ky0; ky < ky1; ky++) {
        const row = at + <usize>j * pixel + <usize>ky * rowBytes + lane, f = filter + <usize>(3 * ky) * pixel + lane;
        for (let kx = 0; kx < 3; kx++) sum += load<f32>(row + <usize>kx * pixel) * load<f32>(f + <usize>kx * pixel);
      }
      store<f32>(out + <usize>j * pixel + lane, fusedActivation(sum + biasLane(bias, c), activation));
    }
  }
}
