// Reordering the axes of each example (the Permute layer, and its gradient): a strided gather.
// The output is written in order; each output axis steps through the input by its own stride.
// When the last output axis is also the input's last (stride 1), whole runs are copied at once.

/**
 * y[b, i0, i1, i2, i3] = x[b·size + i0·s0 + i1·s1 + i2·s2 + i3·s3] for output dimensions d0…d3
 * (size = d0·d1·d2·d3 floats per example; unused leading dimensions are 1).
 */
export function permute(
  x: usize, y: usize, batch: i32,
  d0: i32, d1: i32, d2: i32, d3: i32, s0: i32, s1: i32, s2: i32, s3: i32,
): void {
  const size = d0 * d1 * d2 * d3;
  let out = y;
  for (let b = 0; b < batch; b++) {
    const example = x + (<usize>(b * size) << 2);
    for (let i0 = 0; i0 < d0; i0++) {
      for (let i1 = 0; i1 < d1; i1++) {
        for (let i2 = 0; i2 < d2; i2++) {
          const from = example + (<usize>(i0 * s0 + i1 * s1 + i2 * s2) << 2);
          if (s3 == 1) {
            memory.copy(out, from, <usize>d3 << 2);
            out += <usize>d3 << 2;
            continue;
          }
          for (let i3 = 0; i3 < d3; i3++, out += 4) store<f32>(out, load<f32>(from + (<usize>(i3 * s3) << 2)));
        }
      }
    }
  }
}
