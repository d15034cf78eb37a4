// What this machine's cores can give convas's training at all: the threads row's speed-up only
// means something beside how much as many independent 1-thread processes as there are cores train
// at once (nothing shared, no waiting on each other). On a shared VM the cores need not be alike:
// one may run memory-bound code far slower than the other while register-bound code runs alike on
// both, and a threaded step then waits for the slower core. Each round: convas on 1 thread alone,
// one 1-thread process per core at once, and convas on every core, all by the wall clock, with the
// net and batch of the training rows.
// Run alone: `node bench/cores.mjs [--reps N] [--seconds S]`; `npm run bench` runs it too.
import { Peer, median, rate, runAlone } from './peers.mjs';
import { formatCores } from './table.mjs';

/**
 * { rounds, alone, fastest, slowest, threads, capacity, speedup, efficiency, threadsWaited,
 * atOnceWaited }: medians of per-round figures, in images per wall second; fastest and slowest are
 * the processes at once; capacity = the processes at once together ÷ one alone, speedup = the
 * threaded run ÷ one alone, efficiency = the threaded run ÷ the processes at once together;
 * threadsWaited and atOnceWaited: seconds per wall second that the threaded run's threads, and the
 * processes at once, were runnable but without a core (other programs held it). A threaded step
 * waits for its slowest thread, so a worker kept off its core costs the threaded run far more than
 * it costs a process on its own.
 */
export async function benchCores({ build, nproc, reps, seconds, log }) {
  const label = (n) => `convas, ${n} thread${n > 1 ? 's' : ''}`;
  const singles = Array.from({ length: nproc }, (_, i) => new Peer(`convas${i}`, `${label(1)}, process ${i + 1}`, './peer-convas.mjs', [build.convas, '1']));
  const threaded = new Peer('convasThreads', label(nproc), './peer-convas.mjs', [build.convas, String(nproc)]);
  const peers = [...singles, threaded];
  await Promise.all(peers.map((p) => p.ready));
  const wall = (r) => rate(r.images, r, true);
  const waited = (r) => r.processWaitSeconds / r.seconds;
  const rounds = [];
  try {
    if (!(await threaded.call('info')).threadsSupported) return { skipped: 'convas runs without threads here' };
    for (let round = -1; round < reps; round++) {
      const alone = wall(await singles[0].call('train', { seconds }));
      const atOnceRuns = await Promise.all(singles.map((p) => p.call('train', { seconds })));
      const threadedRun = await threaded.call('train', { seconds });
      if (round >= 0) {
        rounds.push({
          alone, atOnce: atOnceRuns.map(wall), threads: wall(threadedRun),
          atOnceWaited: atOnceRuns.reduce((sum, r) => sum + waited(r), 0), threadsWaited: waited(threadedRun),
        });
      }
      log(`cores: ${round < 0 ? 'warm-up' : `round ${round + 1}/${reps}`} done`);
    }
  } finally {
    peers.forEach((p) => p.exit());
  }
  const of = (f) => median(rounds.map(f));
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  return {
    nproc, rounds,
    alone: of((r) => r.alone),
    fastest: of((r) => Math.max(...r.atOnce)),
    slowest: of((r) => Math.min(...r.atOnce)),
    threads: of((r) => r.threads),
    capacity: of((r) => sum(r.atOnce) / r.alone),
    speedup: of((r) => r.threads / r.alone),
    efficiency: of((r) => r.threads / sum(r.atOnce)),
    threadsWaited: of((r) => r.threadsWaited),
    atOnceWaited: of((r) => r.atOnceWaited),
  };
}

await runAlone(import.meta.url, benchCores, formatCores);
