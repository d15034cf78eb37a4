// A quick version of the soak's churn (npm run soak runs 10,000 models and 1,000,000 tensors).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init } from '../../src/index.js';
import { churnModels, churnTensors } from './churn.js';

test('200 models and 20,000 tensors created and disposed leave wasm memory where it started', async () => {
  await init();
  churnModels(1); // the first model may grow memory once; later ones must reuse it
  const models = churnModels(200);
  assert.equal(models.after, models.before);
  const tensors = churnTensors(20000);
  assert.equal(tensors.after, tensors.before);
});

test.run();
