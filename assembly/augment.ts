// Kernels of the augmentation layers (RandomFlip, GaussianNoise): pure functions of their inputs
// and a seed, so a seeded run draws the same augmentations in every engine.

/** Where xorshift32 starts for seed 0, which would otherwise stay 0 forever (as dropoutMask). */
const ZERO_SEED_STATE: u32 = 0x6d2b79f5;
const TWO_PI: f64 = 6.283185307179586;

/**
 * y = x + stddev·z, z standard normal: Box–Muller on a xorshift32 stream (13, 17, 5) started at
 * seed. Each pair of elements takes two states s1, s2: u1 = ((s1 >>> 8) + 1)/2^24 ∈ (0, 1],
 * u2 = (s2 >>> 8)/2^24, r = √(−2 ln u1); the pair gets r·cos(2π·u2) and r·sin(2π·u2) (an odd last
 * element only the first), computed in f64. x and y may be the same buffer.
 */
export function gaussianNoise(x: usize, y: usize, length: i32, stddev: f32, seed: u32): void {
  let state = seed != 0 ? seed : ZERO_SEED_STATE;
  const scale = <f64>stddev;
  for (let i = 0; i < length; i += 2) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const u1 = (<f64>(state >>> 8) + 1) * (1.0 / 16777216.0);
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const angle = TWO_PI * (<f64>(state >>> 8) * (1.0 / 16777216.0));
    const r = Math.sqrt(-2 * Math.log(u1)) * scale;
    const at = x + (<usize>i << 2), to = y + (<usize>i << 2);
    store<f32>(to, load<f32>(at) + <f32>(r * Math.cos(angle)));
    if (i + 1 < length) store<f32>(to, load<f32>(at, 4) + <f32>(r * Math.sin(angle)), 4);
  }
}

/**
 * y[b, r, c, :] = x[b, r', c', :] of images [batch, height, width, channels] (NHWC), where flips[b]
 * (an i32 per example) has bit 0 set to mirror columns (c' = width − 1 − c) and bit 1 to mirror rows
 * (r' = height − 1 − r). Its own inverse: the gradient is the same call on dy. x and y are distinct.
 */
export function flipImages(x: usize, y: usize, flips: usize, batch: i32, height: i32, width: i32, channels: i32): void {
  const pixel = <usize>channels << 2;
  const row = <usize>width * pixel;
  const image = <usize>height * row;
  for (let b = 0; b < batch; b++) {
    const flip = load<i32>(flips + (<usize>b << 2));
    const from = x + <usize>b * image, to = y + <usize>b * image;
    for (let r = 0; r < height; r++) {
      const sourceRow = from + <usize>((flip & 2) != 0 ? height - 1 - r : r) * row;
      const targetRow = to + <usize>r * row;
      if ((flip & 1) == 0) {
        memory.copy(targetRow, sourceRow, row);
        continue;
      }
      for (let c = 0; c < width; c++) memory.copy(targetRow + <usize>c * pixel, sourceRow + <usize>(width - 1 - c) * pixel, pixel);
    }
  }
}
