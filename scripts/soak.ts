// The soak (npm run soak [-- --epochs N]): trains the default LeNet-style network of `convas train`
// on the bundled digits and records wasm memory and process RSS after every epoch; then creates and
// disposes 10,000 models and 1,000,000 tensors. Wasm memory must stay exactly flat after the first
// epoch and end the churn where it started; RSS may wander by a little (V8's own heap and code).
import { buildModel, defaultArchitecture } from '../src/cli/architecture.js';
import { imagesTensor, labelsTensor } from '../src/cli/data.js';
import { loadBundledDigits } from '../src/data/mnist-node.js';
import { init } from '../src/index.js';
import { churnModels, churnTensors, type MemoryFigures, wasmMemory } from '../tests/hardening/churn.js';

/** RSS may grow this much past its first-epoch figure: V8's heap and compiled code are not ours to pin. */
const RSS_TOLERANCE_BYTES = 32 * 1024 * 1024;

const epochsArgument = process.argv.indexOf('--epochs');
const epochs = epochsArgument >= 0 ? Number(process.argv[epochsArgument + 1]) : 50;
if (!Number.isInteger(epochs) || epochs < 2) throw new Error(`--epochs must be an integer of at least 2, got ${process.argv[epochsArgument + 1]}`);

const gc = (globalThis as { gc?: () => void }).gc;
const megabytes = (bytes: number) => (bytes / 2 ** 20).toFixed(2);
const failures: string[] = [];
const check = (ok: boolean, message: string) => {
  if (!ok) failures.push(message);
};

await init();
const { train } = await loadBundledDigits();
const model = buildModel(defaultArchitecture(train.classes), [train.height, train.width, 1], 0, 'the default network');
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
const x = imagesTensor(train), y = labelsTensor(train);
const rows: Array<MemoryFigures & { epoch: number; rss: number; loss: number; seconds: number }> = [];
let started = performance.now();
console.log(`soak: ${epochs} epochs of the default network on ${train.count} bundled digits\n`);
console.log('epoch   loss     seconds   wasm reserved MB   wasm in use MB   RSS MB');
await model.fit(x, y, { epochs, batchSize: 32, onEpochEnd: (epoch, logs) => {
  gc?.();
  const row = { epoch: epoch + 1, ...wasmMemory(), rss: process.memoryUsage().rss, loss: logs.loss, seconds: (performance.now() - started) / 1000 };
  rows.push(row);
  console.log(`${String(row.epoch).padStart(5)}   ${row.loss.toFixed(4)}   ${row.seconds.toFixed(1).padStart(7)}   ` +
    `${megabytes(row.bytesReserved).padStart(16)}   ${megabytes(row.bytesInUse).padStart(14)}   ${megabytes(row.rss).padStart(6)}`);
  started = performance.now();
} });
const first = rows[0];
for (const row of rows.slice(1)) {
  check(row.bytesReserved === first.bytesReserved && row.bytesInUse === first.bytesInUse,
    `epoch ${row.epoch}: wasm memory ${row.bytesReserved}/${row.bytesInUse} bytes (reserved/in use), after epoch 1 ${first.bytesReserved}/${first.bytesInUse}`);
  check(row.rss - first.rss <= RSS_TOLERANCE_BYTES, `epoch ${row.epoch}: RSS ${megabytes(row.rss)} MB grew more than ${megabytes(RSS_TOLERANCE_BYTES)} MB past epoch 1's ${megabytes(first.rss)} MB`);
}
const rssGrowth = Math.max(...rows.map((r) => r.rss)) - first.rss;
console.log(`\nafter epoch 1: wasm ${megabytes(first.bytesReserved)} MB reserved, ${megabytes(first.bytesInUse)} MB in use (unchanged to the end: ` +
  `${rows.every((r) => r.bytesReserved === first.bytesReserved && r.bytesInUse === first.bytesInUse)}); RSS at most ${megabytes(rssGrowth)} MB above epoch 1`);
model.dispose();
x.dispose();
y.dispose();

for (const [what, count, churn] of [['models', 10000, churnModels], ['tensors', 1000000, churnTensors]] as const) {
  const time = performance.now();
  const { before, after } = churn(count);
  console.log(`${count} ${what} created and disposed in ${((performance.now() - time) / 1000).toFixed(1)} s: wasm in use ` +
    `${before.bytesInUse} → ${after.bytesInUse} bytes, reserved ${megabytes(before.bytesReserved)} → ${megabytes(after.bytesReserved)} MB`);
  check(after.bytesInUse === before.bytesInUse && after.bytesReserved === before.bytesReserved, `${what}: wasm memory did not return to where it started`);
}

if (failures.length > 0) {
  console.log(`\nsoak FAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('\nsoak passed: wasm memory flat after epoch 1 and back to the start after the churn; RSS within tolerance');
