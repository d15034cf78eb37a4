// An image's phases: with blocks of blockHeight × blockWidth pixels, phase (py, px) of an image holds
// the pixels at rows py, py + blockHeight, … and columns px, px + blockWidth, … of the image padded by
// padTop and padLeft. A convolution dilated by the block size reads, for each output phase, exactly
// the pixels of one input phase, next to each other: so it is blockHeight·blockWidth undilated
// convolutions of the phases (TensorFlow's space-to-batch identity). Phases are [batch, blockHeight,
// blockWidth, phaseHeight, phaseWidth, channels]; a pixel of a phase outside the image is zero.
import { fill } from './elementwise';

/** phases[n, py, px, a, b] = x[n, py + a·blockHeight − padTop, px + b·blockWidth − padLeft], or 0 outside x. */
export function spaceToBatch(
  x: usize, phases: usize, batch: i32, height: i32, width: i32, channels: i32,
  blockHeight: i32, blockWidth: i32, padTop: i32, padLeft: i32, phaseHeight: i32, phaseWidth: i32,
): void {
  const pixel = <usize>channels << 2;
  let to = phases;
  for (let n = 0; n < batch; n++) {
    const image = x + <usize>n * height * width * pixel;
    for (let py = 0; py < blockHeight; py++) {
      for (let px = 0; px < blockWidth; px++) {
        for (let a = 0; a < phaseHeight; a++) {
          const iy = py + a * blockHeight - padTop;
          for (let b = 0; b < phaseWidth; b++, to += pixel) {
            const ix = px + b * blockWidth - padLeft;
            if (iy < 0 || iy >= height || ix < 0 || ix >= width) fill(to, channels, 0);
            else memory.copy(to, image + <usize>(iy * width + ix) * pixel, pixel);
          }
        }
      }
    }
  }
}

/**
 * The inverse: x[n, iy, ix] = phases[n, (iy + padTop) mod blockHeight, (ix + padLeft) mod blockWidth,
 * (iy + padTop) div blockHeight, (ix + padLeft) div blockWidth], or 0 where that is past the phase.
 */
export function batchToSpace(
  phases: usize, x: usize, batch: i32, height: i32, width: i32, channels: i32,
  blockHeight: i32, blockWidth: i32, padTop: i32, padLeft: i32, phaseHeight: i32, phaseWidth: i32,
): void {
  const pixel = <usize>channels << 2;
  const phaseBytes = <usize>phaseHeight * phaseWidth * pixel;
  let to = x;
  for (let n = 0; n < batch; n++) {
    const image = phases + <usize>n * blockHeight * blockWidth * phaseBytes;
    for (let iy = 0; iy < height; iy++) {
      const py = (iy + padTop) % blockHeight, a = (iy + padTop) / blockHeight;
      for (let ix = 0; ix < width; ix++, to += pixel) {
        const px = (ix + padLeft) % blockWidth, b = (ix + padLeft) / blockWidth;
        if (a >= phaseHeight || b >= phaseWidth) fill(to, channels, 0);
        else memory.copy(to, image + <usize>(py * blockWidth + px) * phaseBytes + <usize>(a * phaseWidth + b) * pixel, pixel);
      }
    }
  }
}
