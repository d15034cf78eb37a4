// Seeded fuzz of saved model files: random bytes of model.json or weights.bin changed (convas and
// TF.js formats, the latter also uint8- and float16-quantized), or of model.onnx (ONNX). Every load
// either fails with a ConvasError or gives a working model; when the file still describes the same
// layers, a convas file predicts exactly as the original, a TF.js file (which has no checksum) holds
// exactly the weights its manifest and bytes describe, and an ONNX file (no checksum either) that
// predicts otherwise is another model, as is one taking another input size. FUZZ_SECONDS (default 10) bounds the run, FUZZ_SEED picks the stream.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConvasError, type Model, init, loadModel, tensor } from '../../src/index.js';
import '../../src/onnx/index.js';
import { random } from '../helpers.js';
import { assertSameBits, convModel, strokeData, temporaryDirectory } from '../io/model-files.js';
import { type ManifestEntry, dequantize } from '../io/tfjs-converter.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 20) / 2;
const SEED = Number(process.env.FUZZ_SEED ?? 20240611);

/** What a file's layers say, apart from names (which only match weights to layers). */
const describeLayers = (m: Model) => JSON.stringify([m.inputShape, m.layers.map((l) => ({ ...l.getConfig(), name: undefined }))]);

/** The original model, trained a little, saved in every format: its files and what it predicts. */
async function savedModel() {
  await init();
  const { x, y } = strokeData(8, 5);
  const original = convModel(2, 0.25);
  original.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  await original.fit(x, y, { epochs: 1, batchSize: 4 });
  const expected = original.predict(x).dataSync();
  const dirs: Record<string, string> = {};
  const saves = { convas: { format: 'convas' }, tfjs: { format: 'tfjs' }, 'tfjs uint8': { format: 'tfjs', quantize: 'uint8' }, 'tfjs float16': { format: 'tfjs', quantize: 'float16' } } as const;
  for (const [name, options] of Object.entries(saves)) {
    dirs[name] = await temporaryDirectory();
    await original.save(dirs[name], options);
  }
  dirs.onnx = await temporaryDirectory();
  await original.save(dirs.onnx, { format: 'onnx' });
  const names = (format: string) => (format === 'onnx' ? ['model.onnx'] : ['model.json', 'weights.bin']);
  const files = await Promise.all(Object.entries(dirs).flatMap(([format, dir]) => names(format).map(async (name) => {
    const path = join(dir, name);
    // An ONNX model is one file, loaded by its name.
    return { format, dir, name, path, load: format === 'onnx' ? path : dir, bytes: new Uint8Array(await readFile(path)) };
  })));
  return { x, original, expected, files };
}

type Saved = Awaited<ReturnType<typeof savedModel>>;
type Outcome = 'refused' | 'identical' | 'otherModel';

/**
 * Loads `file` with `mutated` in place of its bytes (`what` names the change): refused with a
 * ConvasError, or a model that predicts — identically when it is the original's, as its files
 * describe it when it is another. Anything else fails the test.
 */
async function mutationOutcome({ x, original, expected, files }: Saved, file: Saved['files'][number], mutated: Uint8Array, what: string): Promise<Outcome> {
  await writeFile(file.path, mutated);
  let loaded: Model;
  try {
    loaded = await loadModel(file.load);
  } catch (error) {
    if (!(error instanceof ConvasError)) assert.unreachable(`seed ${SEED}: ${what}: ${(error as Error)?.name}: ${(error as Error)?.message}`);
    return 'refused';
  } finally {
    await writeFile(file.path, file.bytes);
  }
  try {
    if (String(loaded.inputShape) !== String(original.inputShape)) {
      // Another input size the layers take too (a digit of a dimension changed): another model,
      // which x does not fit; it must predict on inputs of its own shape.
      const shape = [2, ...loaded.inputShape];
      const output = loaded.predict(tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape)).dataSync();
      assert.ok(output.every(Number.isFinite), `seed ${SEED}: ${what}: a model taking [${loaded.inputShape}] predicts finite values`);
      return 'otherModel';
    }
    const prediction = loaded.predict(x).dataSync();
    if (file.format === 'onnx') {
      // ONNX carries no checksum and reads as other layers (a flatten gains its permute): a
      // changed weight is simply that weight (the unchanged file predicts alike, checked above).
      return prediction.every((v, i) => Object.is(v, expected[i])) ? 'identical' : 'otherModel';
    }
    if (file.format.startsWith('tfjs') && describeLayers(loaded) === describeLayers(original)) {
      // TF.js weights carry no checksum: a changed value (or scale, or min) that still decodes to finite weights is simply the weight.
      const weights = Float32Array.from(loaded.getWeights().flatMap((w) => [...w.dataSync()]));
      const contents = (name: string) => (name === file.name ? mutated : files.find((f) => f.dir === file.dir && f.name === name)!.bytes);
      assertSameBits(weights, describedWeights(contents('model.json'), contents('weights.bin')), `seed ${SEED}: ${what}: weights as the files describe them`);
      return 'otherModel';
    }
    if (describeLayers(loaded) === describeLayers(original)) {
      assertSameBits(prediction, expected, `seed ${SEED}: ${what}: predictions`);
      return 'identical';
    }
    return 'otherModel'; // e.g. a pool's stride changed where the shapes still fit: a different, valid model
  } finally {
    loaded.dispose();
  }
}

test(`mutated model files load identically or fail with a ConvasError (seed ${SEED}, ${SECONDS} s)`, async () => {
  console.log(`model file fuzz: seed ${SEED} (set FUZZ_SEED to replay), ${SECONDS} s`);
  const saved = await savedModel();
  const onnxFile = saved.files.find((f) => f.format === 'onnx')!;
  const fromOnnx = await loadModel(onnxFile.path);
  assertSameBits(fromOnnx.predict(saved.x).dataSync(), saved.expected, 'the unchanged ONNX file predicts as the original');
  fromOnnx.dispose();
  const rng = random(SEED);
  const counts = { identical: 0, otherModel: 0, refused: 0 };
  const deadline = performance.now() + SECONDS * 1000;
  while (performance.now() < deadline) {
    // Half the mutations go to the convas files, the rest to the three TF.js ones and the ONNX one (whose loads mostly succeed, and take longer).
    const convas = rng.next() < 0.5;
    const file = rng.pick(saved.files.filter((f) => (f.format === 'convas') === convas));
    const mutated = file.bytes.slice();
    const changes: string[] = [];
    for (let k = rng.int(1, 3); k > 0; k--) {
      const at = rng.int(0, mutated.length - 1);
      // Half the time a printable byte, so JSON often stays JSON and reaches the checks behind the parser.
      mutated[at] = rng.next() < 0.5 ? rng.int(32, 126) : rng.int(0, 255);
      changes.push(`${at}=${mutated[at]}`);
    }
    counts[await mutationOutcome(saved, file, mutated, `${file.format} ${file.name} with bytes ${changes.join(', ')}`)]++;
  }
  console.log(`model file fuzz: ${counts.identical + counts.otherModel + counts.refused} mutated files: ${counts.refused} refused, ` +
    `${counts.identical} loaded and predicted identically, ${counts.otherModel} loaded as another valid model (other layers, or other TF.js weights)`);
  // Bounded by time, not by files (~3800 refused and ~50 identical in 10 s here): the floors only
  // check that both outcomes were reached, which a machine many times slower still does.
  assert.ok(counts.refused >= 5 && counts.identical >= 1,
    `the mutations reached both outcomes: ${counts.refused} refused, ${counts.identical} identical`);
});

// Found by the fuzz (seed 1, 120 s): byte 1685 of model.onnx, an input dimension, changed from 8 to 10.
test('a file whose input dimension was changed loads as another model, which predicts on inputs of its own shape', async () => {
  const saved = await savedModel();
  for (const format of ['convas', 'tfjs']) {
    const file = saved.files.find((f) => f.format === format && f.name === 'model.json')!;
    // The input's shape, [8, 8, 1] (convas) or [null, 8, 8, 1] (TF.js), as JSON spreads it over lines.
    const text = new TextDecoder().decode(file.bytes), shape = /(\[\s*(?:null,\s*)?)8(,\s*8,\s*1\s*\])/;
    assert.ok(shape.test(text), `${format} model.json holds the input shape`);
    const mutated = new TextEncoder().encode(text.replace(shape, '$19$2'));
    assert.is(await mutationOutcome(saved, file, mutated, `${format} model.json with the input's height 9`), 'otherModel');
  }
});

/** The weights a TF.js model.json's manifest and weights.bin describe, decoded by the tests' reference (one group, in order). */
function describedWeights(json: Uint8Array, bytes: Uint8Array): Float32Array {
  const manifest: ManifestEntry[] = JSON.parse(new TextDecoder().decode(json)).weightsManifest[0].weights;
  let offset = 0;
  return Float32Array.from(manifest.flatMap((entry) => {
    const length = entry.shape.reduce((a, b) => a * b, 1) * (entry.quantization ? { uint8: 1, uint16: 2, float16: 2 }[entry.quantization.dtype] : 4);
    offset += length;
    return [...dequantize(bytes.subarray(offset - length, offset), entry)];
  }));
}

test.run();
