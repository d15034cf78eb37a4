// The threads build is the one-thread build with its imported memory marked shared: the code is
// the same, so the package ships each build once and sets that one bit here (halving its size).
import { FileFormatError } from '../errors.js';

const IMPORT_SECTION = 2;
const MEMORY_IMPORT = 2;
const SHARED_FLAG = 0x02;

/** A copy of a module's bytes whose imported memory `env.memory` is declared shared. */
export function withSharedMemory(moduleBytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(moduleBytes);
  let at = 8; // past the magic number and the version
  const leb = (): number => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return value;
  };
  const name = (): string => {
    const length = leb();
    at += length;
    return String.fromCharCode(...bytes.subarray(at - length, at));
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    if (id !== IMPORT_SECTION) { at += size; continue; }
    for (let count = leb(); count > 0; count--) {
      const field = `${name()}.${name()}`;
      const kind = bytes[at++];
      if (kind === MEMORY_IMPORT && field === 'env.memory') {
        bytes[at] |= SHARED_FLAG; // the limits' flags: bit 0 a maximum (which shared memory needs), bit 1 shared
        return bytes;
      }
      throw new FileFormatError(`kernel module: unexpected import ${field} (kind ${kind}) before env.memory`);
    }
  }
  throw new FileFormatError('kernel module: no imported memory env.memory to share');
}
