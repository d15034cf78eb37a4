// Training speed of the LeNet-style net (tests/threads/lenet.ts, batch 32, momentum SGD) with 1
// and with 2 threads. The machine may be shared, so runs alternate 1, 2, 1, 2, … in fresh
// processes and the best of each is reported. `node scripts/measure-threads.mjs [rounds]`
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { buildWasm, bundleOptions } from './build.mjs';

const rounds = Number(process.argv[2] ?? 5);
const child = `.build/measure-threads-${process.pid}.mjs`;
await buildWasm();
await esbuild.build({
  ...bundleOptions, platform: 'node', packages: 'external', outfile: child,
  stdin: {
    resolveDir: process.cwd(), loader: 'ts',
    contents: `import { trainLenet } from './tests/threads/lenet.ts';
      const { imagesPerSecond } = await trainLenet(Number(process.argv[2]), 1024, 2);
      console.log(imagesPerSecond);`,
  },
});

const best = { 1: 0, 2: 0 };
for (let round = 0; round < rounds; round++) {
  for (const threads of [1, 2]) {
    const run = spawnSync(process.execPath, [child, String(threads)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    const rate = Number(run.stdout.trim());
    best[threads] = Math.max(best[threads], rate);
    console.log(`round ${round + 1}, ${threads} thread(s): ${rate.toFixed(0)} images/s`);
  }
}
rmSync(child, { force: true });
console.log(`best: 1 thread ${best[1].toFixed(0)} images/s, 2 threads ${best[2].toFixed(0)} images/s, speed-up ×${(best[2] / best[1]).toFixed(2)}`);
