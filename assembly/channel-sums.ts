// Per-channel sums over many rows, kept accurate and in a fixed order: within a slice of the batch,
// rows are summed in f32 over blocks of BLOCK_ROWS and each block's sum is added in f64 (about 1e-6
// relative over a large batch); the slices' f64 sums are then added in slice order, so the host may
// split a batch over threads without changing a bit. The normalisations' sums are made of these.

/** Rows summed in f32 before their block's sum goes into the f64 total. */
export const BLOCK_ROWS = 32;

/** Σ over slices of the f64 at index `index` of each slice's sums (`stride` bytes apart), in slice order. */
export function sliceSum(partials: usize, slices: i32, stride: i32, index: i32): f64 {
  let sum: f64 = 0;
  for (let s = 0; s < slices; s++) sum += load<f64>(partials + <usize>s * stride + (<usize>index << 3));
  return sum;
}

export function zeroF64(at: usize, length: i32): void {
  memory.fill(at, 0, <usize>length << 3);
}

export function zeroF32(at: usize, length: i32): void {
  memory.fill(at, 0, <usize>length << 2);
}

/** sums (f64) += block (f32), two lanes at a time. */
export function addToF64(sums: usize, block: usize, length: i32): void {
  let i = 0;
  for (; i + 2 <= length; i += 2) {
    const at = <usize>i << 3;
    v128.store(sums + at, f64x2.add(v128.load(sums + at), f64x2.promote_low_f32x4(v128.load64_zero(block + (<usize>i << 2)))));
  }
  for (; i < length; i++) store<f64>(sums + (<usize>i << 3), load<f64>(sums + (<usize>i << 3)) + <f64>load<f32>(block + (<usize>i << 2)));
}
