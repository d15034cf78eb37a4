// A model whose weights come from a file draws no initial values for them, yet its random streams
// (shuffling, each dropout layer's) stand where drawing them would have left them: the generator
// skips what it would have drawn. A layer class of the user's own that draws its way in
// initialValues is drawn for, and the values dropped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type LayerConfig, Layer, type Model, init, input, layers, model } from '../../src/index.js';
import { Dense } from '../../src/layers/dense.js';
import { seededRandom } from '../../src/random.js';
import type { Random } from '../../src/random.js';

test('skip(n) moves the generator as n draws do', () => {
  for (const n of [0, 1, 7, 1000, 2 ** 31 + 5]) {
    const drawn = seededRandom(99), skipped = seededRandom(99);
    for (let i = 0; i < Math.min(n, 1000); i++) drawn.next();
    if (n > 1000) drawn.skip(n - 1000); // the far case: part drawn, part skipped, from the same start
    skipped.skip(n);
    assert.is(skipped.state, drawn.state, `after ${n}`);
    assert.is(skipped.next(), drawn.next());
  }
});

let denseDraws = 0;
/** A dense layer that counts the initial values it makes. */
class CountingDense extends Dense {
  protected initialValues(name: string, shape: number[], rng: Random): Float32Array {
    denseDraws++;
    return super.initialValues(name, shape, rng);
  }
}

/** A layer class of the user's own: one weight, drawn its own way (two draws a value), no initializer. */
class Jitter extends Layer {
  readonly className = 'Jitter';
  protected computeOutputShape([shape]: number[][]) {
    return shape;
  }
  protected weightShapes() {
    return [{ name: 'offset', shape: [3] }];
  }
  protected initialValues(_name: string, shape: number[], rng: Random) {
    return Float32Array.from({ length: shape[0] }, () => rng.next() + rng.next());
  }
  protected planBuffers() {}
  forward([x]: number[]) {
    return x;
  }
  protected backpropagate(dy: number) {
    return [dy];
  }
  getConfig(): LayerConfig {
    return { className: this.className, name: this.name };
  }
}

/** dense → own layer → dropout → dense, seeded; with deferBuild, its weights wait for initializeWeights. */
function net(deferBuild: boolean): Model {
  const x = input({ shape: [3] });
  const h = new Jitter('jitter', 'jitter').apply(new CountingDense({ units: 3, activation: 'relu' }).apply(x));
  return model({ inputs: x, outputs: new CountingDense({ units: 2 }).apply(layers.dropout({ rate: 0.5 }).apply(h)), seed: 17, deferBuild });
}

test('weights written from values draw no initial values, and the streams stand where drawing would leave them', async () => {
  await init();
  denseDraws = 0;
  const drawn = net(false);
  assert.is(denseDraws, 4, 'two dense layers, a kernel and a bias each');
  const file = drawn.getWeights().map((t) => t.dataSync());
  const loaded = net(true);
  let written = 0;
  loaded.initializeWeights((_param, into) => into.set(file[written++]));
  assert.is(denseDraws, 4, 'no dense values drawn for a file');
  assert.is(written, file.length);
  assert.equal(loaded.getWeights().map((t) => t.dataSync()), file);
  assert.equal(loaded.randomState, drawn.randomState);
  drawn.dispose();
  loaded.dispose();
});

test.run();
