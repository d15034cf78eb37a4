// Prints the bench results (the object run.mjs writes to bench/results.json) as plain-text tables.

const MiB = 1024 * 1024;

/** Columns padded to their widest cell; the first column is left-aligned, the others right-aligned. */
export function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => String(r[c] ?? '').length)));
  const line = (r) => r.map((cell, c) => (c === 0 ? String(cell ?? '').padEnd(widths[c]) : String(cell ?? '').padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const number = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const times = (x) => (x === undefined ? '' : `${number(x)}×`);
const percent = (x) => (x === undefined ? '' : `${(x * 100).toFixed(0)}%`);
const verdict = (t) => (t ? (t.pass ? 'PASS' : 'MISS') : '');

const targetTable = (targets) => table(['', 'measured', 'target', ''], targets.map((t) => [t.what, t.unit === '%' ? percent(t.value) : times(t.value),
  t.unit === '%' ? `≥ ${percent(t.min)}` : `≥ ${t.min}×`, verdict(t)]));

function throughputTable(section, unit) {
  const rows = section.rows.map((r) => {
    if (r.na) return [r.label, r.na, '', '', ''];
    if (r.speedupOverOneThreadWall !== undefined) return [`${r.label}, wall clock`, number(r.wallMedian), `(${number(r.speedupOverOneThreadWall)}× 1 thread)`, '', ''];
    return [r.label, number(r.median), times(r.ratio), r.target ? `≥ ${r.target.min}×` : '', verdict(r.target)];
  });
  const wall = section.rows.filter((r) => r.wallRatio !== undefined).map((r) => `${r.label.split(' ')[0]} ${times(r.wallRatio)}`);
  return `${table(['', unit, 'convas ÷ it', 'target', ''], rows)}\nthe same ratios by the wall clock: ${wall.join(', ')}`;
}

export function formatReport(res) {
  const { machine, settings } = res;
  const out = [];
  out.push(`convas bench — ${machine.cpuModel}, ${machine.nproc} cores, Node ${machine.node}; load average ${machine.loadAverage.start.toFixed(1)} → ${machine.loadAverage.end.toFixed(1)}`);
  out.push(`median of ${settings.reps} interleaved repetitions after a warm-up; every peer in its own process, one thread (but the threads row); ratios are medians of per-round ratios`);
  out.push(`rates per second of each peer's own CPU time: the CPU is shared, and the measured threads waited for a core ${percent(machine.contention)} of the time`);
  out.push('');
  out.push(`Training: LeNet-style net, batch ${settings.trainBatch}, SGD momentum 0.9, lr 0.01`);
  out.push(throughputTable(res.training, 'images/s'));
  out.push('');
  out.push(`Inference: batch ${settings.inferBatch}`);
  out.push(throughputTable(res.inference, 'images/s'));
  out.push('');
  if (res.cores) out.push(formatCores(res.cores), '');
  out.push(`Single layers ('same' padding; conv2d at stride 1), GFLOP/s and share of the SIMD ceiling (Winograd rows: effective GFLOP/s, the direct convolution's FLOPs per second; tfjs-wasm runs the direct row's convolution)`);
  out.push(table(['', 'convas', '% ceiling', 'tfjs-wasm', '% ceiling', 'convas ÷ tfjs-wasm'], res.layers.map((l) => [
    l.label, number(l.convas.median / 1e9), percent(l.convas.ofCeiling), number(l.tfjsWasm.median / 1e9), percent(l.tfjsWasm.ofCeiling), times(l.ratio),
  ])));
  out.push('');
  out.push(formatMobileNet(res.mobileNet));
  out.push('');
  out.push(formatNative(res.native));
  if (res.onnx) out.push('', formatOnnx(res.onnx));
  if (res.transfer) out.push('', formatTransfer(res.transfer));
  out.push('');
  const c = res.ceiling;
  out.push(`SIMD ceiling: ${number(c.flops / 1e9)} GFLOP/s (f32x4 mul + add, one core; best kernel "${c.kernel}" of ${Object.keys(c.kernels).length}, measured by the bench)`);
  out.push("tfjs-wasm's depthwise backward passes are the bench's, built from its own kernels: it has none");
  out.push('');
  const m = res.memory;
  const mem = (s) => `${(s.bufferBytes / MiB).toFixed(2)} MiB memory, ${(s.bytesInUse / MiB).toFixed(2)} MiB in use`;
  out.push(`convas wasm memory after 1 epoch: ${mem(m.after1)}; after ${m.epochs} epochs: ${mem(m.afterN)} — ${m.equal ? 'equal' : 'NOT EQUAL'}`);
  out.push('Peak RSS of each process (start-up, training and inference; single layers ran elsewhere)');
  out.push(table(['', 'MiB'], res.peakRss.filter((p) => !/Layers$|^ceiling$/.test(p.name)).map((p) => [p.label, (p.bytes / MiB).toFixed(0)])));
  out.push('');
  out.push('Targets');
  out.push(targetTable(res.targets));
  out.push(`${res.targets.filter((t) => t.pass).length} of ${res.targets.length} targets met; ${res.durationSeconds.toFixed(0)} s in all`);
  if (res.relaxedTargets?.length) {
    out.push('', 'The PyTorch targets with the opt-in relaxed-SIMD build (not counted above)');
    out.push(targetTable(res.relaxedTargets));
    out.push(`${res.relaxedTargets.filter((t) => t.pass).length} of ${res.relaxedTargets.length} met with relaxed SIMD`);
  }
  return out.join('\n');
}

/** The MobileNet section: inference at each batch, a training step, batch normalisation in training. */
export function formatMobileNet(mobileNet) {
  const { net: mn, batchNorm: bn } = mobileNet.settings;
  const net = `MobileNetV2 (alpha ${mn.alpha}, ${mn.inputShape.join('×')}, ${mn.classes} classes), every peer from the same TF.js files`;
  const out = [];
  for (const [batch, section] of Object.entries(mobileNet.inference)) {
    out.push(`Inference: ${net}, batch ${batch}`, throughputTable(section, 'images/s'), '');
  }
  out.push(`Training: ${net}, batch ${mn.trainBatch}, SGD lr ${mn.learningRate}`, throughputTable(mobileNet.training, 'images/s'));
  const lacks = mobileNet.tfjsWasmLacks;
  if (lacks.length) out.push(`tfjs-wasm lacks ${lacks.join(', ')}: the bench builds them from its own ops (tfjs-wasm-backprop-filter.mjs, tfjs-wasm-depthwise-backprop.mjs)`);
  out.push('', `${bn.label[0].toUpperCase()}${bn.label.slice(1)} (batch statistics, moving statistics, gradients of x, γ and β)`);
  out.push(throughputTable({ rows: mobileNet.batchNorm.rows.map((r) => ({ ...r, median: r.median / 1e6, wallMedian: r.wallMedian / 1e6 })) }, 'M values/s'));
  return out.join('\n');
}

/** The cores section: the threaded run beside independent 1-thread processes on every core at once. */
export function formatCores(cores) {
  if (cores.skipped) return `What the cores give: skipped — ${cores.skipped}`;
  const n = cores.nproc;
  return [
    `What the ${n} cores give convas's training (the training rows' net and batch; images per wall second)`,
    table(['', 'images/s', '× 1 process alone'], [
      ['1 thread, alone', number(cores.alone), '1×'],
      [`${n} 1-thread processes at once, together`, number(cores.capacity * cores.alone), times(cores.capacity)],
      [`  the fastest of them, the slowest`, `${number(cores.fastest)}, ${number(cores.slowest)}`, ''],
      [`${n} threads`, number(cores.threads), times(cores.speedup)],
    ]),
    `${n} threads reach ${percent(cores.efficiency)} of what ${n} independent processes train at once`,
    `while measured, the ${n} threads waited for a core ${cores.threadsWaited.toFixed(2)} s per second (summed over their threads), ` +
      `the processes at once ${cores.atOnceWaited.toFixed(2)} s: other programs' share`,
  ].join('\n');
}

/** The PyTorch section: a row per net, task and thread count. */
export function formatNative(native) {
  if (native.skipped) return `convas vs PyTorch: skipped — ${native.skipped}`;
  const relaxed = native.rows.some((r) => r.relaxed);
  const rows = native.rows.map((r) => [
    `${r.label}, ${r.task}, batch ${r.batch}`, String(r.threads), number(r.convas), number(r.torch), times(r.ratio),
    r.target ? `≥ ${r.target.min}×` : '', verdict(r.target),
    ...(relaxed ? [r.relaxed ? number(r.relaxed.rate) : '', r.relaxed ? times(r.relaxed.ratio) : '', r.relaxed?.pass === undefined ? '' : verdict(r.relaxed)] : []),
  ]);
  const versions = Object.entries(native.torch).map(([threads, t]) => `${threads} thread(s): PyTorch ${t.torch}, ${t.blas.find((b) => b.includes('openblas')) ? 'OpenBLAS' : 'reference BLAS'}`);
  return [
    `convas vs PyTorch (native CPU build; ${versions.join('; ')}); images/s per CPU second on 1 thread, per wall second on more`,
    ...(relaxed ? ['relaxed: the opt-in relaxed-SIMD build of convas (fused multiply-adds; not the same bits everywhere), on 1 thread, against the same targets'] : []),
    table(['', 'threads', 'convas', 'PyTorch', 'convas ÷ PyTorch', 'target', '', ...(relaxed ? ['relaxed', 'relaxed ÷ PyTorch', ''] : [])], rows),
  ].join('\n');
}

/** The ONNX Runtime Web section: a row per net and thread count. */
export function formatOnnx(onnx) {
  const rows = onnx.rows.map((r) => [
    `${r.label}, inference, batch ${r.batch}`, String(r.threads), number(r.convas), number(r.ort), times(r.ratio), `≥ ${r.target.min}×`, verdict(r.target),
  ]);
  return [
    `convas vs ONNX Runtime Web ${onnx.ort?.version ?? ''} (wasm, SIMD) on the same ONNX files; images/s per CPU second on 1 thread, per wall second on more`,
    table(['', 'threads', 'convas', 'ORT Web', 'convas ÷ ORT Web', 'target', ''], rows),
  ].join('\n');
}

export function formatTransfer({ job, head, rows }) {
  const lines = [
    `Head-training job: MobileNetV2 ${job.alpha} at ${job.size}×${job.size}, cut at out_relu; ${job.classes} classes × ${job.perClass} images; ` +
      `head dense ${head.hiddenUnits} relu → dense ${job.classes} softmax, ${head.epochs} epochs, batch ${head.batchSize} (median wall seconds)`,
    '| threads | embeddings | head | whole job |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.label}${r.threaded || r.label.endsWith(' 1 thread') ? '' : ' (threads not available: ran on 1)'} | ${r.embedSeconds.toFixed(1)} s | ${r.headSeconds.toFixed(1)} s | ${r.seconds.toFixed(1)} s |`),
  ];
  return lines.join('\n');
}
