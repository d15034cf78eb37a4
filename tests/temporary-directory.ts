// Temporary directories for the tests, removed when the test file's process exits: after the last
// test, after a failed one and after an uncaught error alike, so no run leaves one behind. Node's
// modules come through importNodeBuiltin because files shared with the browser tests import this.
import { importNodeBuiltin } from '../src/platform.js';

const made: string[] = [];

/** A new, empty directory named convas-<name>-…, in the system's temporary directory (TMPDIR). */
export async function temporaryDirectory(name: string): Promise<string> {
  const fs = await importNodeBuiltin<typeof import('node:fs')>('node:fs');
  const os = await importNodeBuiltin<typeof import('node:os')>('node:os');
  const path = await importNodeBuiltin<typeof import('node:path')>('node:path');
  // 'exit' listeners run synchronously, so the removal is synchronous too.
  if (made.length === 0) process.once('exit', () => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `convas-${name}-`));
  made.push(dir);
  return dir;
}
