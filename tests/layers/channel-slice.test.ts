// ChannelSlice: channels start…end − 1 of every position, against a plain reference on random
// shapes; its settings checked; saved and loaded in the convas format; TensorFlow.js has no such layer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, init, layers, loadModel, model, input, sequential, tensor } from '../../src/index.js';
import { newModelLocation } from '../io/tfjs-files.js';
import { assertSameBits, random } from '../helpers.js';
import { throwsWith } from '../throws-with.js';

/** x [positions, channels] → its channels start…end − 1 at every position. */
function sliceReference(x: Float32Array, channels: number, start: number, end: number): Float32Array {
  const positions = x.length / channels, taken = end - start, y = new Float32Array(positions * taken);
  for (let p = 0; p < positions; p++) for (let c = 0; c < taken; c++) y[p * taken + c] = x[p * channels + start + c];
  return y;
}

test.before(async () => {
  await init();
});

test('forward takes channels start…end − 1 of every position, on 24 random shapes of rank 1 to 3', () => {
  const rng = random(50);
  for (let i = 0; i < 24; i++) {
    const rank = rng.int(1, 3), channels = rng.int(1, 19);
    const shape = [...Array.from({ length: rank - 1 }, () => rng.int(1, 7)), channels];
    const start = rng.int(0, channels - 1), end = rng.int(start + 1, channels), batch = rng.int(1, 5);
    const m = sequential({ inputShape: shape, layers: [layers.channelSlice({ start, end })] });
    const x = rng.array(batch * shape.reduce((a, b) => a * b, 1));
    const y = m.predict(tensor(x, [batch, ...shape]));
    assert.equal(y.shape, [batch, ...shape.slice(0, -1), end - start]);
    assertSameBits(y.dataSync(), sliceReference(x, channels, start, end), `[${batch}, ${shape}] channels ${start}…${end - 1}`);
    m.dispose();
  }
});

test('settings: start and end integers with 0 ≤ start < end ≤ channels; unknown settings refused', () => {
  throwsWith(() => layers.channelSlice({ start: 3, end: 3 }), ConfigError, 'start and end must be integers with 0 ≤ start < end, got start 3 and end 3');
  throwsWith(() => layers.channelSlice({ start: -1, end: 2 }), ConfigError, '0 ≤ start < end');
  throwsWith(() => layers.channelSlice({ start: 0.5, end: 2 }), ConfigError, 'integers');
  throwsWith(() => layers.channelSlice(undefined as never), ConfigError, 'channelSlice');
  throwsWith(() => layers.channelSlice({ start: 0, end: 2, stop: 4 } as never), ConfigError, 'unknown setting stop');
  throwsWith(() => sequential({ inputShape: [4, 4, 3], layers: [layers.channelSlice({ start: 1, end: 4 })] }), ConfigError,
    'channels 1…3 do not all exist in [4, 4, 3], whose last axis has 3');
});

test('saved and loaded in the convas format; save in the TF.js format refused, naming the layer', async () => {
  const x = input({ shape: [3, 3, 6] });
  const halves = [layers.channelSlice({ start: 0, end: 3, name: 'left' }).apply(x), layers.channelSlice({ start: 3, end: 6, name: 'right' }).apply(x)];
  const m = model({ inputs: x, outputs: layers.concatenate().apply([halves[1], layers.conv2d({ filters: 2, kernelSize: 1 }).apply(halves[0])]), seed: 4 });
  const data = tensor(random(51).array(2 * 54), [2, 3, 3, 6]);
  const location = await newModelLocation();
  await m.save(location);
  const back = await loadModel(location);
  assertSameBits(back.predict(data).dataSync(), m.predict(data).dataSync(), 'predictions after loading');
  assert.equal(back.layers.map((l) => l.getConfig()), m.layers.map((l) => l.getConfig()));
  let error: unknown;
  try {
    await m.save(await newModelLocation(), { format: 'tfjs' });
  } catch (e) {
    error = e;
  }
  assert.instance(error, ConfigError);
  assert.match((error as Error).message, /layer left/);
  m.dispose();
  back.dispose();
});

test.run();
