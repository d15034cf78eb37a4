import { test } from 'uvu';
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

test('adamUpdate matches the reference on 107 lengths', async () => {
  const k = await kernels();
  for (const n of lengths) {
    const lr = rng.pick([0.001, 0.01, 0.1]), weightDecay = rng.pick([0, 0, 1e-3, 0.1]);
    const beta1 = rng.pick([0.9, 0.5]), beta2 = rng.pick([0.999, 0.9]), epsilon = rng.pick([1e-7, 1e-3]);
    let w: Float32Array = rng.array(n), m: Float32Array = new Float32Array(n), v: Float32Array = new Float32Array(n);
    let expected = { w, m, v };
    for (let step = 1; step <= STEPS; step++) {
      const g = rng.array(n);
      [w, m, v] = withBuffers([g], [w, m, v], ([pg], [pw, pm, pv]) =>
        k.adamUpdate(pw, pg, pm, pv, n, lr, beta1, beta2, epsilon, 1 - beta1 ** step, 1 - beta2 ** step, weightDecay));
      expected = ref.adamUpdate(expected.w, g, expected.m, expected.v, lr, beta1, beta2, epsilon, step, weightDecay);
    }
    const what = `adam n=${n} lr=${lr} β=${beta1},${beta2} ε=${epsilon} decay=${weightDecay}`;
    assertClose(w, expected.w, 1e-5, what);
    assertClose(m, expected.m, 1e-5, `${what} m`);
    assertClose(v, expected.v, 1e-5, `${what} v`);
  }
});

test.run();
