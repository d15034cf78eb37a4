// The layers issue's whole net against TensorFlow.js: Keras's MobileNetV2 (alpha 0.35, 96×96×3, 10
// classes; random weights and moving statistics) written once as TF.js files, which every peer loads
// as a user would: inference at batch 1 and 32, a training step (SGD), and batch normalisation in
// training on its own. Peers in processes of their own, rounds interleaved as in run.mjs.
// Run alone: `node bench/mobilenet.mjs [--reps N] [--seconds S]`; `npm run bench` runs it too.
import { BATCH_NORM, MOBILENET } from './data.mjs';
import { writeMobileNetFiles } from './mobilenet-files.mjs';
import { Peer, interleave, runAlone, throughput } from './peers.mjs';
import { formatMobileNet } from './table.mjs';

/** convas ÷ peer that the issue asks for. */
export const MOBILENET_TARGETS = { inference: { tfjsWasm: 1 }, training: { tfjsCpu: 5 } };

/**
 * Every MobileNet row: { settings, inference: { [batch]: section }, training, batchNorm, tfjsWasmLacks }, each
 * section { rows } as run.mjs's. A peer that cannot run a task gets a row saying why.
 */
export async function benchMobileNet({ build, nproc, threaded, reps, seconds, log }) {
  const dir = await writeMobileNetFiles(`${build.dir}/mobilenetv2`);
  const peers = [
    new Peer('convas', 'convas (1 thread)', './peer-convas.mjs', [build.convas, '1']),
    ...(threaded ? [Object.assign(new Peer('convasThreads', `convas (${nproc} threads)`, './peer-convas.mjs', [build.convas, String(nproc)]), { wallClock: true })] : []),
    new Peer('tfjsWasm', 'tfjs-wasm', './peer-tfjs.mjs', ['wasm']),
    new Peer('tfjsCpu', 'tfjs-cpu', './peer-tfjs.mjs', ['cpu']),
  ];
  // Inference only: convas without folding, so that the rows show what folding gains (convas ÷ it).
  const unfolded = new Peer('convasUnfolded', 'convas (1 thread), BN not folded', './peer-convas.mjs', [build.convas, '1', 'unfolded']);
  await Promise.all([...peers, unfolded].map((p) => p.ready));
  const { lacksForTraining } = await peers.find((p) => p.name === 'tfjsWasm').call('info');
  // `fewerRounds`: peers too slow for every round ({ name: rounds }), run after the others.
  const section = async (task, args, targets = {}, amount = undefined, those = peers, fewerRounds = {}) => {
    const taskArgs = { dir, seconds, ...args };
    const results = await interleave(task, those.filter((p) => !(p.name in fewerRounds)), taskArgs, { reps, log });
    for (const p of those.filter((p) => p.name in fewerRounds)) {
      Object.assign(results, await interleave(task, [p], taskArgs, { reps: fewerRounds[p.name], log }));
    }
    const able = those.filter((p) => !results[p.name][0].unsupported);
    const rows = throughput(results, able, targets, amount);
    return { rows: those.map((p) => rows.find((r) => r.name === p.name) ?? { name: p.name, label: p.label, na: `n/a (${results[p.name][0].unsupported})` }) };
  };
  const inference = {};
  for (const batch of MOBILENET.inferBatches) {
    inference[batch] = await section('mobileNetInfer', { batch }, MOBILENET_TARGETS.inference, undefined, [...peers, unfolded]);
  }
  unfolded.exit();
  // A training step of tfjs-cpu takes most of a minute: one round after its warm-up tells a 5× target.
  const training = await section('mobileNetTrain', {}, MOBILENET_TARGETS.training, undefined, peers, { tfjsCpu: 1 });
  const batchNorm = await section('batchNormTraining', {}, {}, (r) => r.values);
  peers.forEach((p) => p.exit());
  return { settings: { net: MOBILENET, batchNorm: BATCH_NORM }, inference, training, batchNorm, tfjsWasmLacks: lacksForTraining };
}

await runAlone(import.meta.url, benchMobileNet, formatMobileNet);
