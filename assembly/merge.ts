// Kernels of the merge layers (add, average, maximum, concatenate): f32x4 over the bulk, a scalar
// loop over the tail. add and multiply themselves are in elementwise.ts.

/** out = x · factor. */
export function scale(x: usize, out: usize, length: i32, factor: f32): void {
  const f = f32x4.splat(factor);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, f32x4.mul(v128.load(x + at), f));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, load<f32>(x + at) * factor);
  }
}

/** out = max(a, b), the larger of the two (a when they are equal). */
export function maximum(a: usize, b: usize, out: usize, length: i32): void {
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const va = v128.load(a + at), vb = v128.load(b + at);
    v128.store(out + at, v128.bitselect(vb, va, f32x4.gt(vb, va)));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const va = load<f32>(a + at), vb = load<f32>(b + at);
    store<f32>(out + at, vb > va ? vb : va);
  }
}

/**
 * The gradient of a maximum for one of its inputs, taken in input order: dx = dy where x is the
 * maximum y and no earlier input was (taken ≠ 0 marks those), else 0; taken is then updated. So a
 * tie sends the whole gradient to the first input that holds the maximum, as max pooling does.
 */
export function maximumBackward(x: usize, y: usize, dy: usize, taken: usize, dx: usize, length: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const wins = v128.and(f32x4.eq(v128.load(x + at), v128.load(y + at)), f32x4.eq(v128.load(taken + at), zero));
    v128.store(dx + at, v128.and(v128.load(dy + at), wins));
    v128.store(taken + at, v128.or(v128.load(taken + at), v128.and(wins, f32x4.splat(1))));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const wins = load<f32>(x + at) == load<f32>(y + at) && load<f32>(taken + at) == 0;
    store<f32>(dx + at, wins ? load<f32>(dy + at) : 0);
    if (wins) store<f32>(taken + at, 1);
  }
}

/**
 * Copies `rows` runs of `width` floats from src (runs `srcStride` floats apart) to dst (runs
 * `dstStride` floats apart): one input's share of a concatenation, and back for its gradient.
 */
export function copyRuns(src: usize, srcStride: i32, dst: usize, dstStride: i32, rows: i32, width: i32): void {
  const bytes = <usize>width << 2;
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + (<usize>(r * dstStride) << 2), src + (<usize>(r * srcStride) << 2), bytes);
  }
}

/** Adds `rows` runs of `width` floats of src (runs `srcStride` floats apart) into dst (runs `dstStride` apart): a gradient gathered where a copy went. */
export function addRuns(src: usize, srcStride: i32, dst: usize, dstStride: i32, rows: i32, width: i32): void {
  for (let r = 0; r < rows; r++) {
    const from = src + (<usize>(r * srcStride) << 2), to = dst + (<usize>(r * dstStride) << 2);
    for (let i = 0; i < width; i++) {
      const at = <usize>i << 2;
      store<f32>(to + at, load<f32>(to + at) + load<f32>(from + at));
    }
  }
}
