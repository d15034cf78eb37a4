// The models PyTorch exported (tests/fixtures/onnx, from scripts/onnx-fixtures.py) predict in
// convas as they did in PyTorch, to 1e-4 relative, with NHWC input (convas's default) and with
// PyTorch-shaped NCHW input. The fixtures with operators the ONNX reader does not read yet are
// skipped, each naming the operators it waits for and what convas would read them as; a test checks
// that each is still refused for one of those reasons, so it fails (and the skip must go) the day
// the last one is read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FileFormatError, init, loadModel } from '../../src/index.js';
import '../../src/onnx/index.js';
import { assertClose } from '../helpers.js';
import { assertSameBits, temporaryDirectory } from '../io/model-files.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, fixtureInput, fixtureOutput, fixturePath, floats, manifest } from './fixtures.js';
import { runOrt } from './ort.js';

/** What each fixture waits for: the operators it is refused for today, and what convas would read them as. */
const DEPTHWISE = { operator: /\(Conv\): group=/, needs: 'Conv with group = channels, to read as DepthwiseConv2D' };
const BATCH_NORM = { operator: /\(BatchNormalization\)/, needs: 'BatchNormalization, to read as the BatchNormalization layer' };
const DECODER = [
  { operator: /\(ConvTranspose\)/, needs: 'ConvTranspose, to read as Conv2DTranspose' },
  { operator: /\(Resize\)/, needs: 'Resize nearest and linear with half_pixel (UpSampling2D) and align_corners (no layer yet)' },
];
const WAITING: Record<string, Array<{ operator: RegExp; needs: string }>> = {
  mobilenet_v2: [DEPTHWISE],
  depthwise_block: [DEPTHWISE, BATCH_NORM, { operator: /\(HardSigmoid\)/, needs: 'HardSigmoid (alpha 1/6) times x, to read as the hardSwish activation' }],
  depthwise_block_opset17: [DEPTHWISE, BATCH_NORM, { operator: /\(HardSwish\)/, needs: 'HardSwish, to read as the hardSwish activation' }],
  batchnorm_unfolded: [BATCH_NORM],
  grouped_dilated: [
    { operator: /\(Conv\): group=4 with 8 input channels/, needs: 'Conv with group=4 over 8 channels (a grouped convolution, which no convas layer is)' },
    { operator: /\(Conv\): dilations/, needs: 'Conv with dilations [2, 2], to read as a dilated Conv2D' },
  ],
  decoder: DECODER,
  decoder_opset13: DECODER,
};

const ready = Object.keys(manifest.cases).filter((name) => !WAITING[name]);

test.before(async () => {
  await init();
});

for (const name of ready) {
  for (const layout of ['NHWC', 'NCHW'] as const) {
    test(`${name} (opset ${manifest.cases[name].opset}) predicts as PyTorch did, ${layout} input`, async () => {
      const model = await loadModel(fixturePath(name), { inputLayout: layout });
      try {
        const outputs = model.predictOutputs(fixtureInput(name, layout));
        assert.is(outputs.length, manifest.cases[name].outputs.length, 'one output per PyTorch output');
        outputs.forEach((o, k) => assertClose(o.dataSync(), fixtureOutput(name, k, layout), 1e-4, `${name} output ${k}`));
      } finally {
        model.dispose();
      }
    });
  }
}

test('models read from ONNX save in the convas format and load back predicting bit for bit (padding as "same" where it is)', async () => {
  for (const name of ready) {
    const model = await loadModel(fixturePath(name));
    const dir = await temporaryDirectory();
    await model.save(dir);
    const again = await loadModel(dir);
    const x = fixtureInput(name);
    const [a, b] = [model, again].map((m) => m.predictOutputs(x).map((t) => t.dataSync()));
    a.forEach((values, k) => assertSameBits(b[k], values, `${name} output ${k}`));
    if (name === 'squeezenet') {
      const paddings = model.layers.filter((l) => l.getConfig().className === 'Conv2D').map((l) => JSON.stringify(l.getConfig().padding));
      assert.equal([...new Set(paddings)].sort(), ['"same"', '"valid"'], 'a 3×3 convolution padded by 1 is a "same" one');
    }
    model.dispose();
    again.dispose();
  }
});

for (const [name, reasons] of Object.entries(WAITING)) {
  test.skip(`${name} predicts as PyTorch did — waits for ${reasons.map((r) => r.needs).join('; ')}`, () => {});
}

test('each fixture still waiting is refused by name, for one of the reasons it waits for', async () => {
  for (const [name, reasons] of Object.entries(WAITING)) {
    let error: unknown;
    await loadModel(fixturePath(name)).then((m) => m.dispose(), (e) => (error = e));
    assert.ok(error instanceof FileFormatError, `${name} loads now: take it off the waiting list and let its test run`);
    const message = (error as Error).message;
    assert.ok(reasons.some((r) => r.operator.test(message)), `${name} is refused for another reason than it waits for: ${message}`);
    console.log(`  waiting: ${name} — ${message.replace(/^.*?: node/, 'node')}`);
  }
});

test('ONNX Runtime agrees with PyTorch on every fixture (the files are what PyTorch computed)', async () => {
  for (const [name, entry] of Object.entries(manifest.cases)) {
    const externalData = entry.externalData ? [{ path: entry.externalData, data: readFileSync(join(FIXTURES, entry.externalData)) }] : undefined;
    const outputs = await runOrt(readFileSync(fixturePath(name)), [{ values: floats(entry.input.file), dims: entry.input.shape }], externalData);
    outputs.forEach((o, k) => assertClose(o.values, floats(entry.outputs[k].file), 1e-4, `${name} output ${k} in ONNX Runtime`));
  }
});

test.run();
