// Asserts that a loader fails with the right error class and a message that names the file.
import * as assert from 'uvu/assert';

type ErrorClass = new (...args: never[]) => Error;

export async function expectError(
  run: () => unknown, errorClass: ErrorClass, fileName: string, detail: RegExp,
): Promise<void> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  if (!(caught instanceof errorClass)) {
    assert.unreachable(`expected a ${errorClass.name}, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  }
  const { message } = caught as Error;
  assert.ok(message.includes(fileName), `message names ${fileName}: "${message}"`);
  assert.match(message, detail);
}
