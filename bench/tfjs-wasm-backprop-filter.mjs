// TensorFlow.js's wasm backend has no Conv2DBackpropFilter kernel, so a Conv2D layer cannot train on
// it. This one is built only from the wasm backend's own kernels (taken from tfjs's kernel registry):
//
//   dFilter[kh, kw, c, o] = Σ_{n, i, j} xPadded[n, i·s + kh, j·s + kw, c] · dy[n, i, j, o]
//
// x is transposed to [c, n, h, w] and padded; for each tap (kh, kw) the strided window [c, n, oh, ow]
// is one row block of a [kh·kw·c, n·oh·ow] matrix, and one BatchMatMul with dy as [n·oh·ow, o] gives
// dFilter in its own layout. BatchMatMul is called untransposed with a batch of 1 because only then
// does tfjs-wasm use XNNPACK (transposed operands fall back to a scalar loop).

export function registerConv2DBackpropFilter(tf) {
  const kernel = (name) => tf.getKernel(name, 'wasm').kernelFunc;
  const transpose = kernel('Transpose'), pad = kernel('PadV2'), slice = kernel('Slice');
  const stridedSlice = kernel('StridedSlice'), concat = kernel('Concat'), reshape = kernel('Reshape');
  const batchMatMul = kernel('BatchMatMul');

  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs: { x, dy }, backend, attrs }) => {
      const { strides, pad: padding, dataFormat, dimRoundingMode, filterShape } = attrs;
      const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, padding, dimRoundingMode,
        false, tf.backend_util.convertConv2DDataFormat(dataFormat));
      if (info.dataFormat !== 'channelsLast') throw new Error('Conv2DBackpropFilter (bench kernel): only NHWC');
      const { batchSize: n, inChannels: c, outHeight: oh, outWidth: ow, outChannels: o } = info;
      const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
      const temps = [];
      const keep = (t) => (temps.push(t), t);
      const run = (f, inputs, attrs) => keep(f({ inputs, backend, attrs }));

      const xT = run(transpose, { x }, { perm: [3, 0, 1, 2] });
      const xP = run(pad, { x: xT }, {
        paddings: [[0, 0], [0, 0], [Math.max(padInfo.top, 0), Math.max(padInfo.bottom, 0)], [Math.max(padInfo.left, 0), Math.max(padInfo.right, 0)]],
        constantValue: 0,
      });
      const taps = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const window = sh === 1 && sw === 1
            ? run(slice, { x: xP }, { begin: [0, 0, i, j], size: [c, n, oh, ow] })
            : run(stridedSlice, { x: xP }, {
              begin: [0, 0, i, j], end: [c, n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1], strides: [1, 1, sh, sw],
              beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
            });
          taps.push(run(reshape, { x: window }, { shape: [c, n * oh * ow] }));
        }
      }
      const patches = taps.length === 1 ? taps[0] : run(concat, taps, { axis: 0 });
      const a = run(reshape, { x: patches }, { shape: [1, kh * kw * c, n * oh * ow] });
      const b = run(reshape, { x: dy }, { shape: [1, n * oh * ow, o] });
      const product = run(batchMatMul, { a, b }, { transposeA: false, transposeB: false });
      const result = reshape({ inputs: { x: product }, backend, attrs: { shape: filterShape } });
      for (const t of temps) backend.disposeData(t.dataId);
      return result;
    },
  });
}
