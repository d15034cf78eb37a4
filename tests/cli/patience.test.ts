// `convas train --patience N`: Keras's early stopping on the held-out loss with the best weights
// put back. Its rule against convas's callbacks.earlyStopping (itself checked against TF.js's) on
// random sequences; then real runs of the command: where it stops, that the model ends with the
// weights of the best epoch (those of a run of just that many epochs, which DIR/best holds with its
// optimizer state byte for byte), that Ctrl-C and --resume end with the same files as a run never
// stopped, and what --resume refuses.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Logs, type TrainedModel, callbacks, init, loadModel } from '../../src/index.js';
import { countEpoch, freshPatience } from '../../src/cli/patience.js';
import { removeEarlierBest } from '../../src/cli/out-directory.js';
import '../../src/io/save.js';
import { random } from '../helpers.js';
import { writeBarsIdx } from './bars-idx.js';

const dir = mkdtempSync(join(tmpdir(), 'convas-patience-'));
const data = join(dir, 'data');
mkdirSync(data);
writeBarsIdx(data, 240, 60);

test.before(async () => {
  await init();
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the rule: stops at the epoch, and keeps the best epoch, that callbacks.earlyStopping({ patience, restoreBestWeights }) does', () => {
  const rng = random(3);
  let stops = 0;
  for (let run = 0; run < 300; run++) {
    const patience = rng.int(0, 4);
    const losses = Array.from({ length: rng.int(1, 14) }, () => Math.round(rng.next() * 8) / 8); // ties included
    const early = callbacks.earlyStopping({ patience });
    const model = { stopTraining: false } as TrainedModel;
    early.setModel(model);
    early.setParams({ epochs: losses.length, initialEpoch: 0, doValidation: true, metrics: ['loss', 'acc', 'val_loss', 'val_acc'] });
    early.onTrainBegin();
    const state = freshPatience();
    for (let epoch = 0; epoch < losses.length; epoch++) {
      countEpoch(state, patience, epoch + 1, losses[epoch]);
      early.onEpochEnd(epoch, { loss: 0, acc: 0, val_loss: losses[epoch] } as Logs);
      assert.is(state.stopped, model.stopTraining, `run ${run}, epoch ${epoch}: stopped`);
      assert.is(state.bestEpoch, early.bestEpoch + 1, `run ${run}, epoch ${epoch}: best epoch`);
      if (state.stopped) break;
    }
    if (state.stopped) stops++;
  }
  assert.ok(stops > 50 && stops < 250, `both endings are tried (${stops} stops of 300)`);
});

const EPOCHS = 14, PATIENCE = 2;
/** A run that overfits the bars soon: a large step, no shifts; `patience` null for none. */
const runArgs = (out: string, epochs = EPOCHS, patience: number | null = PATIENCE) => ['train', '--data', data, '--epochs', String(epochs),
  '--batch-size', '16', '--learning-rate', '0.02', '--shift', '0', '--seed', '3', '--out', out,
  ...(patience === null ? [] : ['--patience', String(patience)])];

function convasSync(args: string[]) {
  const run = spawnSync(process.execPath, ['bin/convas.js', ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const files = (out: string) => Object.fromEntries(['model.json', 'weights.bin', 'best/model.json', 'best/weights.bin']
  .map((name) => [name, readFileSync(join(out, name)).toString('base64')]));

const reference = join(dir, 'reference');
let referenceRun: ReturnType<typeof convasSync>;

test('it stops N epochs after the lowest held-out loss and ends with that epoch\'s weights', async () => {
  referenceRun = convasSync(runArgs(reference));
  assert.is(referenceRun.code, 0, referenceRun.stderr);
  const heldOut = [...referenceRun.stdout.matchAll(/^epoch +\d+\/\d+ .*held-out loss (\d+\.\d+)/gm)].map((m) => Number(m[1]));
  const said = /stopped after epoch (\d+); kept the weights of epoch (\d+), the lowest held-out loss \((\d+\.\d+)\)/.exec(referenceRun.stdout);
  assert.ok(said, `it says where it stopped and which weights it kept:\n${referenceRun.stdout}`);
  const [stoppedAfter, best] = [Number(said[1]), Number(said[2])];
  assert.ok(stoppedAfter < EPOCHS, 'it stopped early, or the test proves little');
  assert.is(heldOut.length, stoppedAfter, 'one held-out loss per epoch run');
  assert.is(stoppedAfter, best + PATIENCE, `stopped ${PATIENCE} epochs after the best`);
  assert.is(Math.min(...heldOut), heldOut[best - 1], 'the best epoch has the lowest held-out loss printed');
  assert.ok(heldOut.slice(best).every((loss) => loss >= heldOut[best - 1]), 'no later epoch was lower');
  assert.match(referenceRun.stdout, 'Test accuracy');

  // The same run of just `best` epochs, without early stopping: its weights are those kept.
  const short = join(dir, 'short');
  const shortRun = convasSync(runArgs(short, best, null));
  assert.is(shortRun.code, 0, shortRun.stderr);
  assert.is(readFileSync(join(reference, 'best', 'weights.bin')).toString('base64'), readFileSync(join(short, 'weights.bin')).toString('base64'),
    'DIR/best: the weights and optimizer state of the best epoch');
  const [kept, expected] = await Promise.all([loadModel(reference), loadModel(short)]);
  kept.getWeights().forEach((w, i) => assert.equal(w.dataSync(), expected.getWeights()[i].dataSync(), `weight ${i}`));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `convas` and sends SIGINT once it has printed the line for epoch `epoch`. */
async function interruptAfter(args: string[], epoch: number): Promise<number | null> {
  const child: ChildProcess = spawn(process.execPath, ['bin/convas.js', ...args]);
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = new RegExp(`^epoch +${epoch}/`, 'm');
  while (!line.test(stdout) && child.exitCode === null) await sleep(3);
  child.kill('SIGINT');
  return exited;
}

test('Ctrl-C at several epochs, each time --resume: the same files as the run never stopped, DIR/best included', async () => {
  const out = join(dir, 'interrupted');
  assert.is(await interruptAfter(runArgs(out), 2), 130);
  for (const epoch of [4, 6]) {
    const code = await interruptAfter(['train', '--resume', out], epoch);
    if (code === 0) break; // finished before the signal came
    assert.is(code, 130);
  }
  const last = convasSync(['train', '--resume', out]);
  assert.is(last.code, 0, last.stderr);
  assert.equal(files(out), files(reference));
  assert.equal(readdirSync(out).sort(), ['best', 'model.json', 'weights.bin']);
});

test('a stopped run is finished: --resume only saves it again, a larger --epochs is refused, a new run may replace it', () => {
  const again = convasSync(['train', '--resume', reference]);
  assert.is(again.code, 0, again.stderr);
  assert.equal(files(reference), files(join(dir, 'interrupted')), 'nothing changed');
  const extended = convasSync(['train', '--resume', reference, '--epochs', String(EPOCHS + 4)]);
  assert.is(extended.code, 1);
  assert.match(extended.stderr, 'the run ended with the weights of its best epoch');
  assert.match(extended.stderr, 'start a new run with more --epochs');
  const replaced = convasSync(runArgs(reference, 2));
  assert.is(replaced.code, 0, replaced.stderr);
  const bad = convasSync(['train', '--patience', '1.5', '--out', join(dir, 'bad')]);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, '--patience must be a whole number of epochs');
});

test('--patience 0 stops at the first epoch whose held-out loss does not improve, as Keras\'s patience=0', () => {
  const run = convasSync(runArgs(join(dir, 'impatient'), EPOCHS, 0));
  assert.is(run.code, 0, run.stderr);
  const said = /did not improve for 1 epoch, stopped after epoch (\d+); kept the weights of epoch (\d+)/.exec(run.stdout);
  assert.ok(said, `it says where it stopped:\n${run.stdout}`);
  assert.is(Number(said[1]), Number(said[2]) + 1);
  const heldOut = [...run.stdout.matchAll(/^epoch +\d+\/\d+ .*held-out loss (\d+\.\d+)/gm)].map((m) => Number(m[1]));
  assert.ok(heldOut.slice(0, -1).every((loss, i) => i === 0 || loss < heldOut[i - 1]), `each epoch before the last improved: ${heldOut}`);
});

test('a new run in --out removes the best/ an earlier run left there (only the files convas saved), and keeps a model of the user\'s', () => {
  const out = join(dir, 'again');
  const first = convasSync(runArgs(out, 3));
  assert.is(first.code, 0, first.stderr);
  assert.equal(readdirSync(join(out, 'best')).sort(), ['model.json', 'weights.bin'], 'the earlier run kept its best epoch');
  const second = convasSync(runArgs(out, 1, null));
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stdout, `Removed the model in ${join(out, 'best')}: the best epoch of the earlier run in ${out}`);
  assert.equal(readdirSync(out).sort(), ['model.json', 'weights.bin'], 'no best/ beside a model it is not the best epoch of');

  assert.is(convasSync(runArgs(out, 3)).code, 0);
  writeFileSync(join(out, 'best', 'notes.txt'), 'mine');
  assert.is(convasSync(runArgs(out, 1, null)).code, 0);
  assert.equal(readdirSync(join(out, 'best')), ['notes.txt'], 'a file of the user\'s stays, and the directory with it');

  const mine = JSON.stringify({ format: 'layers-model', modelTopology: {} });
  writeFileSync(join(out, 'best', 'model.json'), mine);
  const beside = convasSync(runArgs(out, 1, null));
  assert.is(beside.code, 0, beside.stderr);
  assert.not.match(beside.stdout, 'Removed');
  assert.is(readFileSync(join(out, 'best', 'model.json'), 'utf8'), mine, 'a model convas train did not save is not touched');
});

test('a new run killed before its first checkpoint is saved leaves the earlier run in --out whole, its best/ included', async () => {
  const out = join(dir, 'kept-whole');
  assert.is(convasSync(runArgs(out, 3)).code, 0);
  const before = files(out);
  // The writer pauses before each rename (the commit): the run is killed while its first save is under way.
  const child = spawn(process.execPath, ['bin/convas.js', ...runArgs(out, 1, null)], { env: { ...process.env, CONVAS_TEST_SAVE_PAUSE_MS: '60000' } });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  while (!readdirSync(out).some((f) => f.endsWith('.tmp')) && child.exitCode === null) await sleep(3);
  child.kill('SIGKILL');
  await exited;
  assert.equal(files(out), before, 'the earlier model and its best epoch, byte for byte');
});

test('a best/ that is a link out of --out, or that is the run\'s --base, is kept', async () => {
  const kept = join(dir, 'kept');
  assert.is(convasSync(runArgs(kept, 3)).code, 0);
  const before = files(kept);
  const said: string[] = [];
  const linked = join(dir, 'linked');
  mkdirSync(linked);
  symlinkSync(join(kept, 'best'), join(linked, 'best'));
  await removeEarlierBest(linked, (text) => said.push(text));
  await removeEarlierBest(kept, (text) => said.push(text), join(kept, 'best'));
  await removeEarlierBest(kept, (text) => said.push(text), join(linked, 'best', 'model.json'));
  assert.equal(files(kept), before, 'the best epoch in kept/best is whole');
  assert.equal(said, []);
});

test('a best/ in --out that convas train did not save is kept: the run is refused before any work', () => {
  const out = join(dir, 'models');
  mkdirSync(join(out, 'best'), { recursive: true });
  const mine = JSON.stringify({ format: 'layers-model', modelTopology: {} });
  writeFileSync(join(out, 'best', 'model.json'), mine);
  const refused = convasSync(runArgs(out, 1));
  assert.is(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, `${join(out, 'best')} holds a model (model.json) that convas train did not save`);
  assert.is(readFileSync(join(out, 'best', 'model.json'), 'utf8'), mine);
  assert.equal(readdirSync(out), ['best'], 'nothing written');
});

test('a file named best in --out is refused before any work with --patience: the earlier run there stays whole', () => {
  const out = join(dir, 'best-a-file');
  assert.is(convasSync(runArgs(out, 1, null)).code, 0);
  writeFileSync(join(out, 'best'), 'notes of mine');
  const before = Object.fromEntries(['model.json', 'weights.bin', 'best'].map((name) => [name, readFileSync(join(out, name)).toString('base64')]));
  const refused = convasSync(runArgs(out, 2));
  assert.is(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, `${join(out, 'best')} is a file, where --patience saves the best epoch's model`);
  assert.not.match(refused.stdout, 'epoch 1/2', 'refused before training');
  assert.equal(Object.fromEntries(Object.keys(before).map((name) => [name, readFileSync(join(out, name)).toString('base64')])), before,
    'the earlier model and the file, byte for byte');
});

test.run();
