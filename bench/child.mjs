// The child side of the bench protocol. Each peer runs in its own process (its memory, threads and
// JIT state never touch another peer's) and waits for the runner's requests, so only one peer
// computes at a time: { id, task, args } in, { id, result } or { id, error } out.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Moves every thread of this process to `cpu` alone (a request's args.cpu: peers.mjs, interleave). */
const pin = (cpu) => execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });

/** Peak resident set size of this process (VmHWM: unlike getrusage's maxRSS, not inherited across fork/exec). */
function peakRssBytes() {
  const kB = /VmHWM:\s*(\d+)\s*kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kB ? Number(kB) * 1024 : process.resourceUsage().maxRSS * 1024;
}

/** Serves `tasks` (name → async function of args) over the IPC channel the runner opened. */
export function serve(tasks) {
  process.on('message', async ({ id, task, args }) => {
    try {
      if (task === 'exit') process.exit(0);
      if (task === 'stats') {
        process.send({ id, result: { peakRssBytes: peakRssBytes() } });
        return;
      }
      if (!tasks[task]) throw new Error(`this peer has no task ${task}`);
      // A request may move the peer to another CPU first (args.cpu: peers.mjs, interleave).
      if (args?.cpu !== undefined) pin(args.cpu);
      process.send({ id, result: await tasks[task](args) });
    } catch (e) {
      process.send({ id, error: String(e?.stack ?? e) });
    }
  });
  process.send({ ready: true });
}

/**
 * The main thread's time on a CPU and time spent runnable but waiting for one, in seconds, from the
 * scheduler's own accounting (ns). On a shared CPU the wall clock also counts other programs' work;
 * this does not. Falls back to the process's CPU time where /proc is missing.
 */
function schedNow() {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return { cpu: run / 1e9, wait: wait / 1e9 };
  } catch {
    const { user, system } = process.cpuUsage();
    return { cpu: (user + system) / 1e6, wait: 0 };
  }
}

/**
 * Every thread's time runnable but waiting for a CPU, summed over the process, in seconds: a
 * threaded run's main thread waits for its workers asleep (not counted), so only the workers' own
 * waits tell that other programs held them up. 0 where /proc is missing.
 */
function processWaitNow() {
  try {
    return readdirSync('/proc/self/task').reduce((sum, task) => {
      try {
        return sum + Number(readFileSync(`/proc/self/task/${task}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
      } catch {
        return sum; // a thread that ended meanwhile
      }
    }, 0);
  } catch {
    return 0;
  }
}

/**
 * Starts a measurement; stop() gives { seconds (wall), cpuSeconds, waitSeconds } of the main thread
 * and processWaitSeconds, the wait of all the process's threads.
 */
export function startClock() {
  const wall = performance.now(), sched = schedNow(), processWait = processWaitNow();
  return {
    elapsed: () => (performance.now() - wall) / 1000,
    stop: () => {
      const now = schedNow();
      return {
        seconds: (performance.now() - wall) / 1000, cpuSeconds: now.cpu - sched.cpu, waitSeconds: now.wait - sched.wait,
        processWaitSeconds: processWaitNow() - processWait,
      };
    },
  };
}

/**
 * Runs `unit` (one batch, one kernel call…) until `seconds` of wall time have passed, at least once:
 * slow peers are time-boxed to a whole number of units. Returns the units done and their times.
 */
export async function timeBox(seconds, unit) {
  const clock = startClock();
  let units = 0;
  do {
    await unit();
    units++;
  } while (clock.elapsed() < seconds);
  return { units, ...clock.stop() };
}
