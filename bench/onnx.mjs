// convas against ONNX Runtime Web (its wasm build with SIMD, in Node) on the same ONNX files:
// PyTorch's narrowed ResNet-18 and MobileNetV2 (tests/fixtures/onnx), inference on the batch they
// were exported with, convas and ONNX Runtime with one thread and then with as many as the machine
// has, every round convas then ONNX Runtime so that a noisy spell slows both.
// Run alone: `node bench/onnx.mjs [--reps N] [--seconds S]`; `npm run bench` runs it too.
import { readFileSync } from 'node:fs';
import { Peer, interleave, median, rate, runAlone } from './peers.mjs';
import { formatOnnx } from './table.mjs';

const FIXTURES = new URL('../tests/fixtures/onnx/', import.meta.url).pathname;
export const ONNX_NETS = { resnet18_narrow: 'ResNet-18 (narrowed, 64×64)', mobilenet_v2: 'MobileNetV2 (width 0.25, 64×64)' };
/** convas ÷ ONNX Runtime Web that the project aims for, at every thread count. */
export const ONNX_TARGET = 1;

/**
 * Each net with 1 thread, and with `nproc` when convas has threads: rows of median images/s (per CPU
 * second of the main thread on 1 thread, per wall second with more) and convas ÷ ONNX Runtime as
 * the median of per-round ratios.
 */
export async function benchOnnx({ build, nproc, threaded, reps, seconds, log }) {
  const { cases } = JSON.parse(readFileSync(`${FIXTURES}manifest.json`, 'utf8'));
  const rows = [];
  let ort;
  for (const threads of threaded ? [1, nproc] : [1]) {
    const wallClock = threads > 1;
    const plural = threads > 1 ? 's' : '';
    const peers = [
      new Peer('convas', `convas, ${threads} thread${plural}`, './peer-convas.mjs', [build.convas, String(threads)]),
      new Peer('ort', `ONNX Runtime Web, ${threads} thread${plural}`, './peer-ort.mjs', [String(threads)]),
    ];
    await Promise.all(peers.map((p) => p.ready));
    ort = await peers[1].call('info');
    for (const [name, label] of Object.entries(ONNX_NETS)) {
      const c = cases[name];
      const args = { file: `${FIXTURES}${c.file}`, input: `${FIXTURES}${c.input.file}`, shape: c.input.shape, seconds };
      const results = await interleave('onnxInfer', peers, args, { reps, log });
      const rates = (peer, wall) => results[peer].map((r) => rate(r.images, r, wall));
      const ratios = (wall) => median(rates('convas', wall).map((v, i) => v / rates('ort', wall)[i]));
      const ratio = ratios(wallClock);
      rows.push({
        net: name, label, threads, wallClock, batch: c.input.shape[0],
        convas: median(rates('convas', wallClock)), ort: median(rates('ort', wallClock)), ratio, wallRatio: ratios(true),
        target: { min: ONNX_TARGET, pass: ratio >= ONNX_TARGET },
      });
    }
    peers.forEach((p) => p.exit());
  }
  return { ort, rows };
}

await runAlone(import.meta.url, benchOnnx, formatOnnx);
