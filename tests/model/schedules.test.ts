// Learning-rate schedules: each against Keras's formula (TF.js has no schedules), composition,
// reduce-on-plateau against Keras's callback, the rate fit uses at each batch step, the wasm math
// that keeps rates engine-independent, and the settings refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ConfigError, type LearningRateSchedule, type Model, layers, schedules, sequential, tensor,
} from '../../src/index.js';
import { kernels, random } from '../helpers.js';
import * as keras from '../reference/schedules.js';
import { strokes } from './synthetic.js';
import { throwsWith } from '../throws-with.js';

const refused = (run: () => unknown, ...fragments: string[]) => throwsWith(run, ConfigError, ...fragments);

/** Relative agreement: rates are small, so an absolute tolerance would prove little. */
function assertRates(actual: (step: number) => number, expected: (step: number) => number, steps: number, what: string, tolerance = 1e-12) {
  for (let step = 0; step <= steps; step++) {
    const a = actual(step), e = expected(step);
    if (!(Math.abs(a - e) <= tolerance * Math.abs(e) + 1e-300)) assert.unreachable(`${what}: at step ${step} ${a}, Keras's formula ${e}`);
  }
}

const at = (s: LearningRateSchedule) => (step: number) => s.at(step);

test('each schedule gives Keras\'s rate at every step', async () => {
  await kernels();
  const exponential = [
    { initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 },
    { initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9, staircase: true },
    { initialLearningRate: 0.02, decaySteps: 7.5, decayRate: 0.5, staircase: true },
  ];
  for (const o of exponential) assertRates(at(schedules.exponentialDecay(o)), keras.exponentialDecay(o), 300, `exponentialDecay ${JSON.stringify(o)}`);
  for (const o of [{ boundaries: [10, 50, 100], values: [0.1, 0.05, 0.01, 0.001] }, { boundaries: [3], values: [1, 0.5] }]) {
    assertRates(at(schedules.piecewiseConstantDecay(o)), keras.piecewiseConstantDecay(o), 300, `piecewiseConstantDecay ${JSON.stringify(o)}`);
  }
  const cosine = [
    { initialLearningRate: 0.1, decaySteps: 100 },
    { initialLearningRate: 0.1, decaySteps: 100, alpha: 0.1 },
    { initialLearningRate: 0, decaySteps: 100, alpha: 0.05, warmupTarget: 0.2, warmupSteps: 30 },
  ];
  for (const o of cosine) assertRates(at(schedules.cosineDecay(o)), keras.cosineDecay(o), 300, `cosineDecay ${JSON.stringify(o)}`, 1e-9);
  const restarts = [
    { initialLearningRate: 0.1, firstDecaySteps: 20 },
    { initialLearningRate: 0.1, firstDecaySteps: 20, tMul: 2, mMul: 0.9, alpha: 0.05 },
    { initialLearningRate: 0.1, firstDecaySteps: 13, tMul: 1, mMul: 0.5 },
    { initialLearningRate: 0.1, firstDecaySteps: 10, tMul: 1.5, alpha: 0.1 },
    { initialLearningRate: 0.1, firstDecaySteps: 10, tMul: 3 },
  ];
  for (const o of restarts) {
    assertRates(at(schedules.cosineDecayRestarts(o)), keras.cosineDecayRestarts(o), 400, `cosineDecayRestarts ${JSON.stringify(o)}`, 1e-9);
  }
});

test('cosineDecayRestarts restarts exactly where a period ends, where Keras\'s logarithm can land one period short', async () => {
  await kernels();
  const o = { initialLearningRate: 0.1, firstDecaySteps: 10, tMul: 10, mMul: 0.5 };
  const s = schedules.cosineDecayRestarts(o);
  // Periods of 10, 100 and 1000 steps: the fourth starts at step 1110, at 0.1·0.5³.
  assert.is(s.at(10), 0.05);
  assert.is(s.at(110), 0.025);
  assert.is(s.at(1110), 0.0125);
  // In f64, log(1000)/log(10) is 2.9999999999999996: the formula puts step 1110 at the end of the third period.
  assert.ok(keras.cosineDecayRestarts(o)(1110) < 1e-15, 'Keras\'s formula restarts on time here; the test shows nothing');
  assertRates(at(s), keras.cosineDecayRestarts(o), 1109, 'before the misplaced restart', 1e-9);
});

test('linearWarmup puts a line in front of any schedule; with cosineDecay it is Keras\'s CosineDecay with warmupTarget, bit for bit', async () => {
  await kernels();
  const keras_ = schedules.cosineDecay({ initialLearningRate: 0.01, decaySteps: 80, alpha: 0.1, warmupTarget: 0.3, warmupSteps: 25 });
  const composed = schedules.linearWarmup({
    warmupSteps: 25, initialLearningRate: 0.01, schedule: schedules.cosineDecay({ initialLearningRate: 0.3, decaySteps: 80, alpha: 0.1 }),
  });
  for (let step = 0; step < 200; step++) assert.is(composed.at(step), keras_.at(step), `step ${step}`);
  const steps = schedules.linearWarmup({ warmupSteps: 10, schedule: schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 5, decayRate: 0.5 }) });
  const decay = keras.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 5, decayRate: 0.5 });
  assertRates(at(steps), (t) => (t < 10 ? 0.1 * (t / 10) : decay(t - 10)), 100, 'warm-up then exponential decay');
  const constant = schedules.linearWarmup({ warmupSteps: 4, initialLearningRate: 0.2, schedule: 0.01 });
  assert.equal([0, 1, 2, 3, 4, 50].map((t) => constant.at(t)), [...[0, 1, 2, 3].map((t) => (0.01 - 0.2) * (t / 4) + 0.2), 0.01, 0.01]);
});

test('reduceLROnPlateau follows Keras\'s ReduceLROnPlateau on monitored values with plateaus, ups and downs', async () => {
  await kernels();
  const rng = random(5);
  const configs = [
    { initialLearningRate: 0.1 },
    { initialLearningRate: 0.1, patience: 2, factor: 0.5, minDelta: 0.01 },
    { initialLearningRate: 0.1, patience: 1, factor: 0.3, cooldown: 2, minLr: 0.002 },
    { initialLearningRate: 0.05, monitor: 'val_acc', patience: 2, factor: 0.5 },
    { initialLearningRate: 0.05, monitor: 'loss', mode: 'max', patience: 0, factor: 0.9 },
  ] as const;
  for (const o of configs) {
    const schedule = schedules.reduceLROnPlateau(o), expected = keras.reduceLROnPlateau(o);
    let value = 1, drops = 0;
    for (let epoch = 0; epoch < 100; epoch++) {
      // A walk that mostly stalls, sometimes moves: improvements, plateaus and setbacks.
      const r = rng.next();
      value += r < 0.1 ? -0.05 : r < 0.2 ? 0.05 : rng.next() * 0.004 - 0.002;
      const before = schedule.at(0);
      schedule.epochEnd(value);
      expected.epochEnd(value);
      assert.is(schedule.at(epoch * 7), expected.lr, `${JSON.stringify(o)}: rate after epoch ${epoch}`);
      if (schedule.at(0) < before) drops++;
    }
    assert.ok(drops > 0, `${JSON.stringify(o)}: the rate never dropped; the test shows nothing`);
  }
});

test('schedules use no JavaScript transcendental function (engines may differ in its last bit): cos and pow come from wasm', async () => {
  await kernels();
  const all = [
    schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 }),
    schedules.piecewiseConstantDecay({ boundaries: [10], values: [0.1, 0.01] }),
    schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 100, warmupTarget: 0.2, warmupSteps: 10 }),
    schedules.cosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 10, tMul: 1.5, mMul: 0.9 }),
    schedules.linearWarmup({ warmupSteps: 5, schedule: schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 50 }) }),
    schedules.reduceLROnPlateau({ initialLearningRate: 0.1, patience: 0 }),
  ];
  const names = ['cos', 'sin', 'tan', 'exp', 'expm1', 'log', 'log1p', 'log2', 'log10', 'pow', 'cosh', 'sinh', 'atan2', 'hypot', 'cbrt'] as const;
  const saved = names.map((name) => Math[name]);
  const math = Math as unknown as Record<string, unknown>;
  names.forEach((name) => (math[name] = () => assert.unreachable(`a schedule called Math.${name}`)));
  try {
    for (const s of all) for (let step = 0; step < 200; step += 3) assert.ok(Number.isFinite(s.at(step)));
  } finally {
    names.forEach((name, i) => (math[name] = saved[i]));
  }
});

// --- in fit

const smallModel = (seed: number) => sequential({ inputShape: [8, 8, 1], seed, layers: [
  layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }), layers.flatten(), layers.dense({ units: 4, activation: 'softmax' }),
] });

const bitsOf = (m: Model) => m.getWeights().map((w) => Array.from(new Uint32Array(w.dataSync().buffer)).join(',')).join('|');

test('fit steps the schedule once per batch, from 0: SGD with a schedule equals SGD at each step\'s rate', async () => {
  await kernels();
  const { images, labels } = strokes(12, 8, 2);
  const x = tensor(images, [12, 8, 8, 1]), y = tensor(labels, [12, 4]);
  const schedule = () => schedules.cosineDecayRestarts({ initialLearningRate: 0.5, firstDecaySteps: 2, alpha: 0.1 });
  const scheduled = smallModel(3);
  scheduled.compile({ optimizer: { type: 'sgd', learningRate: schedule() }, loss: 'categoricalCrossentropy' });
  await scheduled.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false });
  // By hand: one batch at a time, recompiled at the rate of that step (SGD keeps no state).
  const byHand = smallModel(3), rates = schedule();
  for (let step = 0; step < 6; step++) {
    byHand.compile({ optimizer: { type: 'sgd', learningRate: rates.at(step) }, loss: 'categoricalCrossentropy' });
    const batch = step % 3;
    await byHand.fit(tensor(images.slice(batch * 256, (batch + 1) * 256), [4, 8, 8, 1]), tensor(labels.slice(batch * 16, (batch + 1) * 16), [4, 4]),
      { epochs: 1, batchSize: 4, shuffle: false });
  }
  assert.is(bitsOf(scheduled), bitsOf(byHand));
  assert.is(scheduled.optimizerState!.learningRate, rates.at(6), 'the rate of the next step');
});

test('reduceLROnPlateau in fit: the rate drops at the end of epochs without improvement; a val_ monitor needs validationData', async () => {
  await kernels();
  const { images, labels } = strokes(8, 8, 2);
  const x = tensor(images, [8, 8, 8, 1]), y = tensor(labels, [8, 4]);
  const m = smallModel(4);
  const settings = { initialLearningRate: 0.05, monitor: 'loss', patience: 1, factor: 0.5, minDelta: 0.02 } as const;
  const plateau = schedules.reduceLROnPlateau(settings);
  m.compile({ optimizer: { type: 'adam', learningRate: plateau }, loss: 'categoricalCrossentropy' });
  const history = await m.fit(x, y, { epochs: 8, batchSize: 4 });
  // Keras's callback fed the epochs' losses; fed their accuracies instead it would end elsewhere.
  const expected = (logs: number[]) => {
    const callback = keras.reduceLROnPlateau(settings);
    logs.forEach((value) => callback.epochEnd(value));
    return callback.lr;
  };
  const rate = m.optimizerState!.learningRate;
  assert.is(rate, expected(history.history.loss));
  assert.ok(rate < Math.fround(0.05) && rate !== expected(history.history.acc), `the test cannot tell which log fit passed (${rate})`);
  assert.is(plateau.at(0), Math.fround(0.05), 'the schedule passed in is the optimizer\'s own copy: it keeps its state');

  m.compile({ optimizer: { type: 'adam', learningRate: schedules.reduceLROnPlateau({ initialLearningRate: 0.1 }) }, loss: 'categoricalCrossentropy' });
  let error: unknown;
  await m.fit(x, y).catch((e) => (error = e));
  assert.instance(error, ConfigError);
  assert.match((error as Error).message, /val_loss, which needs validationData/);
});

test('reduceLROnPlateau keeps its best, wait and cooldown from one fit to the next: 8 fits of 1 epoch give the bits of one of 8', async () => {
  await kernels();
  const { images, labels } = strokes(8, 8, 2);
  const x = tensor(images, [8, 8, 8, 1]), y = tensor(labels, [8, 4]);
  // Patience 2: restarted at each fit, as Keras's callback is, it would never wait long enough to drop the rate.
  const settings = { initialLearningRate: 0.05, monitor: 'loss', patience: 2, factor: 0.5, minDelta: 0.1, cooldown: 1 } as const;
  const trained = async (runs: number[][]) => {
    const m = smallModel(4);
    m.compile({ optimizer: { type: 'adam', learningRate: schedules.reduceLROnPlateau(settings) }, loss: 'categoricalCrossentropy' });
    for (const [initialEpoch, epochs] of runs) await m.fit(x, y, { initialEpoch, epochs, batchSize: 4 });
    return m;
  };
  const whole = await trained([[0, 8]]), resumed = await trained(Array.from({ length: 8 }, (_, e) => [e, e + 1]));
  assert.ok(whole.optimizerState!.learningRate < Math.fround(0.05), 'the rate dropped, or the test proves nothing');
  assert.is(resumed.optimizerState!.learningRate, whole.optimizerState!.learningRate);
  resumed.getWeights().forEach((w, i) => assert.equal([...w.dataSync()], [...whole.getWeights()[i].dataSync()], `weight ${i}`));
});

test('impossible schedule settings are ConfigErrors naming the setting', async () => {
  await kernels();
  refused(() => schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.9 }), 'exponentialDecay', 'decaySteps');
  refused(() => schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9, stairs: true } as never), 'stairs');
  refused(() => schedules.piecewiseConstantDecay({ boundaries: [10, 5], values: [1, 2, 3] }), 'boundaries must increase');
  refused(() => schedules.piecewiseConstantDecay({ boundaries: [10], values: [1] }), 'one more value than boundaries');
  refused(() => schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, alpha: 2 }), 'alpha', '[0, 1]');
  refused(() => schedules.cosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 10, tMul: 0.5 }), 'tMul', '≥ 1');
  refused(() => schedules.linearWarmup({ warmupSteps: 10, schedule: { className: 'Mystery', config: {} } }), 'Mystery', 'CosineDecay');
  // One range for every refused factor: (0, 1), as 0 is refused too.
  refused(() => schedules.reduceLROnPlateau({ initialLearningRate: 0.1, factor: 1 }), 'reduceLROnPlateau: factor must be a number in (0, 1), got 1');
  refused(() => schedules.reduceLROnPlateau({ initialLearningRate: 0.1, factor: 0 }), 'reduceLROnPlateau: factor must be a number in (0, 1), got 0');
  refused(() => schedules.reduceLROnPlateau({ initialLearningRate: 0.1, monitor: 'val_acuracy' as never }), 'monitor', 'val_acc');
  refused(() => schedules.reduceLROnPlateau({ initialLearningRate: 0.1, patience: 1.5 }), 'patience', 'integer');
  refused(() => smallModel(1).compile({ optimizer: { type: 'sgd', learningRate: { className: 'CosineDecay', config: { decaySteps: 5 } } },
    loss: 'categoricalCrossentropy' }), 'cosineDecay', 'initialLearningRate');
});

test.run();
