// PReLU, the ReLU with learnable slopes: y = x > 0 ? x : α·x, where α repeats every alphaLength
// elements (one slope per channel, or one per element of the example). Rows of alphaLength
// elements: f32x4 along a row, a scalar loop over its last (alphaLength mod 4) elements.

export function preluForward(x: usize, alpha: usize, y: usize, length: i32, alphaLength: i32): void {
  const zero = f32x4.splat(0);
  for (let start = 0; start < length; start += alphaLength) {
    const row = <usize>start << 2;
    let c = 0;
    for (; c + 4 <= alphaLength; c += 4) {
      const at = <usize>c << 2;
      const v = v128.load(x + row + at);
      v128.store(y + row + at, v128.bitselect(v, f32x4.mul(v, v128.load(alpha + at)), f32x4.gt(v, zero)));
    }
    for (; c < alphaLength; c++) {
      const at = <usize>c << 2;
      const v = load<f32>(x + row + at);
      store<f32>(y + row + at, v > 0 ? v : v * load<f32>(alpha + at));
    }
  }
}

/**
 * dx = dy where x > 0, α·dy where x < 0, 0 where x = 0 (when dx ≠ 0): Keras's relu(x) − α·relu(−x)
 * has no slope at 0 (TF.js's PReLU gives α·dy there). dAlpha[c] = Σ over the rows, in order, of
 * (x < 0 ? x·dy : 0) (when dAlpha ≠ 0; overwritten).
 */
export function preluBackward(x: usize, alpha: usize, dy: usize, dx: usize, dAlpha: usize, length: i32, alphaLength: i32): void {
  const zero = f32x4.splat(0);
  if (dAlpha) memory.fill(dAlpha, 0, <usize>alphaLength << 2);
  for (let start = 0; start < length; start += alphaLength) {
    const row = <usize>start << 2;
    let c = 0;
    for (; c + 4 <= alphaLength; c += 4) {
      const at = <usize>c << 2;
      const v = v128.load(x + row + at), g = v128.load(dy + row + at);
      const negative = f32x4.lt(v, zero);
      if (dx) v128.store(dx + row + at, v128.bitselect(g, v128.and(f32x4.mul(g, v128.load(alpha + at)), negative), f32x4.gt(v, zero)));
      if (dAlpha) v128.store(dAlpha + at, f32x4.add(v128.load(dAlpha + at), v128.and(f32x4.mul(v, g), negative)));
    }
    for (; c < alphaLength; c++) {
      const at = <usize>c << 2;
      const v = load<f32>(x + row + at), g = load<f32>(dy + row + at);
      if (dx) store<f32>(dx + row + at, v > 0 ? g : v < 0 ? g * load<f32>(alpha + at) : 0);
      if (dAlpha) store<f32>(dAlpha + at, load<f32>(dAlpha + at) + (v < 0 ? v * g : 0));
    }
  }
}
