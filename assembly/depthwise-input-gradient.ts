// Depthwise convolution's input gradient where it is not a forward pass (strides above 1, depth
// multipliers above 1): each input pixel gathers the taps that read it, or, with dilation, each output
// scatters its gradient to the pixels it read (depthwise-conv2d.ts has the contract).
import { fill } from './elementwise';
import { multiplyAdd } from './multiply-add';
import { bytes, endInside, firstInside, stridedLanes } from './depthwise-window';

/**
 * How many taps read padded input row (or column) r, undilated: taps r mod stride, + stride, …, below
 * `kernel`, tap k of them read by output r / stride − k, which must lie in [0, outSize).
 */
// @ts-ignore: decorator
@inline function tapCount(r: i32, stride: i32, kernel: i32, outSize: i32): i32 {
  const first = r % stride, output = r / stride;
  const start = max(0, output - outSize + 1);
  const end = first < kernel ? min((kernel - 1 - first) / stride + 1, output + 1) : 0;
  return max(0, end - start);
}

/** The first of those taps (its output the last row or column that exists). */
// @ts-ignore: decorator
@inline function firstTap(r: i32, stride: i32, outSize: i32): i32 {
  return r % stride + max(0, r / stride - outSize + 1) * stride;
}


/**
 * dx without dilation, for strides above 1 or a depth multiplier above 1. Input row r (padded) is read
 * through taps r mod stride, r mod stride + stride, …, each by the output one row up from the last;
 * likewise for columns. Each input pixel sums its taps (rows, then columns, in filter order) in
 * registers and is written once.
 */
export function gatherInputGradient(
  dy: usize, filter: usize, dx: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32, dm: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  const outChannels = channels * dm;
  const pixelBytes = <usize>channels << 2, outPixelBytes = <usize>outChannels << 2, outRowBytes = <usize>outWidth * outPixelBytes;
  const tapBytes = outPixelBytes;
  let at = dx;
  for (let n = 0; n < batch; n++) {
    const dyImage = dy + <usize>n * outHeight * outRowBytes;
    for (let iy = 0; iy < inHeight; iy++) {
      const r = iy + padTop;
      const rows = tapCount(r, strideHeight, kernelHeight, outHeight), ky = firstTap(r, strideHeight, outHeight);
      const dyRow = dyImage + <usize>((r - ky) / strideHeight) * outRowBytes;
      for (let ix = 0; ix < inWidth; ix++, at += pixelBytes) {
        const q = ix + padLeft;
        const columns = tapCount(q, strideWidth, kernelWidth, outWidth), kx = firstTap(q, strideWidth, outWidth);
        gatherPosition(dyRow + <usize>((q - kx) / strideWidth) * outPixelBytes, outRowBytes, outPixelBytes,
          filter + <usize>(ky * kernelWidth + kx) * tapBytes, <usize>(strideHeight * kernelWidth) * tapBytes, <usize>strideWidth * tapBytes,
          columns, rows, at, channels, dm);
      }
    }
  }
}

/**
 * dx[c] = Σ over `rows` × `columns` taps of Σ_m dy[c·dm + m]·f[tap, c·dm + m]: tap (a, b) reads the dy
 * pixel a rows and b columns before the first (dyRowBytes, dyPixelBytes apart) and the filter tap
 * a·filterRowStep + b·filterColumnStep bytes after the first.
 */
function gatherPosition(
  dy: usize, dyRowBytes: usize, dyPixelBytes: usize, filter: usize, filterRowStep: usize, filterColumnStep: usize,
  columns: i32, rows: i32, dx: usize, channels: i32, dm: i32,
): void {
  let c = 0;
  for (; dm == 1 && c + 16 <= channels; c += 16) {
    const lanes = <usize>c << 2;
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    for (let a = 0; a < rows; a++) {
      let g = dy - <usize>a * dyRowBytes + lanes, f = filter + <usize>a * filterRowStep + lanes;
      for (let b = 0; b < columns; b++, g -= dyPixelBytes, f += filterColumnStep) {
        s0 = multiplyAdd(v128.load(g), v128.load(f), s0);
        s1 = multiplyAdd(v128.load(g, 16), v128.load(f, 16), s1);
        s2 = multiplyAdd(v128.load(g, 32), v128.load(f, 32), s2);
        s3 = multiplyAdd(v128.load(g, 48), v128.load(f, 48), s3);
      }
    }
    v128.store(dx + lanes, s0);
    v128.store(dx + lanes, s1, 16);
    v128.store(dx + lanes, s2, 32);
    v128.store(dx + lanes, s3, 48);
  }
  const laneBytes = <usize>dm << 2;
  for (; c + 4 <= channels; c += 4) {
    const lanes = <usize>(c * dm) << 2;
    let sum = f32x4.splat(0);
    for (let a = 0; a < rows; a++) {
      let g = dy - <usize>a * dyRowBytes + lanes, f = filter + <usize>a * filterRowStep + lanes;
      for (let b = 0; b < columns; b++, g -= dyPixelBytes, f += filterColumnStep) {
        for (let m = 0; m < dm; m++) {
          sum = multiplyAdd(stridedLanes(g + (<usize>m << 2), laneBytes), stridedLanes(f + (<usize>m << 2), laneBytes), sum);
        }
      }
    }
    v128.store(dx + (<usize>c << 2), sum);
  }
  for (; c < channels; c++) {
    const lanes = <usize>(c * dm) << 2;
    let sum: f32 = 0;
    for (let a = 0; a < rows; a++) {
      let g = dy - <usize>a * dyRowBytes + lanes, f = filter + <usize>a * filterRowStep + lanes;
      for (let b = 0; b < columns; b++, g -= dyPixelBytes, f += filterColumnStep) {
        for (let m = 0; m < dm; m++) sum += load<f32>(g + (<usize>m << 2)) * load<f32>(f + (<usize>m << 2));
      }
    }
    store<f32>(dx + (<usize>c << 2), sum);
  }
}

/**
 * dx for any strides and depth multiplier: dx is cleared, then each output adds dy·f through each of
 * its taps that lies inside the image (outputs in order, taps in filter order).
 */
export function scatterInputGradient(
  dy: usize, filter: usize, dx: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32, dm: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
  dilationHeight: i32, dilationWidth: i32,
): void {
  const outChannels = channels * dm;
  const pixelBytes = <usize>channels << 2, rowBytes = <usize>inWidth * pixelBytes;
  const outPixelBytes = <usize>outChannels << 2;
  fill(dx, batch * inHeight * inWidth * channels, 0);
  for (let n = 0; n < batch; n++) {
    const image = dx + <usize>n * inHeight * rowBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const iy0 = oy * strideHeight - padTop;
      const ky0 = firstInside(iy0, dilationHeight), ky1 = min(kernelHeight, endInside(iy0, dilationHeight, inHeight));
      const origin = image + bytes(iy0 * inWidth - padLeft, pixelBytes);
      for (let ox = 0; ox < outWidth; ox++) {
        const ix0 = ox * strideWidth - padLeft;
        const kx0 = firstInside(ix0, dilationWidth), kx1 = min(kernelWidth, endInside(ix0, dilationWidth, inWidth));
        scatterPosition(dy + (<usize>(n * outHeight + oy) * outWidth + ox) * outPixelBytes, filter,
          origin + <usize>ox * strideWidth * pixelBytes, <usize>dilationHeight * rowBytes, <usize>dilationWidth * pixelBytes,
          channels, dm, kernelWidth, ky0, ky1, kx0, kx1);
      }
    }
  }
}

/** dx[tap, c] += Σ_m dy[c·dm + m]·f[tap, c·dm + m] for the taps ky ∈ [ky0, ky1), kx ∈ [kx0, kx1) of one output. */
function scatterPosition(
  dyPixel: usize, filter: usize, origin: usize, tapRowBytes: usize, tapColumnBytes: usize,
  channels: i32, dm: i32, kernelWidth: i32, ky0: i32, ky1: i32, kx0: i32, kx1: i32,
): void {
  const tapBytes = <usize>(channels * dm) << 2;
  const laneBytes = <usize>dm << 2;
  let c = 0;
  for (; c + 4 <= channels; c += 4) {
    const lanes = <usize>c << 2, outLanes = <usize>(c * dm) << 2;
    const g = v128.load(dyPixel + lanes); // read when dm is 1: every tap takes the same dy
    for (let ky = ky0; ky < ky1; ky++) {
      const inputRow = origin + <usize>ky * tapRowBytes + lanes;
      const filterRow = filter + <usize>(ky * kernelWidth) * tapBytes + outLanes;
      for (let kx = kx0; kx < kx1; kx++) {
        const at = inputRow + <usize>kx * tapColumnBytes;
        const f = filterRow + <usize>kx * tapBytes;
        let sum = v128.load(at);
        if (dm == 1) {
          sum = multiplyAdd(g, v128.load(f), sum);
        } else {
          for (let m = 0; m < dm; m++) {
            const lane = <usize>m << 2;
            sum = multiplyAdd(stridedLanes(dyPixel + outLanes + lane, laneBytes), stridedLanes(f + lane, laneBytes), sum);
          }
        }
        v128.store(at, sum);
      }
    }
  }
  for (; c < channels; c++) {
    const lane = <usize>c << 2, outLane = <usize>(c * dm) << 2;
    for (let ky = ky0; ky < ky1; ky++) {
      for (let kx = kx0; kx < kx1; kx++) {
        const at = origin + <usize>ky * tapRowBytes + <usize>kx * tapColumnBytes + lane;
        const f = filter + <usize>(ky * kernelWidth + kx) * tapBytes + outLane;
        let sum = load<f32>(at);
        for (let m = 0; m < dm; m++) sum += load<f32>(dyPixel + outLane + (<usize>m << 2)) * load<f32>(f + (<usize>m << 2));
        store<f32>(at, sum);
      }
    }
  }
}
