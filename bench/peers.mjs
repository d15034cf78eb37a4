// What every bench run shares: peer processes and their channel, interleaved rounds, and the
// statistics (medians of per-round ratios) the tables are made of.
import { fork, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';

/** Debian's interpreter, which has python3-torch (a python3 earlier on PATH may be another one). */
export const PYTHON = '/usr/bin/python3';

/** A logger that prefixes the seconds since `started`. */
export const createLog = (started) => (...a) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s]`, ...a);

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * A peer process and its request/response channel (bench/child.mjs is the other end): a Node peer
 * over the IPC channel, or a Python one (bench/peer-torch.py) over JSON lines on stdin/stdout.
 * `env` is added to this process's environment for the peer alone; `nodeFlags` start a Node peer's
 * engine. A request's args.cpu moves the peer to that CPU first (child.mjs, peer-torch.py).
 */
export class Peer {
  constructor(name, label, script, args = [], env = undefined, nodeFlags = []) {
    this.name = name;
    this.label = label;
    /** Whether a round may move the peer to a CPU of its own choosing (interleave's cpus): false for threaded peers. */
    this.pinnable = true;
    this.pending = new Map();
    this.nextId = 0;
    const path = new URL(script, import.meta.url).pathname;
    const options = { env: { ...process.env, ...env } };
    if (script.endsWith('.py')) {
      this.child = spawn(PYTHON, [path, ...args], { ...options, stdio: ['pipe', 'pipe', 'inherit'] });
      createInterface({ input: this.child.stdout }).on('line', (line) => this.child.emit('message', JSON.parse(line)));
      this.send = (message) => this.child.stdin.write(`${JSON.stringify(message)}\n`);
    } else {
      this.child = fork(path, args, { ...options, execArgv: [...process.execArgv, ...nodeFlags], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.send = (message) => this.child.send(message);
    }
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (m) => {
        if (m.ready) return resolve(this);
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error) p.reject(new Error(`${this.name}: ${m.error}`));
        else p.resolve(m.result);
      });
      this.child.on('exit', (code) => {
        const error = new Error(`${this.name} exited (code ${code})`);
        reject(error);
        for (const p of this.pending.values()) p.reject(error);
      });
    });
  }

  call(task, args = {}) {
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      this.pending.set(id, { resolve, reject });
      this.send({ id, task, args });
    });
  }

  exit() {
    this.child.removeAllListeners('exit');
    this.send({ task: 'exit' });
  }
}

/** CPUs 0 … nproc − 1: the rounds' turns (interleave's cpus). */
export const everyCpu = (nproc) => Array.from({ length: nproc }, (_, cpu) => cpu);

/** The CPU of round `round` (−1: the warm-up) when rounds take turns on `cpus`. */
export const roundCpu = (cpus, round) => cpus[Math.max(round, 0) % cpus.length];

/**
 * One warm-up round, then `reps` rounds in which each peer runs `task` once: { peer name → [results] }.
 * With `cpus`, every one-thread peer of a round runs on the same CPU, round r on cpus[r mod length]
 * (the warm-up on the first): a slow spell of one core then slows all of a round alike, and no
 * peer's figures come from one core alone. A peer with more threads (pinnable false) runs free.
 */
export async function interleave(task, peers, args, { reps, log, cpus }) {
  const results = Object.fromEntries(peers.map((p) => [p.name, []]));
  for (let round = -1; round < reps; round++) {
    const pinned = cpus ? { ...args, cpu: roundCpu(cpus, round) } : args;
    for (const p of peers) {
      const r = await p.call(task, p.pinnable ? pinned : args);
      if (round >= 0) results[p.name].push(r);
    }
    log(`${task}: ${round < 0 ? 'warm-up' : `round ${round + 1}/${reps}`} done`);
  }
  return results;
}

/**
 * Work per second: per second of the peer's own main-thread CPU time (the CPU is shared, and the
 * wall clock also counts other programs' work), except for threaded runs, where only the wall clock
 * means anything.
 */
export const rate = (amount, r, wallClock = false) => amount / (wallClock ? r.seconds : r.cpuSeconds);

/**
 * Median throughput of each peer, and convas ÷ peer as the median of the per-round ratios (CPU time
 * and wall clock): a row per peer, with its target (a minimum ratio) where `targets` names one.
 * `amount` reads the work of one result (images, by default).
 */
export function throughput(results, peers, targets, amount = (r) => r.images) {
  const cpu = Object.fromEntries(peers.map((p) => [p.name, results[p.name].map((r) => rate(amount(r), r, p.wallClock))]));
  const wall = Object.fromEntries(peers.map((p) => [p.name, results[p.name].map((r) => rate(amount(r), r, true))]));
  // Round i of a peer against convas's round i; a slow peer may have run fewer rounds.
  const ratio = (rates, name) => median(rates[name].map((r, i) => rates.convas[i] / r));
  return peers.map((p) => {
    const row = { name: p.name, label: p.label, rates: cpu[p.name], median: median(cpu[p.name]), wallRates: wall[p.name], wallMedian: median(wall[p.name]) };
    if (p.name === 'convasThreads') row.speedupOverOneThreadWall = 1 / ratio(wall, p.name);
    else if (p.name !== 'convas') {
      row.ratio = ratio(cpu, p.name);
      row.wallRatio = ratio(wall, p.name);
      if (targets[p.name]) row.target = { min: targets[p.name], pass: row.ratio >= targets[p.name] };
    }
    return row;
  });
}

/**
 * A section run on its own (`node bench/<section>.mjs [--reps N] [--seconds S]`) when `moduleUrl`
 * is the script node was given: build, run `bench`, print what `format` makes of it. Else nothing.
 */
export async function runAlone(moduleUrl, bench, format) {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  const { buildBench } = await import('./build.mjs'); // the compiler loads only when a section runs alone
  const option = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const build = await buildBench();
  const log = createLog(performance.now());
  console.log(format(await bench({ build, nproc: cpus().length, threaded: true, reps: option('reps', 5), seconds: option('seconds', 1), log })));
}
