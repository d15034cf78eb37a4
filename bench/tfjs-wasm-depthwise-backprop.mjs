// TensorFlow.js's wasm backend has DepthwiseConv2dNative (XNNPACK) but neither of its gradients, so
// it cannot train a MobileNet. These two are built only from the wasm backend's own kernels (taken
// from tfjs's kernel registry), as tfjs-wasm-backprop-filter.mjs builds Conv2DBackpropFilter, for
// depthMultiplier 1 and no dilation (the bench's cases):
//  - input:  dx = dy spread `stride` apart and padded by the kernel's reach, ⋆ the filter turned 180°:
//            one DepthwiseConv2dNative (XNNPACK) on Reshape/PadV2/Slice and Reverse;
//  - filter: dF[ky, kx, c] = Σ over the batch and outputs of x[…, oy·s + ky, ox·s + kx, c]·dy[…, c], in
//            two formulations, the faster kept per geometry on its first call (as a tuned library would):
//            'taps': per tap, the (strided) window of the padded x times dy (Multiply), summed by a
//            ones-vector BatchMatMul ([1, P]·[P, c]), the taps joined by Concat;
//            'depthwise': one DepthwiseConv2dNative of the padded x, its (image, channel) pairs as channels,
//            with dy as the filter dilated by the stride (its outputs are the taps), then Sum over images.
import { withTemps } from './tfjs-wasm-backprop-filter.mjs';

export function registerDepthwiseBackprop(tf) {
  const kernel = (name) => tf.getKernel(name, 'wasm').kernelFunc;
  const reshape = kernel('Reshape'), pad = kernel('PadV2'), slice = kernel('Slice'), stridedSlice = kernel('StridedSlice');
  const reverse = kernel('Reverse'), depthwise = kernel('DepthwiseConv2dNative'), multiply = kernel('Multiply');
  const batchMatMul = kernel('BatchMatMul'), concat = kernel('Concat'), fill = kernel('Fill');

  const info = (xShape, filterShape, { strides, dilations, pad: pads, dimRoundingMode }) =>
    tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pads, dimRoundingMode, true);
  const supported = (i) => {
    if (i.dilationHeight !== 1 || i.dilationWidth !== 1 || i.outChannels !== i.inChannels) {
      throw new Error('depthwise gradients (bench kernels): only depthMultiplier 1 without dilation');
    }
  };

  tf.registerKernel({
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName: 'wasm',
    kernelFunc: ({ inputs: { dy, filter }, backend, attrs }) => withTemps(backend, (run) => {
      const i = info(attrs.inputShape, filter.shape, attrs);
      supported(i);
      const { batchSize: n, inHeight, inWidth, outHeight: oh, outWidth: ow, inChannels: c, filterHeight: kh, filterWidth: kw } = i;
      const { strideHeight: sh, strideWidth: sw, padInfo: { top, left } } = i;
      // dy spread: output (oy, ox) at (oy·sh, ox·sw), zeros between.
      let spread = dy;
      if (sh > 1 || sw > 1) {
        const cells = run(reshape, { x: dy }, { shape: [n, oh, 1, ow, 1, c] });
        const padded = run(pad, { x: cells }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
        spread = run(reshape, { x: padded }, { shape: [n, oh * sh, ow * sw, c] });
      }
      // Framed so that a 'valid' pass of the turned filter gives dx: kh − 1 − top rows before, enough after.
      const before = [kh - 1 - top, kw - 1 - left], size = [inHeight + kh - 1, inWidth + kw - 1];
      const after = [size[0] - before[0] - spread.shape[1], size[1] - before[1] - spread.shape[2]];
      let framed = run(pad, { x: spread }, {
        paddings: [[0, 0], [Math.max(before[0], 0), Math.max(after[0], 0)], [Math.max(before[1], 0), Math.max(after[1], 0)], [0, 0]], constantValue: 0,
      });
      if (framed.shape[1] !== size[0] || framed.shape[2] !== size[1]) {
        framed = run(slice, { x: framed }, { begin: [0, Math.max(-before[0], 0), Math.max(-before[1], 0), 0], size: [n, size[0], size[1], c] });
      }
      const turned = run(reverse, { x: filter }, { dims: [0, 1] });
      return run(depthwise, { x: framed, filter: turned }, { strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC', dimRoundingMode: undefined });
    }),
  });

  const transpose = kernel('Transpose'), sum = kernel('Sum');
  const filterFormulations = {
    taps: (x, dy, i, backend) => withTemps(backend, (run) => {
      const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: c, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = i;
      const { top, bottom, left, right } = i.padInfo;
      const xP = run(pad, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
      const positions = n * oh * ow;
      const ones = run(fill, {}, { shape: [1, 1, positions], value: 1, dtype: 'float32' });
      const taps = [];
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const window = sh === 1 && sw === 1
            ? run(slice, { x: xP }, { begin: [0, ky, kx, 0], size: [n, oh, ow, c] })
            : run(stridedSlice, { x: xP }, {
              begin: [0, ky, kx, 0], end: [n, ky + (oh - 1) * sh + 1, kx + (ow - 1) * sw + 1, c], strides: [1, sh, sw, 1],
              beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
            });
          const product = run(reshape, { x: run(multiply, { a: window, b: dy }) }, { shape: [1, positions, c] });
          taps.push(run(reshape, { x: run(batchMatMul, { a: ones, b: product }, { transposeA: false, transposeB: false }) }, { shape: [1, c] }));
        }
      }
      const joined = taps.length === 1 ? taps[0] : run(concat, taps, { axis: 0 });
      return run(reshape, { x: joined }, { shape: [kh, kw, c, 1] });
    }),
    depthwise: (x, dy, i, backend) => withTemps(backend, (run) => {
      const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: c, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = i;
      const { top, bottom, left, right } = i.padInfo;
      const xP = run(pad, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
      const [, height, width] = xP.shape;
      const images = run(reshape, { x: run(transpose, { x: xP }, { perm: [1, 2, 0, 3] }) }, { shape: [1, height, width, n * c] });
      const taps = run(reshape, { x: run(transpose, { x: dy }, { perm: [1, 2, 0, 3] }) }, { shape: [oh, ow, n * c, 1] });
      let out = run(depthwise, { x: images, filter: taps }, { strides: [1, 1], pad: 'valid', dilations: [sh, sw], dataFormat: 'NHWC', dimRoundingMode: undefined });
      if (out.shape[1] !== kh || out.shape[2] !== kw) out = run(slice, { x: out }, { begin: [0, 0, 0, 0], size: [1, kh, kw, n * c] });
      const summed = run(sum, { x: run(reshape, { x: out }, { shape: [kh, kw, n, c] }) }, { axis: [2], keepDims: false });
      return run(reshape, { x: summed }, { shape: [kh, kw, c, 1] });
    }),
  };

  const chosen = new Map(); // geometry → formulation name
  let forced = null;
  tf.registerKernel({
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs: { x, dy }, backend, attrs }) => {
      const i = info(x.shape, attrs.filterShape, attrs);
      supported(i);
      if (forced) return filterFormulations[forced](x, dy, i, backend);
      const key = JSON.stringify([x.shape, attrs.filterShape, attrs.strides, attrs.pad]);
      if (!chosen.has(key)) {
        const ms = {};
        for (const name of Object.keys(filterFormulations)) {
          for (let k = 0; k < 2; k++) { // the second run is timed
            const start = performance.now();
            const r = filterFormulations[name](x, dy, i, backend);
            ms[name] = performance.now() - start;
            backend.disposeData(r.dataId);
          }
        }
        chosen.set(key, Object.keys(ms).sort((a, b) => ms[a] - ms[b])[0]);
      }
      return filterFormulations[chosen.get(key)](x, dy, i, backend);
    },
  });

  return {
    filterFormulations: Object.keys(filterFormulations),
    /** Makes every filter gradient use one formulation (null: the tuned choice again), for the correctness check. */
    force: (name) => { forced = name; },
    choices: () => Object.fromEntries(chosen),
  };
}
