// ONNX Runtime Web: `node peer-ort.mjs [threads]`. Its wasm build (SIMD) in Node, as a page would
// run it, on the ONNX files of bench/onnx.mjs: one session per file, made once.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { serve, timeBox } from './child.mjs';

const threads = Number(process.argv[2] ?? 1);
ort.env.wasm.numThreads = threads;
ort.env.wasm.simd = true;

const sessions = new Map();
async function session({ file, input, shape }) {
  if (sessions.has(file)) return sessions.get(file);
  const s = await ort.InferenceSession.create(readFileSync(file), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const values = new Float32Array(new Uint8Array(readFileSync(input)).buffer);
  const entry = { s, feeds: { [s.inputNames[0]]: new ort.Tensor('float32', values, shape) } };
  sessions.set(file, entry);
  return entry;
}

serve({
  info: async () => ({ version: ort.env.versions?.web ?? 'unknown', threads: ort.env.wasm.numThreads }),
  onnxInfer: async (args) => {
    const { s, feeds } = await session(args);
    const r = await timeBox(args.seconds, async () => {
      await s.run(feeds);
    });
    return { images: r.units * args.shape[0], ...r };
  },
});
