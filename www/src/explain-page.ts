// The Explain page: one convolution layer on one digit — chosen kernels, stride, zero padding and
// pooling — with the output maps and the output-size formula worked out with those numbers.
import { type Tensor, init, ops, resolvePadding2d, tensor } from '../../src/index.js';
import { type Digits, SIDE, loadDigits, testDigitName } from './digits.js';
import { byId, errorText, setStatus } from './dom.js';
import { handMadeKernels } from './kernels.js';
import { featureMaps, filterMaps, showMaps } from './maps.js';
import { loadCurrentModel } from './model-store.js';
import { workOffline } from './offline.js';

interface Kernel {
  name: string;
  size: number;
  values: Float32Array;
}

const status = byId('status');
const select = (id: string) => byId<HTMLSelectElement | HTMLInputElement>(id);
let digits: Digits;
let kernels: Kernel[] = Object.entries(handMadeKernels).map(([name, values]) => ({ name, size: 3, values: Float32Array.from(values) }));

function checkedKernels(): Kernel[] {
  const checked = new Set([...byId('kernels').querySelectorAll<HTMLInputElement>('input:checked')].map((box) => box.value));
  return kernels.filter((k) => checked.has(k.name));
}

function filtersTensor(chosen: Kernel[]): Tensor {
  const k = chosen[0].size, depth = chosen.length;
  const values = new Float32Array(k * k * depth);
  chosen.forEach((kernel, d) => kernel.values.forEach((v, i) => (values[i * depth + d] = v)));
  return tensor(values, [k, k, 1, depth]);
}

function explain(): void {
  const checked = checkedKernels();
  if (checked.length === 0) {
    // Nothing is computed: what the last kernels made goes too.
    byId('formula').textContent = '';
    for (const id of ['kernel-view', 'conv-view', 'pool-view']) byId(id).replaceChildren();
    setStatus(status, 'Tick at least one kernel.', true);
    return;
  }
  // One layer has one kernel size: the ticked kernels of the first one's size are used.
  const chosen = checked.filter((k) => k.size === checked[0].size);
  // The field counts from 1, as the Draw page names test digits.
  const index = Math.min(Math.max(Math.round(Number(select('digit').value)) || 1, 1), digits.test.count) - 1;
  const image = digits.test.images.subarray(index * SIDE * SIDE, (index + 1) * SIDE * SIDE);
  const stride = Number(select('stride').value), padding = select('padding').value as 'valid' | 'same' | 'full';
  const pool = select('pool').value, poolSize = Number(select('pool-size').value);
  const k = chosen[0].size, depth = chosen.length;
  try {
    const g = resolvePadding2d([SIDE, SIDE], [k, k], [stride, stride], padding, 'conv2d');
    const x = tensor(image, [1, SIDE, SIDE, 1]), filters = filtersTensor(chosen);
    const conv = ops.conv2d(x, filters, { strides: stride, padding });
    const pooled = pool === 'none' ? undefined : { max: ops.maxPool, avg: ops.avgPool, sum: ops.sumPool }[pool]!(conv, { poolSize });
    const twoP = g.left + g.right;
    const lines = [
      `W = ${SIDE} (input width)   K = ${k} (kernel)   S = ${stride} (stride)   D = ${depth} (kernels)`,
      `${padding} padding: 2P = ${twoP} (${g.left} before, ${g.right} after)`,
      '',
      `convolution:  ⌊(W − K + 2P) / S⌋ + 1 = ⌊(${SIDE} − ${k} + ${twoP}) / ${stride}⌋ + 1 = ${g.outWidth}`,
      `              output ${g.outHeight} × ${g.outWidth} × ${depth}`,
    ];
    if (pooled) {
      const w = conv.shape[2];
      lines.push('', `${pool} pooling: ⌊(W − F) / F⌋ + 1 = ⌊(${w} − ${poolSize}) / ${poolSize}⌋ + 1 = ${pooled.shape[2]}   (F = ${poolSize})`,
        `              output ${pooled.shape[1]} × ${pooled.shape[2]} × ${depth}`);
    }
    byId('formula').textContent = lines.join('\n');
    showMaps(byId('input-view'), 'Input', testDigitName(digits.test, index), featureMaps(image, [SIDE, SIDE, 1], 112));
    showMaps(byId('kernel-view'), 'Kernels', chosen.map((c) => c.name).join(', '), filterMaps(filters.dataSync(), filters.shape, 56));
    showMaps(byId('conv-view'), 'After convolution', conv.shape.slice(1).join('×'), featureMaps(conv.dataSync(), conv.shape.slice(1), 112));
    if (pooled) showMaps(byId('pool-view'), `After ${pool} pooling`, pooled.shape.slice(1).join('×'), featureMaps(pooled.dataSync(), pooled.shape.slice(1), 112));
    else byId('pool-view').replaceChildren();
    for (const t of [x, filters, conv, pooled]) t?.dispose();
    setStatus(status, chosen.length < checked.length ? `One layer has one kernel size: using the ${k}×${k} kernels only.` : '');
  } catch (error) {
    setStatus(status, errorText(error), true);
  }
}

/** One checkbox per kernel; the first few of each size start ticked. */
function showKernelChoices(): void {
  byId('kernels').replaceChildren(...kernels.map((kernel, i) => {
    const label = document.createElement('label');
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: kernel.name, checked: i < 2 });
    label.append(box, `${kernel.name} (${kernel.size}×${kernel.size})`);
    return label;
  }));
}

workOffline();
try {
  [digits] = await Promise.all([loadDigits(), init()]);
  // The kept model's filters are an extra here: one that cannot be read is said, and the page works without it.
  // Whether it failed, apart from why: a rejection's value may be anything, even undefined.
  let unreadable = false, unread: unknown;
  const model = await loadCurrentModel().catch((error: unknown) => {
    unreadable = true;
    unread = error;
    return undefined;
  });
  const found = model?.getWeights().find((w) => w.rank === 4);
  // This page's kernels are square (one K in the formula): a first layer of another shape is not shown.
  const learned = found && found.shape[0] === found.shape[1] ? found : undefined;
  if (learned) {
    const [kh, , inC, outC] = learned.shape, all = learned.dataSync();
    // The first input channel of each learned filter (digits have one channel).
    const learnedKernels = Array.from({ length: outC }, (_, d) => ({
      name: `learned ${d + 1}`, size: kh, values: Float32Array.from({ length: kh * kh }, (_, i) => all[(i * inC) * outC + d]),
    }));
    kernels = [...kernels, ...learnedKernels];
  }
  model?.dispose();
  showKernelChoices();
  for (const id of ['digit', 'stride', 'padding', 'pool', 'pool-size']) select(id).addEventListener('input', explain);
  byId('kernels').addEventListener('change', explain);
  byId('random').addEventListener('click', () => {
    select('digit').value = String(Math.floor(Math.random() * digits.test.count) + 1);
    explain();
  });
  explain();
  if (unreadable) setStatus(status, errorText(unread), true);
  else if (found && !learned) setStatus(status, `The kept model's first kernels are ${found.shape[0]}×${found.shape[1]}; this page shows square kernels only.`);
  else if (!learned) setStatus(status, 'Train a model on the Train page to add its learned kernels here.');
} catch (error) {
  setStatus(status, errorText(error), true);
}
