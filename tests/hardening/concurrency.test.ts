// Work interleaved in one process: two fits at once, and predict while fit runs (from its callbacks
// and from timers), each give exactly what they give alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type FitOptions, type Model, type Tensor, init } from '../../src/index.js';
import { assertSameBits, assertSameWeights, convModel, strokeData } from '../io/model-files.js';

const { x, y } = await (async () => (await init(), strokeData(96, 7)))();
const probe = strokeData(40, 8).x; // more rows than a fit batch: predict plans larger buffers mid-fit

async function trained(seed: number, options: FitOptions = {}): Promise<Model> {
  const model = convModel(seed, 0.25);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  await model.fit(x, y, { epochs: 3, batchSize: 8, ...options });
  return model;
}

/** Yields to the event loop after every batch, so two fits alternate batch by batch. */
const everyBatchYields: FitOptions = { onBatchEnd: () => new Promise((resolve) => setTimeout(resolve, 0)) };

test('two models trained at once end with the weights each gets alone', async () => {
  const [a, b] = await Promise.all([trained(1, everyBatchYields), trained(2, everyBatchYields)]);
  assertSameWeights(a, await trained(1), 'model 1');
  assertSameWeights(b, await trained(2), 'model 2');
});

/** Predicts `probe` with `model` and with a fresh model given the same weights: they must agree. */
function checkPredictAlone(model: Model, twin: Model, what: string): void {
  const weights = model.getWeights();
  twin.setWeights(weights);
  assertSameBits(model.predict(probe).dataSync(), twin.predict(probe).dataSync(), what);
  weights.forEach((w: Tensor) => w.dispose());
}

test('predict from onBatchEnd and from timers during fit gives what it gives alone, and fit ends the same', async () => {
  const twin = convModel(9, 0.25);
  let duringBatches = 0, duringTimers = 0;
  const model = convModel(3, 0.25);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const timer = setInterval(() => {
    checkPredictAlone(model, twin, `predict from a timer (${duringTimers})`);
    duringTimers++;
  }, 1);
  try {
    await model.fit(x, y, { epochs: 3, batchSize: 8, onBatchEnd: async (batch) => {
      checkPredictAlone(model, twin, `predict after batch ${batch}`);
      duringBatches++;
      if (batch % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 2)); // let the timer in
    } });
  } finally {
    clearInterval(timer);
  }
  assert.ok(duringBatches > 0 && duringTimers > 0, `predicted during fit: ${duringBatches} from onBatchEnd, ${duringTimers} from timers`);
  assertSameWeights(model, await trained(3), 'weights after the interrupted fit');
});

test.run();
