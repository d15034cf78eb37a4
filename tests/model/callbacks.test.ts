// fit's callbacks: Keras's order of events (the same sequence TF.js calls, validation before
// onEpochEnd), awaited async hooks, model.stopTraining, Callback subclasses told the model and the
// run's params, convas's own onBatchEnd / onEpochEnd / shouldStop options, and bad callbacks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Callback, type CallbackHooks, ConfigError, type Logs, type TrainingParams, init, layers, sequential, tensor } from '../../src/index.js';
import { random } from '../helpers.js';
import { rejectsWith } from '../throws-with.js';

const N = 20;
const FEATURES = 6;
const CLASSES = 3;

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

function data(seed: number, n = N) {
  const rng = random(seed);
  const x = rng.array(n * FEATURES);
  const y = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) y[i * CLASSES + (i % CLASSES)] = 1;
  return { x, y };
}

function net(seed = 1) {
  const model = sequential({ inputShape: [FEATURES], seed, layers: [layers.dense({ units: 8, activation: 'relu' }), layers.dense({ units: CLASSES, activation: 'softmax' })] });
  model.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
  return model;
}

/** A recorder of hook calls, as names (with val_loss present or not at epoch end). */
function recorder(events: string[]) {
  return {
    onTrainBegin: () => void events.push('trainBegin'),
    onEpochBegin: (e: number) => void events.push(`epochBegin ${e}`),
    onBatchBegin: (b: number) => void events.push(`batchBegin ${b}`),
    onBatchEnd: (b: number) => void events.push(`batchEnd ${b}`),
    onEpochEnd: (e: number, logs?: Record<string, unknown>) => void events.push(`epochEnd ${e}${logs && 'val_loss' in logs ? ' val' : ''}`),
    onTrainEnd: () => void events.push('trainEnd'),
  };
}

test('the hooks come in the order TF.js calls them, validation logs at each epoch end', async () => {
  const { x, y } = data(1);
  const v = data(2, 6);
  const tfjsEvents: string[] = [];
  const tfjsModel = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [FEATURES], units: CLASSES, activation: 'softmax' })] });
  tfjsModel.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  await tfjsModel.fit(tf.tensor(x, [N, FEATURES]), tf.tensor(y, [N, CLASSES]), {
    epochs: 3, batchSize: 8, shuffle: false, validationData: [tf.tensor(v.x, [6, FEATURES]), tf.tensor(v.y, [6, CLASSES])],
    callbacks: recorder(tfjsEvents), verbose: 0,
  });
  const events: string[] = [];
  await net().fit(tensor(x, [N, FEATURES]), tensor(y, [N, CLASSES]), {
    epochs: 3, batchSize: 8, shuffle: false, validationData: [tensor(v.x, [6, FEATURES]), tensor(v.y, [6, CLASSES])], callbacks: [recorder(events)],
  });
  assert.equal(events, tfjsEvents);
  assert.is(events.filter((e) => e === 'epochEnd 2 val').length, 1);
});

test('async hooks are awaited before training goes on; a Callback is told the model and the params', async () => {
  const { x, y } = data(3);
  const model = net();
  const order: string[] = [];
  class Slow extends Callback {
    seen?: TrainingParams;
    async onEpochEnd(epoch: number) {
      this.seen = this.params;
      await new Promise((r) => setTimeout(r, 5));
      order.push(`slow end ${epoch}`);
      assert.is(this.model, model);
    }
  }
  const slow = new Slow();
  await model.fit(tensor(x, [N, FEATURES]), tensor(y, [N, CLASSES]), {
    epochs: 2, batchSize: 8, validationSplit: 0.2, callbacks: [slow, { onEpochBegin: (e) => void order.push(`begin ${e}`) }],
  });
  assert.equal(order, ['begin 0', 'slow end 0', 'begin 1', 'slow end 1']);
  assert.equal(slow.seen, { epochs: 2, initialEpoch: 0, steps: 2, samples: 16, batchSize: 8, doValidation: true,
    metrics: ['loss', 'acc', 'val_loss', 'val_acc'] });
});

test('model.stopTraining, set in onBatchEnd, ends the epoch after that batch (validation and onEpochEnd still run), then training', async () => {
  const { x, y } = data(4);
  const model = net();
  const events: string[] = [];
  const history = await model.fit(tensor(x, [N, FEATURES]), tensor(y, [N, CLASSES]), {
    epochs: 5, batchSize: 4, validationSplit: 0.2, callbacks: [recorder(events), {
      onBatchEnd: (b) => {
        if (b === 1) model.stopTraining = true;
      },
    }],
  });
  assert.equal(events, ['trainBegin', 'epochBegin 0', 'batchBegin 0', 'batchEnd 0', 'batchBegin 1', 'batchEnd 1', 'epochEnd 0 val', 'trainEnd']);
  assert.equal(history.epoch, [0]);
  // fit starts each run with stopTraining cleared, as Keras does.
  const again = await model.fit(tensor(x, [N, FEATURES]), tensor(y, [N, CLASSES]), { epochs: 2, batchSize: 4 });
  assert.equal(again.epoch, [0, 1]);
});

test('a plain object of hooks (TF.js\'s callbacks: { … } form) and convas\'s own options still work, together', async () => {
  const { x, y } = data(5);
  const seen: string[] = [];
  let stopAsked = false;
  const history = await net().fit(tensor(x, [N, FEATURES]), tensor(y, [N, CLASSES]), {
    epochs: 4, batchSize: 10,
    callbacks: { onEpochEnd: (e: number, logs: Logs) => void seen.push(`callbacks ${e} ${typeof logs.acc}`) },
    onBatchEnd: (b, logs) => void seen.push(`option batch ${b} ${logs.size}`),
    onEpochEnd: (e) => {
      seen.push(`option epoch ${e}`);
      if (e === 1) stopAsked = true;
    },
    shouldStop: () => stopAsked,
  });
  assert.equal(history.epoch, [0, 1]);
  assert.equal(seen, ['option batch 0 10', 'option batch 1 10', 'option epoch 0', 'callbacks 0 number',
    'option batch 0 10', 'option batch 1 10', 'option epoch 1', 'callbacks 1 number']);
});

test('a callback\'s other fields and methods are its own business: only names like a hook\'s are checked', async () => {
  const { x, y } = data(6);
  class Counter extends Callback {
    epochs = 0;
    once = true;
    count(): void {
      this.epochs++;
    }

    onEpochEnd(): void {
      this.count();
    }
  }
  const counter = new Counter();
  await net().fit(tensor(x, [N, FEATURES]), tensor(y, [N, CLASSES]), { epochs: 2, callbacks: [counter, { online: true, onEpochEnd: () => {} } as CallbackHooks] });
  assert.is(counter.epochs, 2);
});

test('callbacks that are not objects of hooks are ConfigErrors before training starts', async () => {
  const { x, y } = data(6);
  const model = net();
  const before = model.getWeights().map((w) => w.dataSync());
  const fit = (callbacks: unknown) => model.fit(tensor(x, [N, FEATURES]), tensor(y, [N, CLASSES]), { callbacks: callbacks as never });
  await rejectsWith(() => fit([3]), ConfigError, 'callbacks[0]');
  await rejectsWith(() => fit({ onEpochEnd: 'log' }), ConfigError, 'callbacks.onEpochEnd must be a function');
  await rejectsWith(() => fit([{}]), ConfigError, 'none of the hooks');
  // A misspelt hook would never be called, and nothing would say so: beside a right one too, in a subclass, or in Keras's spelling.
  await rejectsWith(() => fit([{ onEpochFinish: () => {} }]), ConfigError, 'callbacks[0].onEpochFinish is not a hook', 'onEpochEnd');
  await rejectsWith(() => fit({ onEpochEnd: () => {}, onBatchEnds: () => {} }), ConfigError, 'callbacks.onBatchEnds is not a hook');
  await rejectsWith(() => fit({ on_epoch_end: () => {} }), ConfigError, 'callbacks.on_epoch_end is not a hook');
  class Misspelt extends Callback {
    onEpochEnds(): void {}
  }
  await rejectsWith(() => fit([new Misspelt()]), ConfigError, 'callbacks[0].onEpochEnds is not a hook');
  await rejectsWith(() => fit({ onYield: () => {} }), ConfigError, 'onYield is not called by convas', 'yieldEvery');
  await rejectsWith(() => fit({ onEpochEnd: () => {}, on_test_end: () => {} }), ConfigError, 'callbacks.on_test_end is not a hook');
  await rejectsWith(() => model.fit(tensor(x, [N, FEATURES]), tensor(y, [N, CLASSES]), { onEpochEnd: 1 as never }), ConfigError, 'onEpochEnd');
  model.getWeights().forEach((w, i) => assert.equal([...w.dataSync()], [...before[i]]));
  // A callback object's own helpers named on… are left alone, as TF.js leaves them (a UI's onStopClicked).
  let epochs = 0;
  await fit({ onEpochEnd: () => void epochs++, onProgress: () => {}, onStopClicked: () => {} });
  assert.is(epochs, 1);
});

test.run();
