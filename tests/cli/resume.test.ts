// `convas train --resume DIR` after real interruptions of a child process: kill -9 at random
// moments and in the middle of saving a checkpoint (the writer pauses before each rename when
// CONVAS_TEST_SAVE_PAUSE_MS is set, and the test kills while it sees a save's temporary files), and
// Ctrl-C (SIGINT), during training and during a save. For several seeds, every run resumed to its
// end leaves model.json and weights.bin byte for byte as a run that was never stopped.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { random } from '../helpers.js';
import { writeBarsIdx } from './bars-idx.js';

const dir = mkdtempSync(join(tmpdir(), 'convas-resume-'));
const data = join(dir, 'data');
mkdirSync(data);
writeBarsIdx(data, 240, 30);

/** The run every test makes: Adam, shifted images and dropout (the default network), a checkpoint per epoch. */
const runArgs = (seed: number, out: string) => ['train', '--data', data, '--epochs', '4', '--batch-size', '16', '--seed', String(seed), '--out', out];
const SAVE_PAUSE_MS = 40;

function convasSync(args: string[]) {
  const run = spawnSync(process.execPath, ['bin/convas.js', ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The files a finished run leaves. */
const modelFiles = (out: string) => ({ json: readFileSync(join(out, 'model.json'), 'utf8'), weights: readFileSync(join(out, 'weights.bin')) });

const references = new Map<number, ReturnType<typeof modelFiles>>();
/** The files of the run of `seed` never stopped. */
function reference(seed: number) {
  if (!references.has(seed)) {
    const out = join(dir, `reference-${seed}`);
    const run = convasSync(runArgs(seed, out));
    assert.is(run.code, 0, run.stderr);
    // The files name the data directory only: a run in another directory writes the same bytes.
    references.set(seed, modelFiles(out));
  }
  return references.get(seed)!;
}

function assertSameAsReference(out: string, seed: number, what: string): void {
  const files = modelFiles(out), expected = reference(seed);
  assert.ok(files.weights.equals(expected.weights), `${what}: weights.bin (weights and optimizer state) bit for bit as the run never stopped`);
  assert.is(files.json, expected.json, `${what}: model.json (random streams, steps, run record) as the run never stopped`);
  assert.equal(readdirSync(out).sort(), ['model.json', 'weights.bin'], `${what}: no temporary files left`);
}

/**
 * A save's temporary files in `out`, written since `since` (ms): those a run killed mid-save left stay
 * until the next run's first save, and must not count as that run's.
 */
const temporaryFiles = (out: string, since = 0) => (existsSync(out)
  ? readdirSync(out).filter((f) => f.endsWith('.tmp') && (statSync(join(out, f), { throwIfNoEntry: false })?.mtimeMs ?? -1) >= since)
  : []);

/** Starts `convas` with the writer pausing before each rename; resolves with its exit code or signal. */
function start(args: string[]): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['bin/convas.js', ...args], { env: { ...process.env, CONVAS_TEST_SAVE_PAUSE_MS: String(SAVE_PAUSE_MS) } });
  let stdout = '', stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once a save is under way in `out` (its temporary files are there), or the child exits. */
async function saveUnderWay(out: string, exited: Promise<unknown>, nth: number, since = 0): Promise<boolean> {
  let done = false;
  void exited.then(() => (done = true));
  for (let seen = 0, inSave = false; !done;) {
    const now = temporaryFiles(out, since).length > 0;
    if (now && !inSave && ++seen === nth) return true;
    inSave = now;
    await sleep(3);
  }
  return false;
}

test('kill -9 at random moments and in the middle of saves, then --resume, for three seeds: the same files as a run never stopped', async () => {
  let killed = 0, killedInSave = 0;
  for (const seed of [1, 2, 3]) {
    const rng = random(100 + seed);
    const out = join(dir, `killed-${seed}`);
    for (let attempt = 0; ; attempt++) {
      // Killed before its first checkpoint was in place, a run starts afresh; after, it resumes.
      const args = existsSync(join(out, 'model.json')) ? ['train', '--resume', out] : runArgs(seed, out);
      const startedAt = Date.now() - 1; // mtimes may round down
      const { child, exited } = start(args);
      if (attempt < 6) {
        // Even attempts: a random moment; odd ones: during the 1st–3rd save the test sees, at a random point of it.
        const inSave = attempt % 2 === 1
          ? saveUnderWay(out, exited, rng.int(1, 3), startedAt).then(async (found) => found && (await sleep(rng.int(0, 3 * SAVE_PAUSE_MS)), true))
          // A run spends most of its time saving: the first kill comes before its first checkpoint (a run starting afresh).
          : sleep(attempt === 0 ? rng.int(20, 150) : rng.int(100, 700)).then(() => false);
        void inSave.then(() => child.kill('SIGKILL'));
      }
      const { code, signal, stderr } = await exited;
      if (code === 0) break;
      assert.is(signal, 'SIGKILL', `seed ${seed}, attempt ${attempt}: ended by the kill (code ${code}: ${stderr})`);
      killed++;
      if (temporaryFiles(out, startedAt).length > 0) killedInSave++;
    }
    assertSameAsReference(out, seed, `seed ${seed}`);
  }
  console.log(`  ${killed} kills, ${killedInSave} of them while a checkpoint was being saved`);
  assert.ok(killedInSave >= 3, `at least 3 kills landed in the middle of a save (${killedInSave})`);
  assert.ok(killed - killedInSave >= 1, `kills landed outside saves too (${killed - killedInSave})`);
});

test('Ctrl-C during an epoch: exit 130, the last checkpoint stays whole and says how to resume; resuming gives the same files', async () => {
  const out = join(dir, 'interrupted');
  const { child, exited } = start(runArgs(4, out));
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  while (!/^epoch 2\/4/m.test(stdout)) await sleep(5);
  child.kill('SIGINT');
  const { code, stdout: printed, stderr } = await exited;
  assert.is(code, 130, stderr);
  assert.match(stderr, 'convas: stopping after this batch (Ctrl-C again to quit at once)');
  assert.match(printed, new RegExp(`Stopped \\(SIGINT\\): the checkpoint in ${out} holds epoch [23] of 4; continue with convas train --resume ${out}`));
  assert.not.match(printed, 'Test accuracy', 'a stopped run is not reported as finished');
  assert.equal(temporaryFiles(out), [], 'the checkpoint was saved whole');
  const again = convasSync(['train', '--resume', out]);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`^Resuming the run saved in ${out} after epoch [23] of 4`));
  assertSameAsReference(out, 4, 'Ctrl-C, then --resume');
});

test('Ctrl-C while a checkpoint is being saved: the save completes before the run stops', async () => {
  const out = join(dir, 'interrupted-in-save');
  const { child, exited } = start(runArgs(5, out));
  assert.ok(await saveUnderWay(out, exited, 3), 'a third save began');
  child.kill('SIGINT');
  const { code, stdout } = await exited;
  assert.is(code, 130);
  assert.match(stdout, /holds epoch 2 of 4/);
  assert.equal(temporaryFiles(out), [], 'the save under way was finished, not cut');
  const again = convasSync(['train', '--resume', out]);
  assert.is(again.code, 0, again.stderr);
  assertSameAsReference(out, 5, 'Ctrl-C in a save, then --resume');
});

test('a new run never overwrites a stopped one; --resume refuses what it cannot continue', () => {
  const out = join(dir, 'interrupted'); // finished by the test above: a new run may replace it
  const stopped = join(dir, 'stopped');
  const first = start(runArgs(6, stopped));
  return (async () => {
    while (!existsSync(join(stopped, 'model.json'))) await sleep(5);
    first.child.kill('SIGKILL');
    await first.exited;
    const fresh = convasSync(runArgs(6, stopped));
    assert.is(fresh.code, 1);
    assert.match(fresh.stderr, `convas: ${stopped} holds a run stopped after epoch 0 of 4: continue it with convas train --resume ${stopped}`);
    const extended = convasSync(['train', '--resume', stopped, '--epochs', '5']);
    assert.is(extended.code, 0, extended.stderr);
    assert.match(extended.stdout, /^epoch 5\/5 /m);
    const more = convasSync(runArgs(6, out));
    assert.is(more.code, 0, 'a finished run is replaced by a new one, as any model');
    const nothing = convasSync(['train', '--resume', join(dir, 'nowhere')]);
    assert.is(nothing.code, 1);
    assert.match(nothing.stderr, `${join(dir, 'nowhere')}: no checkpoint to resume`);
    const mixed = convasSync(['train', '--resume', stopped, '--learning-rate', '0.1']);
    assert.is(mixed.code, 2);
    assert.match(mixed.stderr, '--resume continues a run with the settings it was started with; --learning-rate cannot be given with it');
    const fewer = convasSync(['train', '--resume', stopped, '--epochs', '2']);
    assert.is(fewer.code, 1);
    assert.match(fewer.stderr, '--epochs 2 is fewer than the 5 epochs the run');
  })();
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
