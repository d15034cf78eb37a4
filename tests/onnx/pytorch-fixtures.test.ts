// The models PyTorch exported (tests/fixtures/onnx, from scripts/onnx-fixtures.py) predict in
// convas as they did in PyTorch, to 1e-4 relative, with NHWC input (convas's default) and with
// PyTorch-shaped NCHW input; every fixture loads, the resizes of the decoder (nearest by 2, bilinear
// by 2 with half-pixel centres, bilinear with aligned corners to 37×29), of resize_modes (nearest
// and bilinear to sizes of no whole multiple, up and down) and of resize_scales (bicubic and bilinear
// by scale_factors of no whole size, bicubic with aligned corners) included, ConvNeXt without a Permute, and
// F.normalize and x / x.norm(…) as UnitNormalization layers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, loadModel } from '../../src/index.js';
import { encodeOnnx } from '../../src/onnx/index.js';
import { assertClose } from '../helpers.js';
import { assertSameBits, temporaryDirectory } from '../io/model-files.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, fixtureInput, fixtureOutput, fixturePath, floats, manifest } from './fixtures.js';
import { assertAgreesWithOrt, runOrt } from './ort.js';

const ready = Object.keys(manifest.cases);
/** How close to PyTorch convas and ONNX Runtime must come, relative to each value (at least 1). */
const TOLERANCE = 1e-4;

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
        outputs.forEach((o, k) => assertClose(o.dataSync(), fixtureOutput(name, k, layout), TOLERANCE, `${name} output ${k}`));
      } finally {
        model.dispose();
      }
    });
  }
}

// A fixture whose output hardly depends on its input matches PyTorch whatever convas does with the
// input, a wrong layer included (random batch-norm statistics once left the MobileNetV2's two images
// 2e-6 of the output apart).
test('every fixture tells its images apart by at least 100 times the tolerance of the output\'s size, so a wrong layer cannot match PyTorch', () => {
  const weak: string[] = [];
  for (const [name, entry] of Object.entries(manifest.cases)) {
    const images = entry.input.shape[0];
    entry.outputs.forEach((output, k) => {
      const values = floats(output.file);
      const size = values.length / images;
      const scale = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      for (let i = 0; i < images; i++) for (let j = i + 1; j < images; j++) {
        let apart = 0;
        for (let e = 0; e < size; e++) apart = Math.max(apart, Math.abs(values[i * size + e] - values[j * size + e]));
        if (!(apart >= 100 * TOLERANCE * scale)) weak.push(`${name} output ${k}, images ${i} and ${j}: ${(apart / scale).toExponential(1)} of the output's size`);
      }
    });
  }
  assert.equal(weak, []);
});

test('ConvNeXt reads as convas layers without a Permute: its permutes to and from NHWC cost nothing, its nn.LayerNorm (either form) is one layer', async () => {
  for (const name of ['convnext_narrow', 'convnext_narrow_opset13']) {
    const model = await loadModel(fixturePath(name));
    const classes = model.layers.map((l) => l.getConfig().className);
    assert.is(classes.filter((c) => c === 'LayerNormalization').length, 6, `${name}: the stem's, three blocks', the downsampling's and the head's`);
    assert.not.ok(classes.includes('Permute'), `${name}: ${classes.join(' ')}`);
    model.dispose();
  }
});

test('nn.GroupNorm (Reshape, InstanceNormalization, Reshape, Mul, Add) and nn.InstanceNorm2d each read as one GroupNormalization; ONNX Runtime agrees to 1e-4', async () => {
  for (const name of ['group_norms_opset9', 'group_norms_opset13']) {
    const model = await loadModel(fixturePath(name));
    try {
      const norms = model.layers.filter((l) => l.getConfig().className === 'GroupNormalization').map((l) => l.getConfig());
      assert.equal(norms.map((c) => c.groups), [2, 4, 8, 6, 3], `${name}: GroupNorm(2, 8), GroupNorm(4, 8), InstanceNorm2d(8), InstanceNorm2d(6), GroupNorm(3, 6)`);
      assert.equal(norms.map((c) => Math.fround(c.epsilon as number)), [1e-5, 1e-5, 1e-5, 1e-5, 1e-3].map(Math.fround));
      assert.equal(model.layers.map((l) => l.getConfig().className).filter((c) => !['InputLayer', 'Conv2D', 'GroupNormalization', 'Activation'].includes(c)), [],
        `${name}: no Reshape, Permute or Rescaling left`);
      // Random inputs of another batch size (the batch is dynamic), beside the one PyTorch computed.
      const [, c, h, w] = manifest.cases[name].input.shape;
      await assertAgreesWithOrt(model, readFileSync(fixturePath(name)), [[3, c, h, w]], name, 1e-4, 5);
    } finally {
      model.dispose();
    }
  }
});

test('F.normalize and x / x.norm(dim=1, keepdim=True) read as UnitNormalization layers with PyTorch\'s floors: F.normalize\'s eps, none for x / x.norm', async () => {
  const floors = { embedding_head: [Math.fround(1e-12)], channel_norms: [Math.fround(1e-12), 0] };
  for (const [net, expected] of Object.entries(floors)) {
    for (const opset of [9, 13]) {
      const model = await loadModel(fixturePath(`${net}_opset${opset}`));
      const configs = model.layers.map((l) => l.getConfig());
      assert.equal(configs.filter((c) => c.className === 'UnitNormalization').map((c) => c.minNorm), expected, `${net} opset ${opset}`);
      assert.not.ok(configs.some((c) => c.className === 'Multiply'), `${net} opset ${opset}: ${configs.map((c) => c.className).join(' ')}`);
      model.dispose();
    }
  }
});

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

test('models read from ONNX, written back as ONNX by convas, predict in ONNX Runtime as in convas', async () => {
  for (const name of ready) {
    const model = await loadModel(fixturePath(name));
    try {
      await assertAgreesWithOrt(model, encodeOnnx(model), [manifest.cases[name].input.shape], `${name} written back`);
    } finally {
      model.dispose();
    }
  }
});

test('ONNX Runtime agrees with PyTorch on every fixture (the files are what PyTorch computed)', async () => {
  for (const [name, entry] of Object.entries(manifest.cases)) {
    const externalData = entry.externalData ? [{ path: entry.externalData, data: readFileSync(join(FIXTURES, entry.externalData)) }] : undefined;
    const outputs = await runOrt(readFileSync(fixturePath(name)), [{ values: floats(entry.input.file), dims: entry.input.shape }], externalData);
    outputs.forEach((o, k) => assertClose(o.values, floats(entry.outputs[k].file), TOLERANCE, `${name} output ${k} in ONNX Runtime`));
  }
});

test.run();
