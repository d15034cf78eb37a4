// Saving to a directory that cannot be written fails cleanly: a StorageError naming the path and
// the system's reason, the model already there untouched and loadable, no temporary files left.
// ENOTDIR and EISDIR happen for real; EACCES and EPERM for real too, in a child process that runs as
// an unprivileged user when the tests run as root (root ignores permissions); ENOSPC and every
// other failure are injected at each file operation of a save in turn. A save interrupted at any
// operation (a crash) leaves the old model or the new one loadable, and the next save tidies up.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FileFormatError, type Model, StateError, StorageError, init, loadModel } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { assertSameWeights, convModel, denseModel, temporaryDirectory } from './model-files.js';

const CANONICAL = ['model.json', 'weights.bin'];
const listing = async (dir: string) => (await readdir(dir)).sort();

/** A directory holding a saved model (the "old" one), and a different model to save over it. */
async function savedModel(): Promise<{ dir: string; old: Model; next: Model }> {
  await init();
  const dir = join(await temporaryDirectory(), 'model');
  const old = convModel(1);
  old.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  await old.save(dir);
  return { dir, old, next: denseModel(2) };
}

/** The old model is still there, whole, and nothing else is. */
async function assertUntouched(dir: string, old: Model, what: string): Promise<void> {
  assert.equal(await listing(dir), CANONICAL, `${what}: the directory holds the old model's files only`);
  assertSameWeights(await loadModel(dir), old, `${what}: the old model`);
}

test('ENOTDIR: a destination under a file, or a file itself, is a StorageError naming it and the reason', async () => {
  await init();
  const base = await temporaryDirectory();
  const file = join(base, 'a-file');
  await writeFile(file, 'not a directory');
  const model = denseModel(1);
  await expectError(() => model.save(join(file, 'model')), StorageError, join(file, 'model'),
    /^save: cannot make the model directory .*: a part of the path is a file, not a directory \(ENOTDIR\)$/);
  await expectError(() => model.save(file), StorageError, file, /: it is a file, not a directory \(EEXIST\)$/);
});

test('EISDIR: a directory where model.json should be; the old weights stay, no temporary files', async () => {
  await init();
  const dir = join(await temporaryDirectory(), 'model');
  await mkdir(join(dir, 'model.json', 'inside'), { recursive: true });
  await expectError(() => denseModel(1).save(dir), StorageError, dir, /^save: cannot write the model to .*: it is a directory \(EISDIR\)$/);
  assert.equal(await listing(dir), ['model.json']);
  await expectError(() => loadModel(dir), FileFormatError, join(dir, 'model.json'), /model\.json: cannot be read \(EISDIR.*\); expected a model file$/);
});

// --- permissions, for real

const runsAsRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/**
 * Saves a dense model to `dir` in a child process as the user `uid` (or in this process when undefined),
 * returning the error's class and message, or undefined when it saved.
 */
async function saveAs(uid: number | undefined, dir: string): Promise<{ name: string; message: string; convas: boolean } | undefined> {
  if (uid === undefined) {
    return denseModel(2).save(dir).then(() => undefined, (e: Error) => ({ name: e.name, message: e.message, convas: e instanceof StorageError }));
  }
  return saveInChild(dir, uid);
}

/** Saves a dense model to `dir` in a child process (as the user `uid` if given): the error's class and message, or undefined. */
function saveInChild(dir: string, uid?: number): { name: string; message: string; convas: boolean } | undefined {
  const script = `
    const convas = await import(process.argv[1]);
    await convas.init();
    const model = convas.sequential({ inputShape: [8, 8, 1], seed: 2, layers: [{ className: 'Flatten' }, { className: 'Dense', units: 4 }] });
    const error = await model.save(process.argv[2]).then(() => undefined, (e) => ({ name: e.name, message: e.message, convas: e instanceof convas.ConvasError }));
    console.log(JSON.stringify(error ?? null));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(resolve('dist/convas.js')).href, dir],
    { encoding: 'utf8', ...(uid === undefined ? {} : { uid, gid: uid }) });
  assert.is(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) ?? undefined;
}

test('EACCES: a directory the user may not write; the old model stays, no temporary files', async () => {
  const { dir, old } = await savedModel();
  // Root may write anywhere: then an unprivileged user tries, in a child process.
  chmodSync(join(dir, '..'), 0o755);
  chmodSync(dir, runsAsRoot ? 0o755 : 0o555);
  const error = await saveAs(runsAsRoot ? NOBODY : undefined, dir);
  chmodSync(dir, 0o755);
  assert.ok(error, 'the save fails');
  assert.is(error!.name, 'StorageError');
  assert.ok(error!.convas, 'a ConvasError');
  assert.is(error!.message, `save: cannot write the model to ${dir}: permission denied (EACCES)`);
  await assertUntouched(dir, old, 'EACCES');
});

if (runsAsRoot) {
  test('EPERM: a shared (sticky) directory where another user\'s model cannot be replaced; it stays, and the temporary files go', async () => {
    const { dir, old } = await savedModel();
    chmodSync(join(dir, '..'), 0o755);
    chmodSync(dir, 0o1777); // anyone may add files, only their owner may replace them: as /tmp
    const error = await saveAs(NOBODY, dir);
    assert.ok(error, 'the save fails');
    assert.is(error!.name, 'StorageError');
    assert.is(error!.message, `save: cannot write the model to ${dir}: operation not permitted (EPERM)`);
    await assertUntouched(dir, old, 'EPERM');
  });
} else {
  console.log('the EPERM test needs two users: it runs when the tests run as root');
}

// --- every file operation of a save, failing or never finishing

const fsPromises = createRequire(import.meta.url)('node:fs/promises') as typeof import('node:fs/promises');
type Operation = { owner: object; name: string; original: (...args: unknown[]) => unknown };

/** The file operations a save may make: the module's functions and a file handle's methods. */
async function fileOperations(): Promise<Operation[]> {
  const probe = join(await temporaryDirectory(), 'probe');
  const handle = await fsPromises.open(probe, 'w');
  const handlePrototype = Object.getPrototypeOf(handle) as Record<string, (...args: unknown[]) => unknown>;
  await handle.close();
  const module = fsPromises as unknown as Record<string, (...args: unknown[]) => unknown>;
  return [
    ...['mkdir', 'open', 'rename', 'readdir', 'rm', 'writeFile'].map((name) => ({ owner: module, name, original: module[name] })),
    ...['writeFile', 'sync', 'close'].map((name) => ({ owner: handlePrototype, name, original: handlePrototype[name] })),
  ];
}

/**
 * Replaces the `at`-th file operation from now on (counted from 1) by `failure`, until restore();
 * count() tells how many operations were made.
 */
async function failOperation(at: number, failure: (name: string) => Promise<never>): Promise<{ count: () => number; restore: () => void }> {
  const operations = await fileOperations();
  const opened: Array<import('node:fs/promises').FileHandle> = [];
  let count = 0;
  for (const op of operations) {
    (op.owner as Record<string, unknown>)[op.name] = function (this: unknown, ...args: unknown[]) {
      if (++count === at) return failure(op.name);
      const result = op.original.apply(this, args);
      if (op.name === 'open') void (result as Promise<import('node:fs/promises').FileHandle>).then((h) => opened.push(h), () => undefined);
      return result;
    };
  }
  syncBuiltinESMExports();
  return {
    count: () => count,
    restore: () => {
      for (const op of operations) (op.owner as Record<string, unknown>)[op.name] = op.original;
      syncBuiltinESMExports();
      // A save that never finished left its file open: close it, as the end of a crashed process would.
      for (const handle of opened) if (handle.fd >= 0) void handle.close();
    },
  };
}

const diskFull = (name: string) => Promise.reject(Object.assign(new Error(`ENOSPC: no space left on device, ${name}`), { code: 'ENOSPC', syscall: name }));

test('ENOSPC at each file operation of a save in turn: a StorageError and the old model untouched, or (past the commit) the new model saved', async () => {
  let failedBeforeCommit = 0, savedAnyway = 0;
  for (let at = 1; ; at++) {
    const { dir, old, next } = await savedModel();
    const injected = await failOperation(at, diskFull);
    const error = await next.save(dir).then(() => undefined, (e: unknown) => e);
    injected.restore();
    if (injected.count() < at) break; // the save made fewer operations: every one has failed once
    if (error) {
      assert.instance(error, StorageError, `operation ${at}: ${error}`);
      assert.match((error as Error).message, new RegExp(`^save: cannot (write the model to|make the model directory) ${dir}: no space left on the device \\(ENOSPC\\)$`));
      await assertUntouched(dir, old, `ENOSPC at operation ${at}`);
      failedBeforeCommit++;
    } else {
      // Past the commit only tidying fails: model.json names the staged weights until the next save.
      assertSameWeights(await loadModel(dir), next, `ENOSPC at operation ${at}: the new model`);
      const files = await listing(dir);
      assert.ok(files.length <= 3 && CANONICAL.every((f) => files.includes(f)), `operation ${at}: ${files}`);
      await next.save(dir);
      assert.equal(await listing(dir), CANONICAL, `operation ${at}: the next save tidies up`);
      savedAnyway++;
    }
  }
  assert.ok(failedBeforeCommit >= 5 && savedAnyway >= 5, `${failedBeforeCommit} failures before the commit, ${savedAnyway} after`);
});

test('a save interrupted at each file operation in turn (as by a crash) leaves the old or the new model loadable; the next save tidies up', async () => {
  const outcomes = new Set<string>();
  for (let at = 1; ; at++) {
    const { dir, old, next } = await savedModel();
    // The operation never finishes: the files stay as they were at that moment.
    const injected = await failOperation(at, () => new Promise<never>(() => undefined));
    const saving = next.save(dir);
    const finished = await Promise.race([saving.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 200))]);
    injected.restore();
    if (finished) break; // the save made fewer operations: it has been interrupted at every one
    const loaded = await loadModel(dir);
    const isNew = loaded.layers.length === next.layers.length;
    assertSameWeights(loaded, isNew ? next : old, `interrupted at operation ${at}: the ${isNew ? 'new' : 'old'} model`);
    outcomes.add(isNew ? 'new' : 'old');
    // The interrupted save still holds this process's claim on the directory, as a crashed one would
    // not: the next save is another process's, as after a crash.
    assert.is(saveInChild(dir), undefined, `interrupted at operation ${at}: the next save`);
    assert.equal(await listing(dir), CANONICAL, `interrupted at operation ${at}: the next save leaves only the model's files`);
  }
  assert.equal([...outcomes].sort(), ['new', 'old'], 'interruptions before and after the commit');
});

test('two saves at once to one directory: the second is refused, the first saved whole (before: one model.json beside the other\'s weights)', async () => {
  const { dir, next } = await savedModel();
  const other = denseModel(3);
  const [first, second] = await Promise.allSettled([next.save(dir), other.save(dir)]);
  assert.is(first.status, 'fulfilled', 'the first save');
  assert.is(second.status, 'rejected', 'the second save');
  const reason = (second as PromiseRejectedResult).reason;
  assert.instance(reason, StateError);
  assert.match(reason.message, /^save: another save to .* is under way; await it before saving there again/);
  assert.equal(await listing(dir), CANONICAL);
  assertSameWeights(await loadModel(dir), next, 'the first save\'s model');
  await other.save(dir); // once the first is done, the directory takes saves again
  assertSameWeights(await loadModel(dir), other, 'a later save');
  await Promise.all([next.save(join(dir, 'a')), other.save(join(dir, 'b'))]); // other directories: no wait
});

test.run();
