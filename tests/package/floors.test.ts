// The house's floors, checked on the import lines of the source: kernels (assembly/) ← backend ←
// tensor ← ops, layers and data ← model ← io ← the public entry (src/index.ts) ← onnx ← cli and worker.
// A file imports its own folder and lower floors only (type-only imports too), nothing imports in
// a circle, and the site (www/src) reaches the package through its public entry and the worker
// entry only, as its build swaps those two for the published convas.js and worker.js.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The single files directly in src/ (errors, shapes, random streams, windows…), below every floor. */
const LEAF = 'leaf';
const FLOORS: Record<string, number> = {
  [LEAF]: 0, backend: 1, tensor: 2, ops: 3, layers: 3, data: 3, model: 4, io: 5, index: 6, onnx: 7, cli: 8, worker: 8,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

// import … from '…', export … from '…', import '…' and import('…'), type-only ones included.
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*(?:\/\*.*?\*\/\s*)*['"]([^'"]+)['"]\s*\)/gs;

/** The files each file imports, as paths from the project root ('.js' read as the '.ts' it is built from). */
function imports(files: string[]): Map<string, string[]> {
  return new Map(files.map((file) => [file, [...readFileSync(file, 'utf8').matchAll(IMPORT)]
    .map((m) => m[1] ?? m[2] ?? m[3])
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative('.', resolve(dirname(file), spec)).replace(/\.js$/, '.ts'))]));
}

/** src/model/model.ts → 'model'; src/tensor.ts → 'tensor'; src/errors.ts → the leaves. */
function room(file: string): string {
  const [, first, second] = file.split('/');
  if (second !== undefined) return first;
  const name = first.replace(/\.ts$/, '');
  return name in FLOORS ? name : LEAF;
}

const src = imports(sourceFiles('src'));

test('the floor map knows every folder of src/', () => {
  const unknown = [...src.keys()].map(room).filter((r) => !(r in FLOORS));
  assert.equal([...new Set(unknown)], []);
});

test('no file in src/ imports a higher floor or a neighbour on its own floor', () => {
  const wrong: string[] = [];
  for (const [file, targets] of src) {
    for (const target of targets.filter((t) => t.startsWith('src/'))) {
      const from = room(file), to = room(target);
      if (from !== to && FLOORS[to] >= FLOORS[from]) wrong.push(`${file} → ${target} (${from} ↛ ${to})`);
    }
  }
  assert.equal(wrong, []);
});

test('the kernels import only each other', () => {
  const wrong = [...imports(sourceFiles('assembly'))].flatMap(([file, targets]) =>
    targets.filter((t) => !t.startsWith('assembly/')).map((t) => `${file} → ${t}`));
  assert.equal(wrong, []);
});

test('no imports in a circle in src/ (type-only imports included)', () => {
  // Depth first without recursion: a target met while still on the path closes a circle.
  const circles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  for (const start of src.keys()) {
    if (state.has(start)) continue;
    const path: Array<{ file: string; next: number }> = [{ file: start, next: 0 }];
    state.set(start, 'open');
    while (path.length > 0) {
      const top = path[path.length - 1];
      const target = (src.get(top.file) ?? [])[top.next++];
      if (target === undefined) {
        state.set(top.file, 'done');
        path.pop();
      } else if (state.get(target) === 'open') {
        const at = path.findIndex((p) => p.file === target);
        circles.push([...path.slice(at).map((p) => p.file), target].join(' → '));
      } else if (!state.has(target) && src.has(target)) {
        state.set(target, 'open');
        path.push({ file: target, next: 0 });
      }
    }
  }
  assert.equal(circles, []);
});

test('the site imports the package only through its public entry and the worker entry', () => {
  const allowed = new Set(['src/index.ts', 'src/worker/index.ts']);
  const wrong = [...imports(sourceFiles('www/src'))].flatMap(([file, targets]) =>
    targets.filter((t) => !t.startsWith('www/') && !allowed.has(t)).map((t) => `${file} → ${t}`));
  assert.equal(wrong, []);
});

test.run();
