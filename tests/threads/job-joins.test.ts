// Who takes part in a shared job, with a real worker thread: this thread drives the real openJob,
// runClaimedSlices and finishJob, and a Node worker runs the real serveKernelJobs and joinJob, built
// from their source text as WorkerPool builds its workers. The worker's join goes through a wrapper
// that can stop it just before it joins (held until released, a short nap, or waiting to join the
// instant the next job opens), so the interleavings that matter happen on purpose:
//   - a worker that woke for a job but has not joined it is not waited for;
//   - a worker that joins late finds the next job whole (every header word and argument its own),
//     every slice of it runs exactly once, and the main thread waits for exactly the joins it had;
//   - a worker that wakes during a job run on the main thread alone (left closed) never joins it;
//   - a kernel that throws in the worker marks the job failed and still reports, so no one hangs;
//   - over hundreds of seeded random jobs and schedules, no slice runs twice, is lost, or runs with
//     another job's arguments.
// The kernels log (kernel, thread, job tag, slice, scratch, whether the row was whole) into shared
// memory. A watchdog thread ends a finishJob that waits too long, so a broken protocol fails the
// test instead of hanging it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import {
  CLOSED, JOB_HEADER, JOB_HEADER_WORDS, MAX_JOB_ARGS, SPIN_MS, type JobHeaderLayout,
  finishJob, joinJob, openJob, runClaimedSlices, serveKernelJobs, spinWhile, startSlices,
} from '../../src/backend/kernel-jobs.js';
import { seededRandom } from '../../src/random.js';

type Kernel = (...args: number[]) => unknown;
const L = JOB_HEADER;

/** Words of the control block (after the header and the argument table in the shared buffer). */
const C = {
  /** What the worker's next join does first (one-shot, see PARK); 0: nothing. */
  park: 0,
  /** 1 while the worker is held before joining. */
  parked: 1,
  /** Set by this thread to let a held worker go on; the worker clears it. */
  release: 2,
  /** The worker's joinJob calls, and how many of them joined. */
  attempts: 3,
  joins: 4,
  /** Log entries so far (reset with each job written). */
  logged: 5,
  /** The watchdog's arming sequence (odd: armed), and whether it had to end a wait. */
  watch: 6,
  fired: 7,
  /** No one notifies it: a wait on it is a nap. */
  nap: 8,
  /** The log: LOG_FIELDS words per kernel call, from here. */
  log: 16,
} as const;
/** The park word: HOLD until released, POUNCE (join the instant the next job opens), or a nap of n µs (n > 0). */
const PARK = { hold: -1, pounce: -2 } as const;
/** Argument 2 of every slice: how the worker's kernel behaves (the main thread's never fails nor dawdles). */
const MODE = { plain: 0, slowInWorker: 1, throwsInWorker: 2 } as const;
const LOG_FIELDS = 6; // kernel, thread, tag, slice, scratch, row whole
const LOG_CAPACITY = 256;
const KERNELS = 4;
const MAX_TEST_SLICES = 16;
/** The argument a job's scratch goes in, when it has one; otherwise it holds the tag like the others. */
const SCRATCH_ARG = MAX_JOB_ARGS - 1;
const WATCHDOG_MS = 1500;

const SIZES = {
  headerWords: JOB_HEADER_WORDS,
  argWords: MAX_TEST_SLICES * MAX_JOB_ARGS,
  ctlWords: C.log + LOG_CAPACITY * LOG_FIELDS,
  maxArgs: MAX_JOB_ARGS,
  logFields: LOG_FIELDS,
  logCapacity: LOG_CAPACITY,
  kernels: KERNELS,
  scratchArg: SCRATCH_ARG,
};
type Sizes = typeof SIZES;

function views(shared: SharedArrayBuffer, sizes: Sizes) {
  return {
    header: new Int32Array(shared, 0, sizes.headerWords),
    args: new Uint32Array(shared, sizes.headerWords * 4, sizes.argWords),
    ctl: new Int32Array(shared, (sizes.headerWords + sizes.argWords) * 4, sizes.ctlWords),
  };
}

// The three functions below also run in the worker threads, from their source text: they use
// nothing but their parameters and globals.

/**
 * The job kernels of thread `thread`: kernel k logs (k, thread, tag, slice, scratch, whether every
 * argument that carries the tag has it) and calls `onSlice` (the main thread's hook); in a worker,
 * a slow slice dawdles a millisecond and a failing one throws.
 */
function makeKernels(
  ctl: Int32Array, c: typeof C, mode: typeof MODE, sizes: Sizes, thread: number,
  onSlice: ((tag: number, slice: number) => void) | null,
): Kernel[] {
  return Array.from({ length: sizes.kernels }, (_, kernel) => (...a: number[]) => {
    let whole = 1;
    for (let i = 3; i < sizes.maxArgs; i++) if (i !== sizes.scratchArg && a[i] !== a[0]) whole = 0;
    const entry = Atomics.add(ctl, c.logged, 1);
    if (entry < sizes.logCapacity) {
      const at = c.log + entry * sizes.logFields;
      ctl[at] = kernel;
      ctl[at + 1] = thread;
      ctl[at + 2] = a[0];
      ctl[at + 3] = a[1];
      ctl[at + 4] = a[sizes.scratchArg];
      ctl[at + 5] = whole;
    }
    if (onSlice) onSlice(a[0], a[1]);
    if (thread !== 0 && a[2] === mode.slowInWorker) for (const until = performance.now() + 1; performance.now() < until;);
    if (thread !== 0 && a[2] === mode.throwsInWorker) throw new Error(`slice ${a[1]} of job ${a[0]} failed`);
  });
}

/** The worker under test: serveKernelJobs as thread 1, its joins through the parking wrapper. */
function workerMain(
  shared: SharedArrayBuffer, serve: typeof serveKernelJobs, run: typeof runClaimedSlices, realJoin: typeof joinJob, spin: typeof spinWhile,
  kernelsFor: typeof makeKernels, layout: JobHeaderLayout, c: typeof C, park: typeof PARK, mode: typeof MODE,
  sizes: Sizes, spinMs: number, closed: number,
): void {
  const header = new Int32Array(shared, 0, sizes.headerWords);
  const args = new Uint32Array(shared, sizes.headerWords * 4, sizes.argWords);
  const ctl = new Int32Array(shared, (sizes.headerWords + sizes.argWords) * 4, sizes.ctlWords);
  const join = (h: Int32Array, l: JobHeaderLayout, closedValue: number): boolean => {
    const how = Atomics.exchange(ctl, c.park, 0);
    if (how === park.hold) {
      Atomics.store(ctl, c.parked, 1);
      Atomics.notify(ctl, c.parked);
      while (Atomics.load(ctl, c.release) === 0) Atomics.wait(ctl, c.release, 0);
      Atomics.store(ctl, c.release, 0);
      Atomics.store(ctl, c.parked, 0);
    } else if (how === park.pounce) {
      // Let the job it woke for close, then join the next the moment its joined word opens.
      const until = performance.now() + 50;
      while (Atomics.load(h, l.joined) !== closedValue && performance.now() < until);
      while (Atomics.load(h, l.joined) === closedValue && performance.now() < until);
    } else if (how > 0) {
      Atomics.wait(ctl, c.nap, 0, how / 1000);
    }
    const joined = realJoin(h, l, closedValue);
    if (joined) Atomics.add(ctl, c.joins, 1); // before it runs, so before it reports finished
    Atomics.add(ctl, c.attempts, 1);
    return joined;
  };
  serve(header, args, kernelsFor(ctl, c, mode, sizes, 1, null), 1, layout, sizes.maxArgs, spinMs, run, join, spin, closed);
}

/** The watchdog: once armed, if not disarmed within `ms`, it says so and satisfies finishJob's wait. */
function watchdogMain(shared: SharedArrayBuffer, layout: JobHeaderLayout, c: typeof C, sizes: Sizes, ms: number): void {
  const header = new Int32Array(shared, 0, sizes.headerWords);
  const ctl = new Int32Array(shared, (sizes.headerWords + sizes.argWords) * 4, sizes.ctlWords);
  for (;;) {
    let seq = Atomics.load(ctl, c.watch);
    while (seq % 2 === 0) {
      Atomics.wait(ctl, c.watch, seq);
      seq = Atomics.load(ctl, c.watch);
    }
    if (Atomics.wait(ctl, c.watch, seq, ms) !== 'timed-out') continue;
    Atomics.store(ctl, c.fired, 1);
    Atomics.add(header, layout.finished, 1 << 20);
    Atomics.notify(header, layout.finished);
    while (Atomics.load(ctl, c.watch) === seq) Atomics.wait(ctl, c.watch, seq);
  }
}

const prelude = `const { workerData } = require('node:worker_threads');`;
const workerSource = `${prelude}
  (${workerMain.toString()})(workerData, ${serveKernelJobs.toString()}, ${runClaimedSlices.toString()}, ${joinJob.toString()}, ${spinWhile.toString()},
    ${makeKernels.toString()}, ${JSON.stringify(L)}, ${JSON.stringify(C)}, ${JSON.stringify(PARK)}, ${JSON.stringify(MODE)},
    ${JSON.stringify(SIZES)}, ${SPIN_MS}, ${CLOSED});`;
const watchdogSource = `${prelude}
  (${watchdogMain.toString()})(workerData, ${JSON.stringify(L)}, ${JSON.stringify(C)}, ${JSON.stringify(SIZES)}, ${WATCHDOG_MS});`;

const shared = new SharedArrayBuffer((SIZES.headerWords + SIZES.argWords + SIZES.ctlWords) * 4);
const { header, args, ctl } = views(shared, SIZES);
header[L.joined] = CLOSED; // as WorkerPool.start leaves it
let onMainSlice: ((tag: number, slice: number) => void) | null = null;
const mainKernels = makeKernels(ctl, C, MODE, SIZES, 0, (tag, slice) => onMainSlice?.(tag, slice));
const workers: Worker[] = [];
let workerError: unknown = null;

// ---- This thread's side ----

interface Job {
  tag: number;
  slices: number;
  kernel: number;
  /** Whether the job gives each thread a scratch argument (base tag·16, stride depending on the tag). */
  scratch: boolean;
  mode: number;
}
interface Run { kernel: number; thread: number; tag: number; slice: number; scratch: number; whole: number }

/** Writes a job's header words and arguments, all carrying its tag, and empties the log. Only while closed. */
function writeJob(job: Job): void {
  assert.is(Atomics.load(header, L.joined), CLOSED, `job ${job.tag} is written only while the job before it is closed`);
  header[L.sliceCount] = job.slices;
  header[L.kernel] = job.kernel;
  header[L.scratchArg] = job.scratch ? SCRATCH_ARG : -1;
  header[L.scratchBase] = job.tag * 16;
  header[L.scratchStride] = (job.tag % 7) + 1;
  for (let s = 0; s < job.slices; s++) {
    const row = args.subarray(s * MAX_JOB_ARGS, (s + 1) * MAX_JOB_ARGS).fill(job.tag);
    row[1] = s;
    row[2] = job.mode;
  }
  Atomics.store(ctl, C.logged, 0);
}

/** The scratch argument thread `thread` must have seen in `job`'s slices. */
const scratchOf = (job: Job, thread: number) => (job.scratch ? job.tag * 16 + thread * ((job.tag % 7) + 1) : job.tag);

function runs(): Run[] {
  const count = Atomics.load(ctl, C.logged);
  assert.ok(count <= LOG_CAPACITY, `${count} kernel calls logged, room for ${LOG_CAPACITY}`);
  return Array.from({ length: count }, (_, i) => {
    const [kernel, thread, tag, slice, scratch, whole] = ctl.subarray(C.log + i * LOG_FIELDS, C.log + (i + 1) * LOG_FIELDS);
    return { kernel, thread, tag, slice, scratch, whole };
  });
}

/** Every kernel call since `job` was written was one of its slices, with its arguments; each slice ran exactly once. */
function assertRanOnce(job: Job, threadsAllowed: number[]): Run[] {
  const calls = runs();
  for (const r of calls) {
    const what = `job ${job.tag}: thread ${r.thread} ran slice ${r.slice} of job ${r.tag} with kernel ${r.kernel}, scratch ${r.scratch}`;
    assert.ok(threadsAllowed.includes(r.thread), `${what}: only threads ${threadsAllowed} may run it`);
    assert.ok(r.tag === job.tag && r.kernel === job.kernel && r.whole === 1, `${what}: not this job's`);
    assert.is(r.scratch, scratchOf(job, r.thread), `${what}: its scratch should be ${scratchOf(job, r.thread)}`);
  }
  const slices = calls.map((r) => r.slice).sort((a, b) => a - b);
  assert.equal(slices, Array.from({ length: job.slices }, (_, s) => s), `job ${job.tag}: each of its ${job.slices} slices ran exactly once`);
  return calls;
}

function waitUntil(done: () => boolean, what: string, ms = 2000): void {
  for (const until = performance.now() + ms; !done();) {
    if (workerError) throw workerError;
    if (performance.now() > until) assert.unreachable(`timed out waiting for ${what}`);
    Atomics.wait(ctl, C.nap, 0, 0.1);
  }
}

/** Naps until `done` or `ms` have passed, whichever first. */
function napUntil(done: () => boolean, ms: number): void {
  for (const until = performance.now() + ms; !done() && performance.now() < until;) Atomics.wait(ctl, C.nap, 0, 0.05);
}

/** finishJob under the watchdog: a wait for a worker that will never report fails instead of hanging. */
function finish(canBlock = true): number {
  Atomics.add(ctl, C.watch, 1);
  Atomics.notify(ctl, C.watch);
  const joins = finishJob(header, canBlock, SPIN_MS);
  Atomics.add(ctl, C.watch, 1);
  Atomics.notify(ctl, C.watch);
  if (Atomics.exchange(ctl, C.fired, 0)) {
    assert.unreachable(`finishJob waited over ${WATCHDOG_MS} ms for workers that had not joined (it counted ${joins} joins)`);
  }
  assert.is(Atomics.load(header, L.finished), joins, 'once finishJob returns, every join has reported finished, and no more');
  assert.is(Atomics.load(header, L.joined), CLOSED, 'and the job is closed');
  return joins;
}

const runMainSlices = () => runClaimedSlices(header, args, mainKernels, 0, L, MAX_JOB_ARGS);
const joins = () => Atomics.load(ctl, C.joins);
const attempts = () => Atomics.load(ctl, C.attempts);
/** The worker's next join call first does `how` (PARK.hold, PARK.pounce, or a nap of that many µs). */
const parkNextJoin = (how: number) => Atomics.store(ctl, C.park, how);
function release(): void {
  Atomics.store(ctl, C.release, 1);
  Atomics.notify(ctl, C.release);
}

/**
 * Opens `job` with the worker held as it is about to join it; this thread runs all of it and
 * finishes it. Returns finishJob's count of joins and how long finishJob took.
 */
function runWithWorkerHeld(job: Job, threads: number): { joined: number; ms: number } {
  parkNextJoin(PARK.hold);
  writeJob(job);
  openJob(header, threads);
  waitUntil(() => Atomics.load(ctl, C.parked) === 1, `the worker to wake for job ${job.tag} and stop before joining it`);
  runMainSlices();
  const start = performance.now();
  const joined = finish(false);
  return { joined, ms: performance.now() - start };
}

test.before(async () => {
  for (const source of [workerSource, watchdogSource]) {
    const worker = new Worker(source, { eval: true, workerData: shared });
    worker.on('error', (error) => (workerError = error));
    await new Promise((resolve) => worker.once('online', resolve));
    workers.push(worker);
  }
});

// After a failed test: no park pending, the worker not held, the job closed, so the next test starts clean.
test.before.each(() => {
  parkNextJoin(0);
  onMainSlice = null;
  if (Atomics.load(ctl, C.parked) === 1) release();
  if (Atomics.load(header, L.joined) !== CLOSED) {
    try {
      finish();
    } catch {
      // the failed test has said what went wrong
    }
  }
});

test.after(async () => {
  await Promise.all(workers.map((w) => w.terminate()));
});

test('(a) a worker that woke for a job but has not joined it is not waited for', () => {
  const job = { tag: 101, slices: 3, kernel: 0, scratch: false, mode: MODE.plain };
  const before = attempts();
  const { joined, ms } = runWithWorkerHeld(job, 3); // thread 2 never comes either: its range is taken
  assert.is(joined, 0, 'finishJob counted no joins');
  assert.ok(ms < 250, `finishJob returned at once (${ms.toFixed(1)} ms)`);
  assertRanOnce(job, [0]);
  assert.is(attempts(), before, 'the held worker has not even tried to join');
  release();
  waitUntil(() => attempts() > before, 'the released worker to try to join');
  assert.is(joins(), 0, 'and it found the job closed');
});

test('(b) a worker that joins late runs the next job whole, and the main thread waits for exactly its joins', () => {
  const first = { tag: 201, slices: 3, kernel: 0, scratch: false, mode: MODE.plain };
  assert.is(runWithWorkerHeld(first, 3).joined, 0);
  // Every header word the next job uses differs from the first's: slice count, kernel, scratch, threads, counters.
  const second = { tag: 202, slices: 8, kernel: 1, scratch: true, mode: MODE.slowInWorker };
  writeJob(second);
  const before = joins();
  openJob(header, 2);
  release(); // it goes on from its wake for the first job, which it never joined
  waitUntil(() => Atomics.load(ctl, C.logged) > 0, 'the released worker to join the second job and start a slice');
  runMainSlices();
  const joined = finish();
  const calls = assertRanOnce(second, [0, 1]);
  assert.ok(calls.some((r) => r.thread === 1), 'the worker ran some of its slices');
  assert.is(joined, joins() - before, 'finishJob waited for exactly the joins the worker made');
  assert.ok(joined === 1 || joined === 2, `one join, or two when it saw the second job's generation too (${joined})`);
});

test('(c) a worker that wakes while a job runs on the main thread alone never joins it', () => {
  const first = { tag: 301, slices: 4, kernel: 2, scratch: false, mode: MODE.plain };
  assert.is(runWithWorkerHeld(first, 2).joined, 0);
  // The next job is too small to share: the serial path, left closed, as WorkerPool.run does it.
  const serial = { tag: 302, slices: 6, kernel: 3, scratch: true, mode: MODE.plain };
  writeJob(serial);
  startSlices(header, 1);
  const [attemptsBefore, joinsBefore] = [attempts(), joins()];
  onMainSlice = (_tag, slice) => {
    if (slice !== 2) return;
    release(); // in the middle of the serial job
    waitUntil(() => attempts() > attemptsBefore, 'the released worker to try to join');
  };
  try {
    runMainSlices();
  } finally {
    onMainSlice = null;
  }
  assert.is(joins(), joinsBefore, 'the worker did not join');
  assert.is(Atomics.load(header, L.joined), CLOSED, 'the job stayed closed');
  assertRanOnce(serial, [0]);
  const runsInOrder = runs().map((r) => r.slice);
  assert.equal(runsInOrder, [0, 1, 2, 3, 4, 5], 'the main thread alone ran them, in order');
});

test('(d) a kernel that throws in the worker marks the job failed, and the worker still reports', () => {
  const failing = { tag: 401, slices: 6, kernel: 1, scratch: false, mode: MODE.throwsInWorker };
  writeJob(failing);
  const before = joins();
  openJob(header, 2);
  waitUntil(() => Atomics.load(header, L.finished) >= 1, 'the worker to join, fail and report');
  assert.is(Atomics.load(header, L.failed), 1, 'the worker marked the job failed');
  runMainSlices();
  const joined = finish(); // the watchdog fails this if the failed worker never reported
  assert.is(joined, joins() - before, 'finishJob waited for exactly the worker\'s joins');
  assert.is(Atomics.load(header, L.failed), 1, 'the job stays marked failed');
  // Every slice was claimed once: those the worker claimed failed (the kernel logs, then throws),
  // and a throw ends the worker's run, so it claimed at most one slice per join.
  const inWorker = assertRanOnce(failing, [0, 1]).filter((r) => r.thread === 1).length;
  assert.ok(inWorker >= 1 && inWorker <= joined, `the worker failed ${inWorker} slices in ${joined} joins`);

  // The worker lives on, and the next job starts unfailed.
  const next = { tag: 402, slices: 5, kernel: 2, scratch: true, mode: MODE.plain };
  writeJob(next);
  const nextBefore = joins();
  openJob(header, 2);
  waitUntil(() => joins() > nextBefore, 'the worker to join the next job');
  runMainSlices();
  assert.is(finish(), joins() - nextBefore);
  assert.is(Atomics.load(header, L.failed), 0, 'the next job starts unfailed');
  assertRanOnce(next, [0, 1]);
});

test('(e) hundreds of seeded random jobs and schedules: every slice once, with its own job\'s arguments', () => {
  const rng = seededRandom(20261207);
  let held = false;
  /**
   * Releases a held worker at the phase drawn for this job (0: before it opens, 1: just after, 2: in
   * the main thread's first slice, 3: after the main thread's slices), or at a later one if that one
   * did not come (a serial job does not open; the worker may have run slice 0).
   */
  let releasePhase = -1;
  const releaseAt = (phase: number) => {
    if (held && releasePhase >= 0 && releasePhase <= phase) {
      release();
      held = false;
    }
  };
  let sharedJobs = 0, serialJobs = 0, workerJobs = 0;
  for (let i = 0; i < 400; i++) {
    const serial = rng.next() < 0.2;
    const job: Job = {
      tag: 1000 + i, slices: rng.int(1, MAX_TEST_SLICES), kernel: rng.int(0, KERNELS - 1),
      scratch: rng.next() < 0.5, mode: rng.next() < 0.05 ? MODE.slowInWorker : MODE.plain,
    };
    releasePhase = held && rng.next() < 0.5 ? rng.int(0, 3) : -1;
    writeJob(job);
    releaseAt(0); // while closed, before it opens
    onMainSlice = (_tag, slice) => slice === 0 && releaseAt(2);
    if (serial) {
      serialJobs++;
      const before = joins();
      startSlices(header, 1);
      runMainSlices();
      releaseAt(3);
      assert.is(joins(), before, `serial job ${job.tag}: the worker never joined it`);
      assert.is(Atomics.load(header, L.joined), CLOSED, `serial job ${job.tag} stayed closed`);
      assertRanOnce(job, [0]);
    } else {
      sharedJobs++;
      if (!held) {
        const draw = rng.next();
        if (draw < 0.1) {
          parkNextJoin(PARK.hold);
          held = true;
        } else if (draw < 0.25) parkNextJoin(PARK.pounce);
        else if (draw < 0.6) parkNextJoin(rng.int(1, 300));
      }
      const before = joins();
      openJob(header, rng.int(2, 4));
      releaseAt(1);
      // The main thread late to its own job: sometimes a moment, sometimes until the worker has joined (or 2 ms).
      const late = rng.next();
      if (late < 0.3) Atomics.wait(ctl, C.nap, 0, rng.next() * 0.3);
      else if (late < 0.7) napUntil(() => joins() > before, 2);
      runMainSlices();
      releaseAt(3);
      const joined = finish(rng.next() < 0.5);
      assert.is(joined, joins() - before, `job ${job.tag}: finishJob waited for exactly the worker's joins`);
      if (assertRanOnce(job, [0, 1]).some((r) => r.thread === 1)) workerJobs++;
    }
    onMainSlice = null;
  }
  if (held) release();
  parkNextJoin(0);
  assert.ok(sharedJobs > 250 && serialJobs > 50, `${sharedJobs} shared jobs, ${serialJobs} serial`);
  assert.ok(workerJobs > 0, 'the worker ran slices of some of them');
});

test.run();
