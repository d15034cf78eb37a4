// TensorFlow.js's wasm backend has no Conv2DBackpropFilter kernel, so a Conv2D layer cannot train on
// it. This one is built only from the wasm backend's own kernels (taken from tfjs's kernel registry):
//
//   dFilter[kh, kw, c, o] = Σ_{n, i, j} xPadded[n, i·s + kh, j·s + kw, c] · dy[n, i, j, o]
//
// in two formulations, because neither is faster everywhere:
//  - 'matMul': x transposed to [c, n, h, w] and padded; each tap's (strided) window [c, n·oh·ow] is
//    one row block of a [kh·kw·c, n·oh·ow] matrix, and one untransposed BatchMatMul with dy as
//    [n·oh·ow, o] gives dFilter in its own layout (only untransposed, batch-1 operands reach XNNPACK;
//    transposed ones fall back to a scalar loop). Faster for wide layers (3×3×64×64).
//  - 'conv2d': a convolution of transposed tensors: x as [c, h, w, n] (padded), dy as the filter
//    [oh, ow, n, o] (dilated by the stride), gives [c, kh, kw, o]; transposed to [kh, kw, c, o].
//    Faster for the LeNet-style net's few-channel layers.
// On the first call for each geometry both run and the faster is kept, as a tuned library would.

/** Runs f(run) where run(kernel, inputs, attrs) disposes every intermediate but the result. */
export function withTemps(backend, f) {
  const temps = [];
  const result = f((k, inputs, attrs) => {
    const t = k({ inputs, backend, attrs });
    temps.push(t);
    return t;
  });
  for (const t of temps) if (t !== result) backend.disposeData(t.dataId);
  return result;
}

export function registerConv2DBackpropFilter(tf) {
  const kernel = (name) => tf.getKernel(name, 'wasm').kernelFunc;
  const transpose = kernel('Transpose'), pad = kernel('PadV2'), slice = kernel('Slice');
  const stridedSlice = kernel('StridedSlice'), concat = kernel('Concat'), reshape = kernel('Reshape');
  const batchMatMul = kernel('BatchMatMul'), conv2d = kernel('Conv2D');

  const padding = (p) => [Math.max(p.top, 0), Math.max(p.bottom, 0), Math.max(p.left, 0), Math.max(p.right, 0)];

  const formulations = {
    matMul: (x, dy, info, filterShape, backend) => withTemps(backend, (run) => {
      const { batchSize: n, inChannels: c, outHeight: oh, outWidth: ow, outChannels: o } = info;
      const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
      const [top, bottom, left, right] = padding(info.padInfo);
      const xT = run(transpose, { x }, { perm: [3, 0, 1, 2] });
      const xP = run(pad, { x: xT }, { paddings: [[0, 0], [0, 0], [top, bottom], [left, right]], constantValue: 0 });
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
      return run(reshape, { x: product }, { shape: filterShape });
    }),
    conv2d: (x, dy, info, filterShape, backend) => withTemps(backend, (run) => {
      const { inChannels: c, outChannels: o, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
      const [top, bottom, left, right] = padding(info.padInfo);
      const xT = run(transpose, { x }, { perm: [3, 1, 2, 0] }); // [c, h, w, n]
      const xP = run(pad, { x: xT }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
      const f = run(transpose, { x: dy }, { perm: [1, 2, 0, 3] }); // [oh, ow, n, o]
      let out = run(conv2d, { x: xP, filter: f }, { strides: [1, 1], pad: 'valid', dilations: [sh, sw], dataFormat: 'NHWC', dimRoundingMode: undefined });
      if (out.shape[1] !== kh || out.shape[2] !== kw) out = run(slice, { x: out }, { begin: [0, 0, 0, 0], size: [c, kh, kw, o] });
      return run(transpose, { x: out }, { perm: [1, 2, 0, 3] });
    }),
  };

  const chosen = new Map(); // geometry → formulation name
  let forced = null;
  const time = (f) => {
    const start = performance.now();
    const r = f();
    return [r, performance.now() - start];
  };

  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs: { x, dy }, backend, attrs }) => {
      const { strides, pad: pads, dataFormat, dimRoundingMode, filterShape } = attrs;
      const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pads, dimRoundingMode,
        false, tf.backend_util.convertConv2DDataFormat(dataFormat));
      if (info.dataFormat !== 'channelsLast') throw new Error('Conv2DBackpropFilter (bench kernel): only NHWC');
      const args = [x, dy, info, filterShape, backend];
      if (forced) return formulations[forced](...args);
      const key = JSON.stringify([x.shape, filterShape, strides, pads]);
      if (!chosen.has(key)) {
        const ms = {};
        for (const name of Object.keys(formulations)) {
          for (let i = 0; i < 2; i++) { // the second run is timed
            const [r, t] = time(() => formulations[name](...args));
            backend.disposeData(r.dataId);
            ms[name] = t;
          }
        }
        chosen.set(key, Object.keys(ms).sort((a, b) => ms[a] - ms[b])[0]);
      }
      return formulations[chosen.get(key)](...args);
    },
  });

  return {
    formulations: Object.keys(formulations),
    /** Makes every call use one formulation (null: the tuned choice again), for the correctness check. */
    force: (name) => { forced = name; },
    choices: () => Object.fromEntries(chosen),
  };
}
