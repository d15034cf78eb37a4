// Random graph models (tests/graphs.ts) against the whole-graph reference written with plain loops
// (tests/reference/graph.ts): the output, every input's gradient and every trainable weight's
// gradient agree to 1e-4 of each array's largest value; frozen layers get no weight gradient.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareGraph, describeCase, shrinkGraphCase } from '../graph-check.js';
import { drawGraph, graphFeatures } from '../graphs.js';
import { kernels, random } from '../helpers.js';

const TOLERANCE = 1e-4;
const GRAPHS = 300;

/** What the drawn graphs must exercise between them. */
const FEATURES = [
  'fan-out', 'a tensor read twice by one layer', 'Add', 'Multiply', 'Average', 'Maximum', 'concatenate on the last axis',
  'concatenate on height or width', 'a nested model', 'a nested sequential', 'models nested two deep',
  'a nested model reading its input twice', 'a frozen layer', 'a frozen nested model', 'several inputs', 'Conv2D', 'Dense',
  'MaxPooling2D', 'AveragePooling2D', 'SumPooling2D', 'Flatten', 'Activation', 'Dropout', 'DepthwiseConv2D', 'SeparableConv2D',
];

test(`${GRAPHS} random graphs agree with the whole-graph reference (odd sizes, batch 1 to 5)`, async () => {
  await kernels();
  const rng = random(20250610);
  const seen = new Set<string>();
  let refused = 0;
  for (let i = 0; i < GRAPHS; i++) {
    const seed = rng.seed();
    const c = { spec: drawGraph(rng), batch: rng.int(1, 5), seed };
    graphFeatures(c.spec, 0, seen);
    const outcome = compareGraph(c, TOLERANCE);
    if (outcome.kind === 'refused') refused++;
    if (outcome.kind === 'mismatch') {
      const { smallest, detail } = shrinkGraphCase(c, TOLERANCE);
      assert.unreachable(`graph ${i} disagrees with the reference: ${outcome.detail}\n${describeCase(c)}\n` +
        `smallest failing case: ${detail}\n${describeCase(smallest)}`);
    }
  }
  assert.is(refused, 0, 'the generator draws only graphs convas accepts');
  assert.equal(FEATURES.filter((f) => !seen.has(f)), [], 'features no graph exercised');
});

test.run();
