// Asserts that a call fails with a typed ConvasError whose message names what was wrong.
import * as assert from 'uvu/assert';
import { ConvasError } from '../src/index.js';

type ErrorClass = new (...args: never[]) => Error;

export function throwsWith(run: () => unknown, type: ErrorClass, ...fragments: string[]): void {
  try {
    run();
  } catch (error) {
    assert.instance(error, type, `${(error as Error).message}`);
    assert.instance(error, ConvasError);
    for (const f of fragments) assert.ok((error as Error).message.includes(f), `"${(error as Error).message}" should mention "${f}"`);
    return;
  }
  assert.unreachable(`expected a ${type.name}`);
}

export async function rejectsWith(run: () => Promise<unknown>, type: ErrorClass, ...fragments: string[]): Promise<void> {
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  throwsWith(() => { if (error) throw error; }, type, ...fragments);
}
