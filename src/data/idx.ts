// IDX, the MNIST file format: 0x00 0x00, a data-type byte, a dimension-count byte, one big-endian
// uint32 per dimension, then the values. Only unsigned bytes (type 0x08) are read: that is what MNIST
// and its look-alikes (Fashion-MNIST, KMNIST) use. Pure: runs in browsers too.
import { FileFormatError } from '../errors.js';
import type { Dataset } from './dataset.js';

const UNSIGNED_BYTE = 0x08;
const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64',
};

export interface IdxImages {
  /** [count, height, width, 1], values 0..1. */
  images: Float32Array;
  count: number;
  height: number;
  width: number;
}

/** Reads an images file (`…-images-idx3-ubyte`): dimensions [count, height, width]. */
export function parseIdxImages(bytes: Uint8Array, fileName: string): IdxImages {
  const { dims, values } = parseIdx(bytes, fileName, 'images', ['count', 'rows', 'columns']);
  const [count, height, width] = dims;
  if (height === 0 || width === 0) {
    throw new FileFormatError(`${fileName}: images are ${height}×${width} pixels; expected at least 1×1`);
  }
  const images = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) images[i] = values[i] / 255;
  return { images, count, height, width };
}

/** Reads a labels file (`…-labels-idx1-ubyte`): dimensions [count]. */
export function parseIdxLabels(bytes: Uint8Array, fileName: string): Uint8Array {
  return parseIdx(bytes, fileName, 'labels', ['count']).values.slice();
}

/**
 * One dataset from an images file and its labels file. The number of classes is the largest label
 * plus one, and at least 2.
 */
export function idxDataset(
  imageBytes: Uint8Array, labelBytes: Uint8Array, fileNames: { images: string; labels: string },
): Dataset {
  const { images, count, height, width } = parseIdxImages(imageBytes, fileNames.images);
  const labels = parseIdxLabels(labelBytes, fileNames.labels);
  if (labels.length !== count) {
    throw new FileFormatError(
      `${fileNames.images} holds ${count} images but ${fileNames.labels} holds ${labels.length} labels; expected one label per image`,
    );
  }
  const classes = Math.max(2, labels.reduce((max, label) => Math.max(max, label), 0) + 1);
  return { images, labels, count, height, width, channels: 1, classes };
}

/** Checks the header against the expected dimension names; returns the dimensions and a view of the values. */
function parseIdx(
  bytes: Uint8Array, fileName: string, items: string, dimNames: string[],
): { dims: number[]; values: Uint8Array } {
  const fail = (what: string) => new FileFormatError(`${fileName}: ${what}`);
  const headerLength = 4 + 4 * dimNames.length;
  const expectedMagic = `0x000008${hexByte(dimNames.length)}`;
  if (bytes.length < 4) throw fail(`file is ${bytes.length} bytes, shorter than the 4-byte IDX magic number (truncated?)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const gzipHint = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (this looks gzip-compressed: gunzip it first)' : '';
    const magic = `0x${[0, 1, 2, 3].map((i) => hexByte(bytes[i])).join('')}`;
    throw fail(`bad magic number ${magic}; expected ${expectedMagic} for an IDX file${gzipHint}`);
  }
  if (bytes[2] !== UNSIGNED_BYTE) {
    const name = TYPE_NAMES[bytes[2]] ?? 'unknown';
    throw fail(`data type 0x${hexByte(bytes[2])} (${name}); expected 0x08 (unsigned byte)`);
  }
  if (bytes[3] !== dimNames.length) {
    throw fail(`has ${bytes[3]} dimensions; expected ${dimNames.length} (${dimNames.join(', ')})`);
  }
  if (bytes.length < headerLength) {
    throw fail(`file is ${bytes.length} bytes, shorter than its ${headerLength}-byte header (truncated)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = dimNames.map((_, i) => view.getUint32(4 + 4 * i));
  const [count] = dims;
  if (count === 0) throw fail(`holds 0 ${items}; expected at least one`);
  const valueCount = dims.reduce((product, d) => product * d, 1);
  const actual = bytes.length - headerLength;
  const shape = dims.map((d, i) => `${d} ${dimNames[i]}`).join(' × ');
  if (actual < valueCount) throw fail(`truncated: header says ${shape} = ${valueCount} bytes of data, but only ${actual} follow`);
  if (actual > valueCount) {
    throw fail(`${actual - valueCount} extra trailing bytes: header says ${shape} = ${valueCount} bytes of data, but ${actual} follow`);
  }
  return { dims, values: bytes.subarray(headerLength) };
}

function hexByte(value: number): string {
  return value.toString(16).padStart(2, '0');
}
