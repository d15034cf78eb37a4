// The kernel tests run on the build they asked for: the plain one by default, even where the engine
// has relaxed SIMD, and the relaxed one in the relaxed runs (else those would test the plain build twice).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import relaxedWasmBytes from '../../build/convas-relaxed.wasm';
import { init } from '../../src/backend/wasm.js';
import { StateError } from '../../src/errors.js';
import { kernels, testedSimd } from '../helpers.js';

test(`the kernels under test are the ${testedSimd} build`, async () => {
  await kernels();
  assert.is((await init()).simd, testedSimd);
});

test('a later init() asking for the other build is a StateError naming the fix, unless the engine would load the same', async () => {
  await kernels();
  const backend = await init();
  const relaxedSimd = testedSimd === 'plain';
  if (relaxedSimd && !WebAssembly.validate(relaxedWasmBytes)) {
    assert.is(await init({ relaxedSimd }), backend, 'no relaxed SIMD here: asking for it changes nothing');
    return;
  }
  try {
    await init({ relaxedSimd });
    assert.unreachable(`init({ relaxedSimd: ${relaxedSimd} }) after the ${testedSimd} build loaded should throw`);
  } catch (error) {
    assert.instance(error, StateError);
    assert.match(String(error), `already initialised with the ${testedSimd} build`);
    assert.match(String(error), 'pass the same relaxedSimd to every init(), or none');
  }
});

test.run();
