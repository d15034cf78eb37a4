// The weights' checksum, read 16 bytes a step, against CRC-32's definition a bit at a time: any
// length (the ends that do not fill a step included) at any offset in its buffer (the words are a view).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32, crc32Hex } from '../../src/io/crc32.js';
import { random } from '../helpers.js';

/** CRC-32 as defined: reflected polynomial 0xedb88320, initial value and final xor all ones. */
function crc32BitByBit(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const text = (s: string) => new TextEncoder().encode(s);

test('known values: the standard check string, nothing, one byte, and longer strings', () => {
  assert.is(crc32Hex(text('123456789')), 'cbf43926');
  assert.is(crc32Hex(new Uint8Array(0)), '00000000');
  assert.is(crc32Hex(text('a')), 'e8b7be43');
  assert.is(crc32Hex(text('The quick brown fox jumps over the lazy dog')), '414fa339');
  assert.is(crc32Hex(new Uint8Array(32)), '190a55ad');
  assert.is(crc32Hex(new Uint8Array(32).fill(0xff)), 'ff6cab0b');
});

test('random bytes of every length to 80 at every offset, and random lengths to 100,000 at random offsets, as defined', () => {
  const rng = random(32);
  const bytes = Uint8Array.from({ length: 100_100 }, () => Math.floor(rng.next() * 256));
  for (let offset = 0; offset < 8; offset++) {
    for (let length = 0; length <= 80; length++) {
      const part = bytes.subarray(offset, offset + length);
      assert.is(crc32(part), crc32BitByBit(part), `length ${length} at offset ${offset}`);
    }
  }
  for (let i = 0; i < 40; i++) {
    const offset = Math.floor(rng.next() * 64);
    const length = Math.floor(rng.next() ** 2 * 100_000);
    const part = bytes.subarray(offset, offset + length);
    assert.is(crc32(part), crc32BitByBit(part), `length ${length} at offset ${offset}`);
  }
});

test('a Node Buffer from a shared pool at an odd offset, and bytes in a SharedArrayBuffer', () => {
  const rng = random(33);
  const values = Array.from({ length: 1001 }, () => Math.floor(rng.next() * 256));
  const pooled = Buffer.from(values); // small Buffers are slices of one pool, at any offset
  const shared = new Uint8Array(new SharedArrayBuffer(1010), 5, 1001);
  shared.set(values);
  const expected = crc32BitByBit(Uint8Array.from(values));
  assert.is(crc32(pooled), expected);
  assert.is(crc32(shared), expected);
});

test.run();
