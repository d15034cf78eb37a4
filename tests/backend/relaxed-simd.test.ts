// init({ relaxedSimd: true }) as the first init of a process started without flags: Node 20 has no
// relaxed SIMD then, so the plain build loads, without error (an engine that has it loads the
// relaxed one). Values other than true and false are ConfigErrors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import relaxedWasmBytes from '../../build/convas-relaxed.wasm';
import { init } from '../../src/backend/wasm.js';
import { ConfigError } from '../../src/errors.js';

test('relaxedSimd that is not a boolean is a ConfigError', async () => {
  for (const relaxedSimd of ['true', 1, null]) {
    try {
      await init({ relaxedSimd: relaxedSimd as unknown as boolean });
      assert.unreachable(`relaxedSimd: ${JSON.stringify(relaxedSimd)} should throw`);
    } catch (error) {
      assert.instance(error, ConfigError);
      assert.match(String(error), `relaxedSimd must be true or false, got ${JSON.stringify(relaxedSimd)}`);
    }
  }
});

test('relaxedSimd: true loads the relaxed build only where the engine validates it, else the plain build', async () => {
  const expected = WebAssembly.validate(relaxedWasmBytes) ? 'relaxed' : 'plain';
  if (process.version.startsWith('v20.')) assert.is(expected, 'plain', 'Node 20 without flags has no relaxed SIMD');
  const backend = await init({ relaxedSimd: true });
  assert.is(backend.simd, expected);
  assert.is(await init({ relaxedSimd: true }), backend, 'the same option again returns the backend');
});

test.run();
