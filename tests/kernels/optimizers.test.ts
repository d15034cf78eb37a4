import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/optimizers.js';

const rng = random(11);
// Lengths around multiples of 4 so the SIMD body and every tail length run.
const lengths = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 1023, ...Array.from({ length: 95 }, () => rng.int(1, 3000))];
const STEPS = 3;

test('sgdUpdate matches the reference on 107 lengths', async () => {
  const k = await kernels();
  for (const n of lengths) {
    const lr = rng.pick([0.001, 0.01, 0.5]), weightDecay = rng.pick([0, 0, 1e-3, 0.1]);
    let w: Float32Array = rng.array(n), expected = w;
    for (let step = 0; step < STEPS; step++) {
      const g = rng.array(n);
      [w] = withBuffers([g], [w], ([pg], [pw]) => k.sgdUpdate(pw, pg, n, lr, weightDecay));
      expected = ref.sgdUpdate(expected, g, lr, weightDecay);
    }
    assertClose(w, expected, 1e-5, `sgd n=${n} lr=${lr} decay=${weightDecay}`);
  }
});

for (const nesterov of [false, true]) {
  test(`momentumUpdate${nesterov ? ' (Nesterov)' : ''} matches the reference on 107 lengths`, async () => {
    const k = await kernels();
    for (const n of lengths) {
      const lr = rng.pick([0.001, 0.01, 0.5]), momentum = rng.pick([0, 0.5, 0.9]), weightDecay = rng.pick([0, 0, 1e-3, 0.1]);
      let w: Float32Array = rng.array(n), accum: Float32Array = new Float32Array(n), expected = { w, accum };
      for (let step = 0; step < STEPS; step++) {
        const g = rng.array(n);
        [w, accum] = withBuffers([g], [w, accum], ([pg], [pw, pa]) =>
          k.momentumUpdate(pw, pg, pa, n, lr, momentum, nesterov ? 1 : 0, weightDecay));
        expected = ref.momentumUpdate(expected.w, g, expected.accum, lr, momentum, nesterov, weightDecay);
      }
      const what = `momentum n=${n} lr=${lr} momentum=${momentum} decay=${weightDecay}`;
      assertClose(w, expected.w, 1e-5, what);
      assertClose(accum, expected.accum, 1e-5, `${what} accum`);
    }
  });
}

for (const decoupled of [false, true]) {
  test(`adamUpdate ${decoupled ? 'with decoupled weight decay (AdamW)' : 'with L2 weight decay'} matches the reference on 107 lengths`, async () => {
    const k = await kernels();
    for (const n of lengths) {
      const lr = rng.pick([0.001, 0.01, 0.1]), weightDecay = rng.pick(decoupled ? [0.004, 0.01, 0.5] : [0, 0, 1e-3, 0.1]);
      const beta1 = rng.pick([0.9, 0.5]), beta2 = rng.pick([0.999, 0.9]), epsilon = rng.pick([1e-7, 1e-3]);
      const [l2, decoupledDecay] = decoupled ? [0, weightDecay] : [weightDecay, 0];
      const update = decoupled ? ref.adamwUpdate : ref.adamUpdate;
      let w: Float32Array = rng.array(n), m: Float32Array = new Float32Array(n), v: Float32Array = new Float32Array(n);
      let expected = { w, m, v };
      for (let step = 1; step <= STEPS; step++) {
        const g = rng.array(n);
        [w, m, v] = withBuffers([g], [w, m, v], ([pg], [pw, pm, pv]) =>
          k.adamUpdate(pw, pg, pm, pv, n, lr, beta1, beta2, epsilon, 1 - beta1 ** step, 1 - beta2 ** step, l2, decoupledDecay));
        expected = update(expected.w, g, expected.m, expected.v, lr, beta1, beta2, epsilon, step, weightDecay);
      }
      const what = `${decoupled ? 'adamw' : 'adam'} n=${n} lr=${lr} β=${beta1},${beta2} ε=${epsilon} decay=${weightDecay}`;
      assertClose(w, expected.w, 1e-5, what);
      assertClose(m, expected.m, 1e-5, `${what} m`);
      assertClose(v, expected.v, 1e-5, `${what} v`);
    }
  });
}

test('adamaxUpdate matches the reference on 107 lengths', async () => {
  const k = await kernels();
  for (const n of lengths) {
    const lr = rng.pick([0.001, 0.01, 0.1]), beta1 = rng.pick([0.9, 0.5]), beta2 = rng.pick([0.999, 0.9]), epsilon = rng.pick([1e-7, 1e-3]);
    let w: Float32Array = rng.array(n), m: Float32Array = new Float32Array(n), u: Float32Array = new Float32Array(n);
    let expected = { w, m, u };
    for (let step = 1; step <= STEPS; step++) {
      const g = rng.array(n);
      [w, m, u] = withBuffers([g], [w, m, u], ([pg], [pw, pm, pu]) =>
        k.adamaxUpdate(pw, pg, pm, pu, n, lr, beta1, beta2, epsilon, 1 - beta1 ** step));
      expected = ref.adamaxUpdate(expected.w, g, expected.m, expected.u, lr, beta1, beta2, epsilon, step);
    }
    const what = `adamax n=${n} lr=${lr} β=${beta1},${beta2} ε=${epsilon}`;
    assertClose(w, expected.w, 1e-5, what);
    assertClose(m, expected.m, 1e-5, `${what} m`);
    assertClose(u, expected.u, 1e-5, `${what} u`);
  }
});

for (const [centered, momentum] of [[false, 0], [false, 0.9], [true, 0], [true, 0.5]] as const) {
  test(`rmspropUpdate (${centered ? 'centered' : 'plain'}, momentum ${momentum}) matches the reference on 107 lengths`, async () => {
    const k = await kernels();
    for (const n of lengths) {
      const lr = rng.pick([0.001, 0.01, 0.1]), rho = rng.pick([0.9, 0.5]), epsilon = rng.pick([1e-7, 1e-3]);
      let w: Float32Array = rng.array(n), ms: Float32Array = new Float32Array(n);
      let mom: Float32Array = new Float32Array(n), mg: Float32Array = new Float32Array(n);
      let expected = { w, ms, mom, mg };
      for (let step = 1; step <= STEPS; step++) {
        // Small gradients too: where TF.js's centered RMSProp takes the root of a negative number.
        const g = rng.array(n, -1, 1).map((v, i) => (i % 3 === 0 ? v * 1e-4 : v));
        [w, ms, mom, mg] = withBuffers([g], [w, ms, mom, mg], ([pg], [pw, pms, pmom, pmg]) =>
          k.rmspropUpdate(pw, pg, pms, momentum > 0 ? pmom : 0, centered ? pmg : 0, n, lr, rho, momentum, epsilon));
        expected = ref.rmspropUpdate(expected.w, g, expected.ms, expected.mom, expected.mg, lr, rho, momentum, epsilon, centered);
      }
      const what = `rmsprop n=${n} lr=${lr} ρ=${rho} ε=${epsilon}`;
      assertClose(w, expected.w, 1e-5, what);
      assertClose(ms, expected.ms, 1e-5, `${what} ms`);
      assertClose(mom, expected.mom, 1e-5, `${what} momentum`);
      assertClose(mg, expected.mg, 1e-5, `${what} mg`);
      assert.ok(w.every(Number.isFinite), `${what}: a weight is not finite`);
    }
  });
}

test('adagradUpdate and adadeltaUpdate match the reference on 107 lengths', async () => {
  const k = await kernels();
  for (const n of lengths) {
    const lr = rng.pick([0.001, 0.01, 1]), epsilon = rng.pick([1e-7, 1e-3]), rho = rng.pick([0.95, 0.5]);
    let w: Float32Array = rng.array(n), accum: Float32Array = new Float32Array(n).fill(rng.pick([0.1, 0, 1]));
    let w2: Float32Array = w.slice(), accumGrad: Float32Array = new Float32Array(n), accumUpdate: Float32Array = new Float32Array(n);
    let adagrad = { w, accum }, adadelta = { w: w2, accumGrad, accumUpdate };
    for (let step = 1; step <= STEPS; step++) {
      const g = rng.array(n);
      [w, accum] = withBuffers([g], [w, accum], ([pg], [pw, pa]) => k.adagradUpdate(pw, pg, pa, n, lr, epsilon));
      adagrad = ref.adagradUpdate(adagrad.w, g, adagrad.accum, lr, epsilon);
      [w2, accumGrad, accumUpdate] = withBuffers([g], [w2, accumGrad, accumUpdate], ([pg], [pw, pa, pd]) =>
        k.adadeltaUpdate(pw, pg, pa, pd, n, lr, rho, epsilon));
      adadelta = ref.adadeltaUpdate(adadelta.w, g, adadelta.accumGrad, adadelta.accumUpdate, lr, rho, epsilon);
    }
    assertClose(w, adagrad.w, 1e-5, `adagrad n=${n} lr=${lr} ε=${epsilon}`);
    assertClose(accum, adagrad.accum, 1e-5, `adagrad n=${n} accumulator`);
    assertClose(w2, adadelta.w, 1e-5, `adadelta n=${n} lr=${lr} ρ=${rho} ε=${epsilon}`);
    assertClose(accumGrad, adadelta.accumGrad, 1e-5, `adadelta n=${n} accumulated gradients`);
    assertClose(accumUpdate, adadelta.accumUpdate, 1e-5, `adadelta n=${n} accumulated updates`);
  }
});

test('Adadelta\'s first step is not lr·g (TF.js\'s): the accumulator is updated before it divides', async () => {
  const k = await kernels();
  const g = Float32Array.of(0.5, -2, 1e-3);
  const [w] = withBuffers([g], [new Float32Array(3), new Float32Array(3), new Float32Array(3)], ([pg], [pw, pa, pd]) =>
    k.adadeltaUpdate(pw, pg, pa, pd, 3, 1, 0.95, 1e-7));
  // u = g·√ε/√(0.05·g² + ε): about √(ε/0.05)·sign(g) for |g| ≫ √ε.
  assertClose(w, g.map((v) => -(v * Math.sqrt(1e-7)) / Math.sqrt(0.05 * v * v + 1e-7)), 1e-5, 'first step');
});

test('sumOfSquares, clipToNorm and clipByValue match the reference on 107 lengths', async () => {
  const k = await kernels();
  for (const n of lengths) {
    const g = rng.array(n, -2, 2);
    let sum = NaN;
    withBuffers([g], [], ([pg]) => {
      sum = k.sumOfSquares(pg, n);
    });
    assertClose([sum], [g.reduce((s, v) => s + v * v, 0)], 1e-12, `sumOfSquares n=${n}`);
    const clipNorm = rng.pick([0.1, 1, 1e6]), limit = rng.pick([0.1, 0.5, 3]);
    const [byNorm, byValue] = withBuffers([], [g, g], (_, [pn, pv]) => {
      k.clipToNorm(pn, n, k.sumOfSquares(pn, n), clipNorm);
      k.clipByValue(pv, n, limit);
    });
    assertClose(byNorm, ref.clipByNorm(g, clipNorm), 1e-6, `clipToNorm n=${n} c=${clipNorm}`);
    assertClose(byValue, ref.clipByValue(g, limit), 0, `clipByValue n=${n} limit=${limit}`);
    if (clipNorm === 1e6) assert.equal([...byNorm], [...g], 'a gradient within the norm is left as it is');
  }
});

test.run();
