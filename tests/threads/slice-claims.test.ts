// How threads share a job's slices (runClaimedSlices): each starts on its own contiguous range and
// then takes what the others have left, so every slice runs exactly once whoever is late; and who
// the main thread waits for (joinJob, closeJob): only the workers that joined before it closed the job.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOSED, JOB_HEADER, JOB_HEADER_WORDS, MAX_JOB_ARGS, closeJob, joinJob, runClaimedSlices, startSlices } from '../../src/backend/kernel-jobs.js';

/** A job of `count` slices for `threads` threads whose kernel records (slice, thread) as it runs. */
function job(count: number, threads: number) {
  const header = new Int32Array(JOB_HEADER_WORDS);
  const args = new Uint32Array(count * MAX_JOB_ARGS);
  for (let s = 0; s < count; s++) args[s * MAX_JOB_ARGS] = s; // argument 0 names the slice
  header[JOB_HEADER.sliceCount] = count;
  header[JOB_HEADER.kernel] = 0;
  header[JOB_HEADER.scratchArg] = -1;
  startSlices(header, threads);
  const runs: Array<[slice: number, thread: number]> = [];
  const run = (thread: number) => runClaimedSlices(header, args, [(slice: number) => runs.push([slice, thread])], thread, JOB_HEADER, MAX_JOB_ARGS);
  return { runs, run };
}

test('each thread runs its own range of slices first, then the next owners\' in turn', () => {
  // Thread t owns ⌊10t/3⌋ up to ⌊10(t+1)/3⌋: slices 0–2, 3–5 and 6–9. Alone, a thread runs them all.
  const first = job(10, 3);
  first.run(0);
  assert.equal(first.runs.map(([s]) => s), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const second = job(10, 3);
  second.run(1);
  assert.equal(second.runs.map(([s]) => s), [3, 4, 5, 6, 7, 8, 9, 0, 1, 2]);
});

test('a thread that comes late finds nothing left, and no slice runs twice', () => {
  for (const [count, threads] of [[1, 2], [7, 2], [16, 2], [13, 4], [64, 8], [5, 8]]) {
    const { runs, run } = job(count, threads);
    for (let t = threads - 1; t >= 0; t--) run(t);
    const slices = runs.map(([s]) => s).sort((a, b) => a - b);
    assert.equal(slices, Array.from({ length: count }, (_, s) => s), `${count} slices, ${threads} threads: each exactly once`);
    assert.ok(runs.every(([, thread]) => thread === threads - 1), 'the first thread to come ran them all');
  }
});

test('one thread (the serial runner) runs every slice in order', () => {
  const { runs, run } = job(9, 1);
  run(0);
  assert.equal(runs, Array.from({ length: 9 }, (_, s) => [s, 0]));
});

test('workers join an open job one by one; once it is closed none joins, and closing says how many did', () => {
  const header = new Int32Array(JOB_HEADER_WORDS);
  header[JOB_HEADER.joined] = 0; // opened, as WorkerPool.run does before it starts the job
  assert.ok(joinJob(header, JOB_HEADER, CLOSED));
  assert.ok(joinJob(header, JOB_HEADER, CLOSED));
  assert.is(closeJob(header), 2, 'the main thread waits for the two that joined');
  assert.not.ok(joinJob(header, JOB_HEADER, CLOSED), 'a worker waking after the close finds nothing to join');
  assert.is(header[JOB_HEADER.joined], CLOSED, 'and leaves the count as it was');
  header[JOB_HEADER.joined] = 0; // the next job opens
  assert.is(closeJob(header), 0, 'a job no worker joined closes with none to wait for');
});

test.run();
