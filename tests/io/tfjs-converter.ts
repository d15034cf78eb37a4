// TensorFlow.js weights as tfjs-converter's Python side writes them (write_weights.py and
// quantization.py), which TF.js's JS side cannot: weights in several groups, each group's bytes cut
// into shards of a fixed size (groupG-shardKofN.bin), and uint8 / uint16 / float16 quantization.
// Written here from the converter's description, independently of src/io, as the tests' reference.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type Quantize = 'uint8' | 'uint16' | 'float16';

export interface ConverterWeight {
  name: string;
  shape: number[];
  values: Float32Array;
  quantize?: Quantize;
}

export interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: { dtype: Quantize; min?: number; scale?: number; original_dtype: 'float32' };
}

/** numpy's np.round: halves to the even neighbour. */
function roundHalfToEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction !== 0.5) return fraction < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** quantize_weights for uint8 / uint16, in double precision: the q values, min and scale. */
export function affineQuantize(values: Float32Array, dtype: 'uint8' | 'uint16') {
  const quantMax = dtype === 'uint8' ? 255 : 65535;
  const minValue = values.reduce((a, b) => Math.min(a, b), Infinity);
  const maxValue = values.reduce((a, b) => Math.max(a, b), -Infinity);
  if (minValue === maxValue) return { q: new Array<number>(values.length).fill(0), min: minValue, scale: 1 };
  const scale = (maxValue - minValue) / quantMax;
  let min = minValue, max = maxValue;
  if (minValue <= 0 && 0 <= maxValue) { // _get_affine_quantization_range's nudge: 0 falls on a q
    min = -roundHalfToEven((0 - minValue) / scale) * scale;
    max = quantMax * scale + min;
  }
  const q = Array.from(values, (v) => roundHalfToEven((Math.min(Math.max(v, min), max) - min) / scale));
  return { q, min, scale };
}

/** Every finite half's bits, in increasing order of value (−65504 … −0, 0 … 65504). */
const HALVES: Array<{ bits: number; value: number }> = (() => {
  const all = [];
  for (let bits = 0; bits < 0x10000; bits++) {
    const exponent = (bits >> 10) & 0x1f, fraction = bits & 0x3ff;
    if (exponent === 0x1f) continue;
    const magnitude = exponent === 0 ? fraction / 1024 * 2 ** -14 : (1 + fraction / 1024) * 2 ** (exponent - 15);
    all.push({ bits, value: bits & 0x8000 ? -magnitude : magnitude });
  }
  return all.sort((a, b) => a.value - b.value || (a.bits & 0x8000 ? -1 : 1));
})();

const HALF_VALUES = new Map(HALVES.map((h) => [h.bits, h.value]));

/** numpy's astype(float16) by search: the nearest half, ties to the one with an even last bit. */
export function toHalfBits(value: number): number {
  let lo = 0, hi = HALVES.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (HALVES[mid].value <= value) lo = mid;
    else hi = mid;
  }
  const [a, b] = [HALVES[lo], HALVES[hi]];
  if (value === 0) return Object.is(value, -0) ? 0x8000 : 0;
  const da = Math.abs(value - a.value), db = Math.abs(value - b.value);
  if (da !== db) return da < db ? a.bits : b.bits;
  return (a.bits & 1) === 0 ? a.bits : b.bits;
}

/** One weight's bytes and manifest entry, quantized or not. */
export function encodeWeight(weight: ConverterWeight): { bytes: Uint8Array; entry: ManifestEntry } {
  const { name, shape, values, quantize } = weight;
  const entry: ManifestEntry = { name, shape, dtype: 'float32' };
  if (!quantize) return { bytes: new Uint8Array(values.slice().buffer), entry };
  if (quantize === 'float16') {
    entry.quantization = { dtype: 'float16', original_dtype: 'float32' };
    return { bytes: new Uint8Array(Uint16Array.from(values, toHalfBits).buffer), entry };
  }
  const { q, min, scale } = affineQuantize(values, quantize);
  entry.quantization = { dtype: quantize, min, scale, original_dtype: 'float32' };
  const stored = quantize === 'uint8' ? Uint8Array.from(q) : Uint16Array.from(q);
  return { bytes: new Uint8Array(stored.buffer), entry };
}

/**
 * Writes model.json and the shards into `dir`: each group's weights' bytes one after another, cut
 * into `shardBytes`-byte shards. Returns the weightsManifest written.
 */
export async function writeConverterModel(
  dir: string, modelTopology: unknown, groups: ConverterWeight[][], shardBytes: number,
): Promise<Array<{ paths: string[]; weights: ManifestEntry[] }>> {
  const manifest = [];
  for (const [g, group] of groups.entries()) {
    const encoded = group.map(encodeWeight);
    const bytes = Buffer.concat(encoded.map((e) => e.bytes));
    const count = Math.max(1, Math.ceil(bytes.length / shardBytes));
    const paths = Array.from({ length: count }, (_, k) => `group${g + 1}-shard${k + 1}of${count}.bin`);
    await Promise.all(paths.map((path, k) => writeFile(join(dir, path), bytes.subarray(k * shardBytes, (k + 1) * shardBytes))));
    manifest.push({ paths, weights: encoded.map((e) => e.entry) });
  }
  await writeFile(join(dir, 'model.json'), JSON.stringify({
    format: 'layers-model', generatedBy: 'keras v2.13', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology, weightsManifest: manifest,
  }));
  return manifest;
}

/** What TF.js makes of one entry's bytes (tfjs-core's decodeWeights), written plainly: the expected weights. */
export function dequantize(bytes: Uint8Array, entry: ManifestEntry): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const quantization = entry.quantization;
  if (!quantization) return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
  if (quantization.dtype === 'float16') {
    return Float32Array.from({ length: bytes.length / 2 }, (_, i) => HALF_VALUES.get(view.getUint16(2 * i, true)) ?? NaN);
  }
  const { scale = NaN, min = NaN } = quantization;
  return quantization.dtype === 'uint8'
    ? Float32Array.from(bytes, (q) => q * scale + min)
    : Float32Array.from({ length: bytes.length / 2 }, (_, i) => view.getUint16(2 * i, true) * scale + min);
}
