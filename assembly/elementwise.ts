// Elementwise kernels: f32x4 over the bulk, a scalar loop over the last (length mod 4) elements.

export function reluForward(x: usize, y: usize, length: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    v128.store(y + at, f32x4.max(v128.load(x + at), zero));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(y + at, max<f32>(load<f32>(x + at), 0));
  }
}

export function reluBackward(y: usize, dy: usize, dx: usize, length: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    v128.store(dx + at, v128.and(v128.load(dy + at), f32x4.gt(v128.load(y + at), zero)));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(dx + at, load<f32>(y + at) > 0 ? load<f32>(dy + at) : 0);
  }
}
