// Wasm memory at its limits (Node only: the fillers are gigabytes of wasm memory).
// - Addresses past 2 GiB: an address shifted by `>> 2` in JavaScript turns negative there, so a copy
//   into or out of such a buffer silently did nothing (a model read its outputs as zeros). A model
//   whose buffers lie above 2 GiB must compute, bit for bit, what the same model computes below.
// - Memory running out while a model file loads is an OutOfMemoryError: no fault of the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { getBackend, init } from '../../src/backend/wasm.js';
import { type Model, OutOfMemoryError, StateError, type Tensor, input, layers, loadModel, model, sequential, tensor } from '../../src/index.js';
import '../../src/onnx/index.js';
import { assertSameBits } from '../helpers.js';
import { temporaryDirectory } from '../io/model-files.js';
import { fixturePath } from '../onnx/fixtures.js';
import { GraphExecutor } from '../../src/model/executor.js';
import { BatchBuffers } from '../../src/model/batch-buffers.js';

const EXAMPLES = 8, SHAPE = [6, 6, 2], CLASSES = 3;
const xValues = Float32Array.from({ length: EXAMPLES * 72 }, (_, i) => Math.sin(i));
const yValues = Float32Array.from({ length: EXAMPLES * CLASSES }, (_, i) => (i % CLASSES === Math.floor(i / CLASSES) % CLASSES ? 1 : 0));

function makeModel(): Model {
  const model = sequential({
    inputShape: SHAPE, seed: 3,
    layers: [layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), layers.flatten(), layers.dense({ units: CLASSES, activation: 'softmax' })],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Predicts, trains two epochs, evaluates and predicts again: everything that copies between buffers and tensors. */
async function exercise() {
  const x = tensor(xValues, [EXAMPLES, ...SHAPE]), y = tensor(yValues, [EXAMPLES, CLASSES]);
  const model = makeModel();
  const first = model.predict(x).dataSync();
  await model.fit(x, y, { epochs: 2, batchSize: 4 });
  const { loss, accuracy } = model.evaluate(x, y);
  const weights = model.getWeights().map((w) => w.dataSync());
  return { model, first, after: model.predict(x).dataSync(), weights, loss, accuracy, lowest: Math.min(x.ptr, y.ptr, ...model.weights.map((p) => p.value)) };
}

test('a model whose buffers lie above 2 GiB predicts, trains and evaluates as one below it', async () => {
  await init();
  const below = await exercise();
  assert.ok(below.first.some((v) => v !== 0));
  const filler = getBackend().memory.alloc(2 ** 31);
  const above = await exercise();
  assert.ok(above.lowest >= 2 ** 31, `the second model's buffers start at ${above.lowest}`);
  assertSameBits(above.first, below.first, 'predict before training');
  assertSameBits(above.after, below.after, 'predict after training');
  above.weights.forEach((w, i) => assertSameBits(w, below.weights[i], `weight ${i}`));
  assert.is(above.loss, below.loss);
  assert.is(above.accuracy, below.accuracy);
  getBackend().memory.free(filler);
});

test('memory running out while a model file loads is an OutOfMemoryError (convas, TF.js and ONNX files)', async () => {
  await init();
  const dir = await temporaryDirectory();
  // A quarter of a megabyte of weights: more than the 64 KiB the fillers leave.
  const saved = sequential({ inputShape: [256], seed: 1, layers: [layers.dense({ units: 256 })] });
  await saved.save(join(dir, 'bare'));
  // Compiled, the convas file keeps the optimizer, whose state loading allocates too.
  saved.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  await saved.save(join(dir, 'convas'));
  await saved.save(join(dir, 'tfjs'), { format: 'tfjs' });
  saved.dispose();
  await withMemoryLeft(2 ** 16, async () => {
    for (const file of [join(dir, 'bare'), join(dir, 'convas'), join(dir, 'tfjs'), fixturePath('resnet18_narrow')]) {
      const error = await loadModel(file).then(() => undefined, (e: Error) => e);
      assert.ok(error instanceof OutOfMemoryError, `${file}: ${error?.name}: ${error?.message}`);
      assert.match(error!.message, 'wasm memory cannot grow');
    }
  });
});

/** Runs `run` with all the memory there is taken but the last `left` bytes (to within a half). */
async function withMemoryLeft(left: number, run: () => Promise<void>): Promise<void> {
  const memory = getBackend().memory;
  const fillers: number[] = [];
  for (let size = 2 ** 31; size >= left;) {
    try {
      fillers.push(memory.alloc(size));
    } catch {
      size /= 2;
    }
  }
  try {
    await run();
  } finally {
    fillers.forEach((f) => memory.free(f));
  }
}

/** Asserts that `run` fails with an OutOfMemoryError and leaves no more memory in use than before. */
async function failsWholly(run: () => unknown, what: string): Promise<void> {
  const memory = getBackend().memory;
  const before = memory.bytesInUse;
  const error = await Promise.resolve().then(run).then(() => undefined, (e: Error) => e);
  assert.ok(error instanceof OutOfMemoryError, `${what}: ${error?.name}: ${error?.message}`);
  assert.is(memory.bytesInUse, before, `${what}: nothing of it kept`);
}

test('memory running out part way keeps nothing of what was made: blocks made together, a model built, a batch planned', async () => {
  await init();
  const x = tensor(xValues, [EXAMPLES, ...SHAPE]), y = tensor(yValues, [EXAMPLES, CLASSES]);
  const trained = makeModel();
  await trained.fit(x, y, { epochs: 1, batchSize: 4 }); // its buffers, optimizer state and checkpoint copies made once
  const many = 40_000;
  const bigX = tensor(new Float32Array(many * 72), [many, ...SHAPE]), bigY = tensor(new Float32Array(many * CLASSES), [many, CLASSES]);
  const base = sequential({ inputShape: [1024], seed: 1, layers: [layers.dense({ units: 8 })] });
  const inputs = input({ shape: [1024] });
  const small = layers.dense({ units: 128 }), big = layers.dense({ units: 4096 });
  const outputs = big.apply(small.apply(inputs));
  await withMemoryLeft(2 ** 21, async () => {
    await failsWholly(() => getBackend().memory.allocAll([2 ** 19, 2 ** 22]), 'two blocks');
    // The first dense layer's 512 KiB fit, the second's 2 MiB do not.
    await failsWholly(() => model({ inputs, outputs }), 'a model');
    // A nested model given to a build that fails is the user's still.
    await failsWholly(() => model({ inputs, outputs: layers.dense({ units: 100_000 }).apply(base.apply(inputs)) }), 'a model around a base');
    // The convolution's buffers for 40,000 examples fit no more than the model's later ones.
    await failsWholly(() => trained.fit(bigX, bigY, { epochs: 1, batchSize: many }), 'a batch');
    await trained.fit(x, y, { epochs: 1, batchSize: 4 }); // and the model trains on
  });
  assert.is(base.predict(tensor(new Float32Array(1024), [1, 1024])).shape[1], 8);
  const retried = model({ inputs, outputs }); // the layers unbuilt are built again, whole
  assert.equal(retried.params.map((p) => p.shape), [[1024, 128], [128], [128, 4096], [4096]]);
  for (const m of [trained, base, retried]) m.dispose();
});

test('a plan that fails while another model trains on shared layers leaves that model\'s plan as it was', async () => {
  await init();
  const x = tensor(xValues, [EXAMPLES, ...SHAPE]), y = tensor(yValues, [EXAMPLES, CLASSES]);
  const reference = makeModel();
  await reference.fit(x, y, { epochs: 2, batchSize: 4 });
  const trained = makeModel();
  // A second model on the first's convolution, whose own head runs out of memory planning its buffers.
  const head = layers.dense({ units: 5 });
  const sharing = model({ inputs: trained.inputs, outputs: head.apply(trained.layers[1].output) });
  const plan = (head as unknown as { planBuffers(capacity: number): void }).planBuffers.bind(head);
  let tried = false;
  const guards: Tensor[] = [];
  await trained.fit(x, y, { epochs: 2, batchSize: 4, onBatchEnd: () => {
    if (tried) return;
    tried = true;
    (head as unknown as { planBuffers(capacity: number): void }).planBuffers = () => {
      throw new OutOfMemoryError('the head does not fit');
    };
    assert.throws(() => sharing.predict(tensor(xValues.slice(0, 2 * 72), [2, ...SHAPE])), (e: Error) => e instanceof OutOfMemoryError);
    (head as unknown as { planBuffers(capacity: number): void }).planBuffers = plan;
    assert.is(trained.layers[0].plannedCapacity, 4, 'the shared convolution keeps the plan the fit uses');
    // Memory made now would take the place of any buffer the failure let go of, and the fit would write into it.
    for (let i = 1; i <= 64; i++) guards.push(tensor(new Float32Array(16 * i).fill(7), [16 * i]));
  } });
  assert.ok(tried);
  assert.ok(guards.every((t) => t.dataSync().every((v) => v === 7)), 'nothing written into memory the fit no longer owned');
  trained.getWeights().forEach((w, i) => assertSameBits(w.dataSync(), reference.getWeights()[i].dataSync(), `weight ${i}`));
  assert.is(sharing.predict(tensor(xValues.slice(0, 2 * 72), [2, ...SHAPE])).shape[1], 5, 'and the other model predicts once it fits');
  for (const m of [reference, trained, sharing]) m.dispose();
});

test('memory running out after the layers are planned (the sums of backward) for a predict inside a fit leaves that fit whole', async () => {
  await init();
  const memory = getBackend().memory;
  const x = tensor(Float32Array.from({ length: 16 * 8 }, (_, i) => Math.sin(i)), [16, 8]);
  const y = tensor(Float32Array.from({ length: 16 * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), [16, 3]);
  const bigX = tensor(new Float32Array(32 * 8), [32, 8]);
  /** A graph with a tensor read twice (a sum buffer in backward); with `fail`, the first allocation after the last layer's plan fails. */
  const run = async (fail: boolean) => {
    const inputs = input({ shape: [8] });
    const hidden = layers.dense({ units: 8, activation: 'relu' }).apply(inputs);
    const summed = layers.add().apply([hidden, layers.dense({ units: 8 }).apply(hidden)]);
    const head = layers.dense({ units: 3, activation: 'softmax' });
    const m = model({ inputs, outputs: head.apply(summed), seed: 5 });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const alloc = memory.alloc.bind(memory);
    const headPlan = head as unknown as { planBuffers(capacity: number): void };
    const plan = headPlan.planBuffers;
    let failures = 0;
    await m.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, onBatchEnd: (batch) => {
      if (batch !== 0 || !fail) return;
      for (const call of [() => m.predict(bigX, { batchSize: 32 })]) {
        let armed = false;
        headPlan.planBuffers = function (this: unknown, capacity: number) {
          plan.call(this, capacity);
          armed = capacity > 4; // the call's batch, not a rollback to the fit's
        };
        memory.alloc = (bytes: number) => {
          if (armed) {
            armed = false;
            throw new OutOfMemoryError('simulated');
          }
          return alloc(bytes);
        };
        try {
          call();
        } catch (error) {
          assert.instance(error, OutOfMemoryError);
          failures++;
        } finally {
          memory.alloc = alloc;
          headPlan.planBuffers = plan;
        }
      }
    } });
    const weights = m.getWeights().map((w) => w.dataSync());
    m.dispose();
    return { weights, failures };
  };
  const reference = await run(false);
  const failed = await run(true);
  assert.is(failed.failures, 2, 'the call failed at the sums in each epoch (the layers it grew went back)');
  failed.weights.forEach((w, i) => assertSameBits(w, reference.weights[i], `weight ${i}`));
});

test('a plan that runs out of memory takes every layer it grew back to its batch: a nested model\'s, and at the sums, the batch buffers or the targets', async () => {
  await init();
  const memory = getBackend().memory;
  const x = tensor(Float32Array.from({ length: 4 * 8 }, (_, i) => Math.sin(i)), [4, 8]);
  const y = tensor(Float32Array.from({ length: 4 * 3 }, (_, i) => (i % 3 === 0 ? 1 : 0)), [4, 3]);
  const bigX = tensor(new Float32Array(32 * 8), [32, 8]), bigY = tensor(new Float32Array(32 * 3), [32, 3]);
  /** A nested model, and a tensor read twice (backward sums its gradients in a buffer the graph plans after its layers); trained at batch 4. */
  const trainedModel = async () => {
    const base = sequential({ inputShape: [8], seed: 1, layers: [layers.dense({ units: 8, activation: 'relu' }), layers.dense({ units: 8 })] });
    const inputs = input({ shape: [8] });
    const hidden = base.apply(inputs);
    const head = layers.dense({ units: 3, activation: 'softmax' });
    const m = model({ inputs, outputs: head.apply(layers.add().apply([hidden, layers.dense({ units: 8 }).apply(hidden)])), seed: 2 });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    await m.fit(x, y, { epochs: 1, batchSize: 4 });
    const everyLayer = [...m.layers, ...base.layers].filter((l) => l.className !== 'InputLayer');
    return { m, planned: () => everyLayer.map((l) => l.plannedCapacity) };
  };
  // Allocations are counted while the graph, the batch buffers or the targets plan (a fit's later
  // blocks, its checkpoint, are no plan: a fit that fails there has planned for its batch, as one that succeeds).
  let planning = 0;
  type Planner = Record<'plan' | 'planTargets', (capacity: number) => void>;
  const plans = ([[GraphExecutor.prototype, 'plan'], [BatchBuffers.prototype, 'plan'], [BatchBuffers.prototype, 'planTargets']] as const)
    .map(([planner, name]) => ({ planner: planner as unknown as Planner, name, plan: (planner as unknown as Planner)[name] }));
  for (const { planner, name, plan } of plans) {
    planner[name] = function (this: unknown, capacity: number) {
      planning++;
      try {
        return plan.call(this, capacity);
      } finally {
        planning--;
      }
    };
  }
  /** Makes allocation number `n` of the plans fail while `call` runs. */
  const failingAt = async (n: number, call: () => unknown) => {
    const alloc = memory.alloc.bind(memory);
    let count = 0;
    memory.alloc = (bytes: number) => {
      if (planning > 0 && ++count === n) throw new OutOfMemoryError('simulated');
      return alloc(bytes);
    };
    try {
      await call();
      return false;
    } catch (error) {
      assert.instance(error, OutOfMemoryError);
      return true;
    } finally {
      memory.alloc = alloc;
    }
  };
  // Every allocation of a batch-32 plan in turn: in the nested model, after it, at the sums, at the
  // batch buffers; and evaluate's, whose last is its targets.
  const calls = { fit: (m: Model) => m.fit(bigX, bigY, { epochs: 1, batchSize: 32 }), evaluate: (m: Model) => m.evaluate(bigX, bigY, { batchSize: 32 }) };
  for (const [what, call] of Object.entries(calls)) {
    const { m, planned } = await trainedModel();
    const before = planned();
    assert.ok(before.every((c) => c === 4), `planned for the fit's batch: ${before}`);
    let failures = 0;
    for (let n = 1; ; n++) {
      const failed = await failingAt(n, () => call(m));
      if (!failed) break;
      failures++;
      assert.equal(planned(), before, `${what}: allocation ${n} failed: every layer back at the batch it had`);
      await m.fit(x, y, { epochs: 1, batchSize: 4 }); // and training goes on
    }
    assert.ok(failures > 6, `${what}: the plan made ${failures} allocations`);
    m.dispose();
  }
  for (const { planner, name, plan } of plans) planner[name] = plan;
  for (const t of [x, y, bigX, bigY]) t.dispose();
});

test('a shared layer whose plan could not be made again after memory ran out is planned again before the fit\'s next batch, never written through', async () => {
  await init();
  const memory = getBackend().memory;
  const x = tensor(xValues, [EXAMPLES, ...SHAPE]), y = tensor(yValues, [EXAMPLES, CLASSES]);
  const reference = makeModel();
  await reference.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false });
  const trained = makeModel();
  const head = layers.dense({ units: CLASSES, activation: 'softmax' });
  const sharing = model({ inputs: trained.inputs, outputs: head.apply(trained.layers[1].output) });
  sharing.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const conv = trained.layers[0];
  const guards: Tensor[] = [];
  let tried = false;
  await trained.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, onBatchEnd: () => {
    if (tried) return;
    tried = true;
    // The other model's targets for its evaluation in batches of 8 do not fit, nor, after that,
    // anything else: the shared convolution, taken back from 8, cannot be planned for 4 again.
    const alloc = memory.alloc.bind(memory), planTargets = BatchBuffers.prototype.planTargets;
    let full = false;
    BatchBuffers.prototype.planTargets = function (this: BatchBuffers, capacity: number) {
      if (capacity !== 8) return planTargets.call(this, capacity);
      full = true;
      throw new OutOfMemoryError('the batch buffers do not fit');
    };
    memory.alloc = (bytes: number) => {
      if (full) throw new OutOfMemoryError('nothing fits');
      return alloc(bytes);
    };
    try {
      assert.throws(() => sharing.evaluate(x, y, { batchSize: 8 }), (e: Error) => e instanceof OutOfMemoryError);
    } finally {
      memory.alloc = alloc;
      BatchBuffers.prototype.planTargets = planTargets;
    }
    assert.is(conv.plannedCapacity, 0, 'the convolution lost its plan');
    // Memory made now takes the place of the buffers let go of; a step writing through them would change it.
    for (let i = 1; i <= 64; i++) guards.push(tensor(new Float32Array(16 * i).fill(7), [16 * i]));
  } });
  assert.ok(tried);
  assert.ok(guards.every((t) => t.dataSync().every((v) => v === 7)), 'nothing written into memory the fit no longer owned');
  trained.getWeights().forEach((w, i) => assertSameBits(w.dataSync(), reference.getWeights()[i].dataSync(), `weight ${i}`));
  // And a pass on a layer planned for less than its batch is refused, whoever calls it.
  conv.unplan();
  const executor = (trained as unknown as { executor: GraphExecutor }).executor;
  assert.throws(() => executor.forward([x.ptr], 4, false), (e: Error) => e instanceof StateError && /buffers hold 0 examples, not the batch of 4/.test(e.message));
  for (const m of [reference, trained, sharing]) m.dispose();
  for (const t of [x, y, ...guards]) t.dispose();
});

test.run();
