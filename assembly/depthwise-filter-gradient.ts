// Depthwise convolution's filter gradient (depthwise-conv2d.ts has the contract): summed over the
// batch, images and output rows in order; each tap's share of a row summed on its own and then added,
// and 3×3 windows' inner columns in blocks with the sums in registers.
import { fill, sumRows } from './elementwise';
import { multiplyAdd } from './multiply-add';
import { BLOCK, bytes, endInside, firstInside, repeatedLanes } from './depthwise-window';

/** dFilter (and dBias when ≠ 0) summed over the whole batch, images and outputs in order. */
export function filterGradient(
  x: usize, dy: usize, dFilter: usize, dBias: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32, depthMultiplier: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
  dilationHeight: i32, dilationWidth: i32,
): void {
  const outChannels = channels * depthMultiplier;
  const pixelBytes = <usize>channels << 2, rowBytes = <usize>inWidth * pixelBytes;
  const outPixelBytes = <usize>outChannels << 2;
  const tapBytes = outPixelBytes;
  fill(dFilter, kernelHeight * kernelWidth * outChannels, 0);
  // 3×3 windows take their inner columns (every tap inside the row) in blocks, sums in registers.
  const plain3x3 = depthMultiplier == 1 && kernelHeight == 3 && kernelWidth == 3 && dilationHeight == 1 && dilationWidth == 1;
  const inner0 = plain3x3 ? min(firstInside(-padLeft, strideWidth), outWidth) : 0;
  const inner1 = plain3x3 ? max(inner0, min(outWidth, endInside(2 - padLeft, strideWidth, inWidth))) : 0;
  for (let n = 0; n < batch; n++) {
    const image = x + <usize>n * inHeight * rowBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const iy0 = oy * strideHeight - padTop;
      const ky0 = firstInside(iy0, dilationHeight), ky1 = min(kernelHeight, endInside(iy0, dilationHeight, inHeight));
      const dyRow = dy + (<usize>(n * outHeight + oy) * outWidth) * outPixelBytes;
      if (inner1 > inner0) {
        filterRows3x3(image + bytes(iy0 * inWidth + inner0 * strideWidth - padLeft, pixelBytes), rowBytes, dyRow + <usize>inner0 * outPixelBytes,
          dFilter, channels, inner1 - inner0, strideWidth, ky0, ky1);
      }
      for (let ky = ky0; ky < ky1; ky++) {
        const inputRow = image + <usize>(iy0 + ky * dilationHeight) * rowBytes;
        for (let kx = 0; kx < kernelWidth; kx++) {
          // The outputs whose tap kx lands inside the row, less the inner ones taken above.
          const ix0 = kx * dilationWidth - padLeft;
          const first = firstInside(ix0, strideWidth), end = min(outWidth, endInside(ix0, strideWidth, inWidth));
          const dF = dFilter + <usize>(ky * kernelWidth + kx) * tapBytes;
          const xStep = <usize>strideWidth * pixelBytes;
          const before = min(end, inner0), after = max(first, inner1);
          if (first < before) {
            accumulateTap(inputRow + bytes(ix0 + first * strideWidth, pixelBytes), xStep, dyRow + <usize>first * outPixelBytes, outPixelBytes,
              dF, before - first, outChannels, depthMultiplier);
          }
          if (after < end) {
            accumulateTap(inputRow + bytes(ix0 + after * strideWidth, pixelBytes), xStep, dyRow + <usize>after * outPixelBytes, outPixelBytes,
              dF, end - after, outChannels, depthMultiplier);
          }
        }
      }
    }
  }
  if (dBias) sumRows(dy, batch * outHeight * outWidth, outChannels, dBias);
}

/**
 * The filter gradient's share of `count` adjacent outputs of a 3×3 window (depthMultiplier 1, no
 * dilation) whose columns all lie inside the image, kernel rows ky0 … ky1 − 1: x is tap (0, 0) of the
 * first output, dy its gradient. In blocks of BLOCK outputs, channels inside (consecutive steps read
 * the same cache lines); for each kernel row the three taps' sums over the block stay in registers,
 * then are added to dF, so every element of dF sums its blocks in order whatever the loops inside.
 */
function filterRows3x3(x: usize, rowBytes: usize, dy: usize, dF: usize, channels: i32, count: i32, stride: i32, ky0: i32, ky1: i32): void {
  const pixel = <usize>channels << 2, step = <usize>stride * pixel;
  const vectors = channels & ~3;
  for (let j = 0; j < count; j += BLOCK) {
    const length = min(BLOCK, count - j);
    const first = x + <usize>j * step, firstDy = dy + <usize>j * pixel;
    // Kernel rows outside, channels inside: the block's pixels of one row stay in the cache while
    // every vector of their lines is read, however few cache sets pixels a power of 2 apart fall on.
    for (let ky = ky0; ky < ky1; ky++) {
      const row = first + <usize>ky * rowBytes, tapRow = dF + <usize>(3 * ky) * pixel;
      let c = 0;
      // Two vectors of channels at a time: six sums under way hide the adds' latency, on which three wait.
      for (; c + 8 <= vectors; c += 8) {
        const lanes = <usize>c << 2;
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, b0 = a0, b1 = a0, b2 = a0;
        let p = row + lanes, q = firstDy + lanes;
        for (let k = 0; k < length; k++, p += step, q += pixel) {
          const d = v128.load(q), e = v128.load(q, 16);
          a0 = multiplyAdd(v128.load(p), d, a0);
          b0 = multiplyAdd(v128.load(p, 16), e, b0);
          a1 = multiplyAdd(v128.load(p + pixel), d, a1);
          b1 = multiplyAdd(v128.load(p + pixel, 16), e, b1);
          a2 = multiplyAdd(v128.load(p + 2 * pixel), d, a2);
          b2 = multiplyAdd(v128.load(p + 2 * pixel, 16), e, b2);
        }
        const at = tapRow + lanes;
        addInto(at, a0);
        addInto(at + 16, b0);
        addInto(at + pixel, a1);
        addInto(at + pixel + 16, b1);
        addInto(at + 2 * pixel, a2);
        addInto(at + 2 * pixel + 16, b2);
      }
      for (; c < vectors; c += 4) {
        const lanes = <usize>c << 2;
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0;
        let p = row + lanes, q = firstDy + lanes;
        for (let k = 0; k < length; k++, p += step, q += pixel) {
          const d = v128.load(q);
          a0 = multiplyAdd(v128.load(p), d, a0);
          a1 = multiplyAdd(v128.load(p + pixel), d, a1);
          a2 = multiplyAdd(v128.load(p + 2 * pixel), d, a2);
        }
        const at = tapRow + lanes;
        addInto(at, a0);
        addInto(at + pixel, a1);
        addInto(at + 2 * pixel, a2);
      }
    }
    for (let c = vectors; c < channels; c++) {
      const lane = <usize>c << 2;
      for (let ky = ky0; ky < ky1; ky++) {
        for (let kx = 0; kx < 3; kx++) {
          let sum: f32 = 0;
          let p = first + <usize>ky * rowBytes + <usize>kx * pixel + lane, q = firstDy + lane;
          for (let k = 0; k < length; k++, p += step, q += pixel) sum += load<f32>(p) * load<f32>(q);
          const at = dF + <usize>(3 * ky + kx) * pixel + lane;
          store<f32>(at, load<f32>(at) + sum);
        }
      }
    }
  }
}

/** The four floats at `at` += sum. */
// @ts-ignore: decorator
@inline function addInto(at: usize, sum: v128): void {
  v128.store(at, f32x4.add(v128.load(at), sum));
}

/**
 * dF[o] += Σ over `count` outputs of x[o / dm]·dy[o], the inputs xStep bytes apart, the dy pixels dyStep
 * apart. The row is summed on its own, then added: sums of a few terms each keep the rounding small.
 */
function accumulateTap(x: usize, xStep: usize, dy: usize, dyStep: usize, dF: usize, count: i32, outChannels: i32, dm: i32): void {
  let o = 0;
  for (; o + 8 <= outChannels; o += 8) {
    let low = f32x4.splat(0), high = low;
    let p = x, q = dy + (<usize>o << 2);
    for (let i = 0; i < count; i++) {
      low = multiplyAdd(repeatedLanes(p, o, dm), v128.load(q), low);
      high = multiplyAdd(repeatedLanes(p, o + 4, dm), v128.load(q, 16), high);
      p += xStep;
      q += dyStep;
    }
    const at = dF + (<usize>o << 2);
    v128.store(at, f32x4.add(v128.load(at), low));
    v128.store(at, f32x4.add(v128.load(at, 16), high), 16);
  }
  for (; o + 4 <= outChannels; o += 4) {
    let sum = f32x4.splat(0);
    let p = x, q = dy + (<usize>o << 2);
    for (let i = 0; i < count; i++) {
      sum = multiplyAdd(repeatedLanes(p, o, dm), v128.load(q), sum);
      p += xStep;
      q += dyStep;
    }
    const at = dF + (<usize>o << 2);
    v128.store(at, f32x4.add(v128.load(at), sum));
  }
  for (; o < outChannels; o++) {
    let sum: f32 = 0;
    let p = x + (<usize>(o / dm) << 2), q = dy + (<usize>o << 2);
    for (let i = 0; i < count; i++) {
      sum += load<f32>(p) * load<f32>(q);
      p += xStep;
      q += dyStep;
    }
    const at = dF + (<usize>o << 2);
    store<f32>(at, load<f32>(at) + sum);
  }
}
