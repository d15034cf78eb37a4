// `npm run soak [-- --epochs N]`: bundles scripts/soak.ts (it reaches into src/ beyond the public
// API: the default network, the bundled digits, wasm memory figures) and runs it with --expose-gc,
// so RSS is measured after a collection.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { buildWasm, bundleOptions } from './build.mjs';

await buildWasm();
const outfile = `.build/soak-${process.pid}.mjs`;
await esbuild.build({ ...bundleOptions, entryPoints: ['scripts/soak.ts'], outfile, platform: 'node', packages: 'external' });
const run = spawnSync(process.execPath, ['--expose-gc', outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
rmSync(outfile, { force: true });
process.exit(run.status ?? 1);
