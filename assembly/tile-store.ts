// Stores of an 8-column register tile row (two f32x4) into a matrix whose row may end inside the tile.

/** Writes the first `cols` lanes of the tile row low:high to C, or adds them to C when add. */
@inline
export function storeTileRow(at: usize, low: v128, high: v128, cols: i32, add: bool): void {
  if (cols == 8) {
    // The common full row, without a call: tiles with a short depth spend much of their time here.
    v128.store(at, add ? f32x4.add(v128.load(at), low) : low);
    v128.store(at, add ? f32x4.add(v128.load(at, 16), high) : high, 16);
  } else {
    storeLanes(at, low, min(cols, 4), add);
    if (cols > 4) storeLanes(at + 16, high, cols - 4, add);
  }
}

// Inlined: a call here, even one rarely taken, makes the compiler save every accumulator to the
// stack before the common full-row store.
// @ts-ignore: decorator
@inline function storeLanes(at: usize, v: v128, count: i32, add: bool): void {
  if (count == 4) {
    v128.store(at, add ? f32x4.add(v128.load(at), v) : v);
    return;
  }
  if (count > 0) storeLane(at, f32x4.extract_lane(v, 0), add);
  if (count > 1) storeLane(at + 4, f32x4.extract_lane(v, 1), add);
  if (count > 2) storeLane(at + 8, f32x4.extract_lane(v, 2), add);
}

/** Same operand order as the vector path (C + sum), so both give the same bits. */
@inline
function storeLane(at: usize, value: f32, add: bool): void {
  store<f32>(at, add ? load<f32>(at) + value : value);
}
