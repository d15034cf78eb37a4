// Global pooling of NHWC images: each channel of an example reduced over all its positions
// (height·width), y [batch, channels]. An example's positions are rows of `channels` floats, walked
// in order into the output row with the channels in f32x4 lanes (the last channels mod 4 one by
// one), so every sum and every comparison runs in position order whatever the split of the batch.
import { add, fill } from './elementwise';

/** y[b, c] = Σ over positions of x[b, p, c], divided by the number of positions. */
export function globalAvgPoolForward(x: usize, y: usize, batch: i32, positions: i32, channels: i32): void {
  const rowBytes = <usize>channels << 2;
  const count = <f32>positions;
  for (let b = 0; b < batch; b++) {
    const out = y + <usize>b * rowBytes;
    let at = x + <usize>b * positions * rowBytes;
    // Row by row into the output row, which stays in cache however many channels there are.
    memory.copy(out, at, rowBytes);
    at += rowBytes;
    for (let p = 1; p < positions; p++, at += rowBytes) add(out, at, out, channels);
    let c = 0;
    for (; c + 4 <= channels; c += 4) v128.store(out + (<usize>c << 2), f32x4.div(v128.load(out + (<usize>c << 2)), f32x4.splat(count)));
    for (; c < channels; c++) store<f32>(out + (<usize>c << 2), load<f32>(out + (<usize>c << 2)) / count);
  }
}

/** dx[b, p, c] = dy[b, c] / positions at every position. */
export function globalAvgPoolBackward(dy: usize, dx: usize, batch: i32, positions: i32, channels: i32): void {
  const rowBytes = <usize>channels << 2;
  const count = f32x4.splat(<f32>positions);
  for (let b = 0; b < batch; b++) {
    const share = dx + <usize>b * positions * rowBytes;
    const from = dy + <usize>b * rowBytes;
    let c = 0;
    for (; c + 4 <= channels; c += 4) v128.store(share + (<usize>c << 2), f32x4.div(v128.load(from + (<usize>c << 2)), count));
    for (; c < channels; c++) store<f32>(share + (<usize>c << 2), load<f32>(from + (<usize>c << 2)) / <f32>positions);
    // The first position's row is every position's.
    for (let p = 1; p < positions; p++) memory.copy(share + <usize>p * rowBytes, share, rowBytes);
  }
}

/**
 * y[b, c] = the largest x[b, p, c]; argmax (i32, when ≠ 0) the first position p that holds it:
 * a later position wins only when strictly greater, as in max pooling.
 */
export function globalMaxPoolForward(x: usize, y: usize, argmax: usize, batch: i32, positions: i32, channels: i32): void {
  if (argmax) maxOverPositions(x, y, argmax, batch, positions, channels, true);
  else maxOverPositions(x, y, 0, batch, positions, channels, false);
}

// @ts-ignore: decorator
@inline function maxOverPositions(x: usize, y: usize, argmax: usize, batch: i32, positions: i32, channels: i32, withArgmax: bool): void {
  const rowBytes = <usize>channels << 2;
  for (let b = 0; b < batch; b++) {
    const out = y + <usize>b * rowBytes;
    const index = argmax + <usize>b * rowBytes;
    let at = x + <usize>b * positions * rowBytes;
    memory.copy(out, at, rowBytes);
    if (withArgmax) memory.fill(index, 0, rowBytes);
    at += rowBytes;
    for (let p = 1; p < positions; p++, at += rowBytes) {
      const position = i32x4.splat(p);
      let c = 0;
      for (; c + 4 <= channels; c += 4) {
        const lanes = <usize>c << 2;
        const best = v128.load(out + lanes), value = v128.load(at + lanes);
        if (withArgmax) v128.store(index + lanes, v128.bitselect(position, v128.load(index + lanes), f32x4.gt(value, best)));
        v128.store(out + lanes, f32x4.pmax(best, value)); // best < value ? value : best: the same strict choice as the index's
      }
      for (; c < channels; c++) {
        const lane = <usize>c << 2;
        const value = load<f32>(at + lane);
        if (value > load<f32>(out + lane)) {
          store<f32>(out + lane, value);
          if (withArgmax) store<i32>(index + lane, p);
        }
      }
    }
  }
}

/** dx = 0 but dx[b, argmax[b, c], c] = dy[b, c]: each gradient goes to the position that won. */
export function globalMaxPoolBackward(dy: usize, argmax: usize, dx: usize, batch: i32, positions: i32, channels: i32): void {
  fill(dx, batch * positions * channels, 0);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      const at = (<usize>(b * channels + c)) << 2;
      const p = load<i32>(argmax + at);
      store<f32>(dx + ((<usize>((b * positions + p) * channels + c)) << 2), load<f32>(dy + at));
    }
  }
}
