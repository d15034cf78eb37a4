// Every layer's own trainable flag survives save and load, in the convas and TF.js formats: a
// nested model's own flag, and its layers' flags under it, which need not agree with it (Keras's
// fine-tuning recipe freezes a base's lower blocks; a frozen base may hold layers flagged for later),
// and the saved model's own, as Keras 3 saves and restores it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Layer, Model, init, input, layers, loadModel, model, sequential } from '../../src/index.js';
import '@tensorflow/tfjs-backend-cpu';
import { temporaryDirectory } from './model-files.js';
import { loadInTfjs } from './tfjs-files.js';

/**
 * Each layer's own flag, nested models' layers under theirs: `outer.base.lower=false`. Input layers
 * are left out: they hold no weights, and files give them no flag.
 */
function flags(m: Model, path = m.name): string[] {
  return [`${path}=${m.trainable}`, ...m.layers.filter((l) => l.className !== 'InputLayer')
    .flatMap((l: Layer) => (l instanceof Model ? flags(l, `${path}.${l.name}`) : [`${path}.${l.name}=${l.trainable}`]))];
}

function base(): Model {
  const x = input({ shape: [4], name: 'base_input' });
  const lower = layers.dense({ units: 3, name: 'lower' }).apply(x);
  return model({ inputs: x, outputs: layers.dense({ units: 3, name: 'upper' }).apply(lower), name: 'base' });
}

async function roundTrips(m: Model, what: string): Promise<void> {
  for (const format of ['convas', 'tfjs'] as const) {
    const dir = await temporaryDirectory();
    await m.save(dir, { format });
    if (format === 'tfjs') (await loadInTfjs(dir)).dispose(); // TF.js reads the flags it ignores
    const back = await loadModel(dir);
    assert.equal(flags(back), flags(m), `${what}, ${format} format: every layer's flag`);
    assert.equal(back.trainableWeights.map((w) => w.name), m.trainableWeights.map((w) => w.name), `${what}, ${format} format: trainable weights`);
    back.dispose();
  }
}

test.before(async () => {
  await init();
});

test('a frozen nested model keeps its layers\' own flags: one flagged trainable under it stays so', async () => {
  const frozen = base();
  frozen.trainable = false;
  frozen.getLayer('upper').trainable = true;
  await roundTrips(sequential({ inputShape: [4], name: 'outer', layers: [frozen, layers.dense({ units: 2, name: 'head' })] }),
    'frozen base, upper flagged trainable');
});

test('a trainable nested model keeps its frozen layers frozen, two models deep too', async () => {
  const partly = base();
  partly.getLayer('lower').trainable = false;
  const middle = sequential({ inputShape: [4], name: 'middle', layers: [partly, layers.dense({ units: 2, name: 'between' })] });
  await roundTrips(sequential({ inputShape: [4], name: 'outer', layers: [middle, layers.dense({ units: 2, name: 'head' })] }), 'lower frozen');
});

test('a frozen model is loaded frozen, a nested model and its layers with it', async () => {
  const outer = sequential({ inputShape: [4], name: 'outer', layers: [base(), layers.dense({ units: 2, name: 'head' })] });
  outer.trainable = false;
  await roundTrips(outer, 'outer frozen');
  const frozenGraph = base();
  frozenGraph.trainable = false;
  await roundTrips(frozenGraph, 'a frozen functional model');
});

test.run();
