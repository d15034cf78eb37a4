// convas against PyTorch's native CPU build on the same cores: the nets of native-nets.mjs, trained
// and run on the same images, one thread each (both on the same CPU, round by round on each CPU) and then as many as the
// machine has, every round convas then PyTorch so that a noisy spell slows both. PyTorch gets its best: OpenBLAS where it is
// installed (info says which BLAS its process mapped), and glibc's malloc told to keep what it
// frees (PyTorch allocates per tensor; a page fault costs tens of µs on a VM).
// Run alone: `node bench/native.mjs [--reps N] [--seconds S]`; `npm run bench` runs it too.
import { spawnSync } from 'node:child_process';
import { writeMobileNetFiles } from './mobilenet-files.mjs';
import { NATIVE_NETS, writeNativeData } from './native-nets.mjs';
import { PYTHON, Peer, everyCpu, interleave, median, rate, runAlone } from './peers.mjs';
import { formatNative } from './table.mjs';

/** convas ÷ PyTorch that the project aims for, on one thread. */
export const NATIVE_TARGETS = [
  { net: 'lenetSmall', task: 'netTrain', min: 1.5 },
  { net: 'conv5x5', task: 'netTrain', min: 1 },
  { net: 'vgg', task: 'netTrain', min: 1 },
  { net: 'lenetSmall', task: 'netInfer', min: 1.5 },
  { net: 'conv5x5', task: 'netInfer', min: 1.5 },
];

const TASKS = { netTrain: 'training', netInfer: 'inference' };

/** Node 20 runs relaxed SIMD only when told to (later versions have it on: the flag is then harmless). */
const RELAXED_SIMD_FLAGS = ['--experimental-wasm-relaxed-simd'];

/** Only the PyTorch process gets these: malloc keeps freed memory instead of giving it back. */
const torchEnvironment = (threads) => ({ MALLOC_MMAP_MAX_: '0', MALLOC_TRIM_THRESHOLD_: '1099511627776', OMP_NUM_THREADS: String(threads) });

/**
 * On 1 thread both peers of a round run on the same CPU, each round on the next CPU: the cores of a
 * shared VM are not always alike (for minutes at a time one has run cache-heavy kernels 1.55× slower
 * than the other while register-bound code ran alike on both, and then the other way round), and an
 * idle peer tends to stay on the core it last ran on, so unpinned, one peer could keep the slow core
 * through a whole section; pinned to one CPU, both would measure only that core's spell.
 */
const roundCpus = (threads, nproc) => (threads === 1 ? everyCpu(nproc) : undefined);

/** The relaxed-SIMD peer, or undefined (saying why) where the engine cannot run that build. */
async function startRelaxed(build, log) {
  const peer = new Peer('relaxed', 'convas, relaxed SIMD, 1 thread', './peer-convas.mjs', [build.convas, '1', 'relaxed'], {}, RELAXED_SIMD_FLAGS);
  try {
    await peer.ready;
  } catch (error) {
    log(`the relaxed-SIMD column is left out: its peer did not start (${error.message}; see its output above)`);
    return undefined;
  }
  log(`convas relaxed peer: the ${(await peer.call('info')).simd} build`);
  return peer;
}

/**
 * Every net and task against PyTorch with 1 thread, and with `nproc` when convas has threads: rows of
 * median images/s (per CPU second of the main thread on 1 thread, per wall second with more) and
 * convas ÷ PyTorch as the median of per-round ratios. Skipped, saying why, without PyTorch.
 */
export async function benchNative({ build, nproc, threaded, reps, seconds, log }) {
  // torchvision builds the MobileNetV2.
  if (spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status !== 0) {
    return { skipped: `PyTorch and torchvision are not importable by ${PYTHON} (apt-get install python3-torch python3-torchvision libopenblas0)` };
  }
  const files = await writeNativeData(build.dir);
  const mobileNetDir = await writeMobileNetFiles(`${build.dir}/mobilenetv2`);
  const rows = [];
  const torch = {};
  for (const threads of threaded ? [1, nproc] : [1]) {
    const wallClock = threads > 1;
    const peers = [
      new Peer('convas', `convas, ${threads} thread${threads > 1 ? 's' : ''}`, './peer-convas.mjs', [build.convas, String(threads)]),
      new Peer('torch', `PyTorch, ${threads} thread${threads > 1 ? 's' : ''}`, './peer-torch.py', [String(threads)], torchEnvironment(threads)),
    ];
    await Promise.all(peers.map((p) => p.ready));
    // The targets are on one thread: there the opt-in relaxed-SIMD build runs beside the default one.
    const relaxed = threads === 1 && await startRelaxed(build, log);
    if (relaxed) peers.push(relaxed);
    torch[threads] = await peers[1].call('info');
    log(`PyTorch ${torch[threads].torch}, ${torch[threads].threads} thread(s), BLAS ${torch[threads].blas.join(' ') || 'none mapped'}`);
    for (const [name, net] of Object.entries(NATIVE_NETS)) {
      for (const task of Object.keys(TASKS)) {
        const results = await interleave(task, peers, { name, net, file: files[name], mobileNetDir, seconds }, { reps, log, cpus: roundCpus(threads, nproc) });
        const rates = (peer, wall) => results[peer].map((r) => rate(r.images, r, wall));
        const ratios = (peer, wall) => median(rates(peer, wall).map((c, i) => c / rates('torch', wall)[i]));
        const target = threads === 1 ? NATIVE_TARGETS.find((t) => t.net === name && t.task === task) : undefined;
        const ratio = ratios('convas', wallClock);
        const relaxed = results.relaxed && { rate: median(rates('relaxed', wallClock)), ratio: ratios('relaxed', wallClock) };
        rows.push({
          net: name, label: net.label, task: TASKS[task], threads, wallClock,
          batch: task === 'netTrain' ? net.trainBatch : net.inferBatch,
          convas: median(rates('convas', wallClock)), torch: median(rates('torch', wallClock)), ratio, wallRatio: ratios('convas', true),
          ...(target ? { target: { min: target.min, pass: ratio >= target.min } } : {}),
          ...(relaxed ? { relaxed: { ...relaxed, ...(target ? { pass: relaxed.ratio >= target.min } : {}) } } : {}),
        });
      }
    }
    torch[threads].choices = await peers[1].call('choices');
    log(`PyTorch's fastest ways, ${threads} thread(s): ${JSON.stringify(torch[threads].choices)}`);
    const rss = await Promise.all(peers.map(async (p) => [p.name, (await p.call('stats')).peakRssBytes]));
    torch[threads].peakRss = Object.fromEntries(rss);
    peers.forEach((p) => p.exit());
  }
  return { torch, rows };
}

await runAlone(import.meta.url, benchNative, formatNative);
