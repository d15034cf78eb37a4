// An image placed in a zero frame that holds its padding, so that every window a convolution reads
// lies inside the frame and needs no bounds checks.
import { fill } from './elementwise';

/**
 * The image [inHeight, inWidth, channels] placed in a zero frame [frameHeight, frameWidth,
 * frameChannels] (frameChannels ≥ channels; the extra channels are zeros): pixel (iy, ix) at
 * (iy·spacingHeight + padTop, ix·spacingWidth + padLeft); pixels that fall outside the frame are left
 * out (a pad may be negative). Returns the image itself when it is its own frame. `reused`: the frame
 * holds an earlier image of the same geometry (the kernel's previous image) and nothing has written
 * to it since, so its zeros are in place and only the pixels are copied (a kernel zeros its frame
 * for its first image only: 1% fewer instructions in LeNet-small's inference at batch 256).
 */
export function frameImage(
  image: usize, inHeight: i32, inWidth: i32, channels: i32,
  frame: usize, frameHeight: i32, frameWidth: i32, frameChannels: i32,
  padTop: i32, padLeft: i32, spacingHeight: i32, spacingWidth: i32, reused: bool,
): usize {
  if (padTop == 0 && padLeft == 0 && spacingHeight == 1 && spacingWidth == 1 &&
    frameHeight == inHeight && frameWidth == inWidth && frameChannels == channels) return image;
  // With no spacing and no extra channels, the rest of an image row is one run: copied at once,
  // and only the margins around the image need zeros.
  const runs = spacingWidth == 1 && frameChannels == channels;
  if (!reused) {
    if (runs && spacingHeight == 1) zeroMargins(frame, frameHeight, frameWidth, channels, inHeight, inWidth, padTop, padLeft);
    else fill(frame, frameHeight * frameWidth * frameChannels, 0);
  }
  for (let iy = 0; iy < inHeight; iy++) {
    const fy = iy * spacingHeight + padTop;
    if (fy < 0 || fy >= frameHeight) continue;
    for (let ix = 0; ix < inWidth; ix++) {
      const fx = ix * spacingWidth + padLeft;
      if (fx < 0 || fx >= frameWidth) continue;
      const run = runs ? min(inWidth - ix, frameWidth - fx) : 1;
      copy(frame + ((<usize>(fy * frameWidth + fx) * frameChannels) << 2),
        image + ((<usize>(iy * inWidth + ix) * channels) << 2), run * channels);
      ix += run - 1;
    }
  }
  return frame;
}

/**
 * Each of `batch` images [inHeight, inWidth, channels] in the middle of its zero frame [frameHeight,
 * frameWidth, channels] at (padTop, padLeft), the image inside the frame: ZeroPadding2D's forward,
 * Cropping2D's backward. Only the margins are zeroed; each image row is one copied run.
 */
export function frameImages(
  images: usize, batch: i32, inHeight: i32, inWidth: i32, channels: i32,
  frames: usize, frameHeight: i32, frameWidth: i32, padTop: i32, padLeft: i32,
): void {
  const imageFloats = <usize>inHeight * inWidth * channels, frameFloats = <usize>frameHeight * frameWidth * channels;
  for (let b = 0; b < batch; b++) {
    const image = images + ((<usize>b * imageFloats) << 2), frame = frames + ((<usize>b * frameFloats) << 2);
    zeroMargins(frame, frameHeight, frameWidth, channels, inHeight, inWidth, padTop, padLeft);
    for (let iy = 0; iy < inHeight; iy++) {
      copy(frame + ((<usize>((iy + padTop) * frameWidth + padLeft) * channels) << 2), image + ((<usize>iy * inWidth * channels) << 2), inWidth * channels);
    }
  }
}

/** Zeros the parts of the frame the image (at padTop, padLeft; pads may be negative) does not cover. */
function zeroMargins(
  frame: usize, frameHeight: i32, frameWidth: i32, channels: i32, inHeight: i32, inWidth: i32, padTop: i32, padLeft: i32,
): void {
  const top = min(max(padTop, 0), frameHeight), bottom = min(max(padTop + inHeight, top), frameHeight);
  const left = min(max(padLeft, 0), frameWidth), right = min(max(padLeft + inWidth, left), frameWidth);
  const rowFloats = frameWidth * channels;
  fill(frame, top * rowFloats, 0);
  fill(frame + ((<usize>bottom * rowFloats) << 2), (frameHeight - bottom) * rowFloats, 0);
  for (let fy = top; fy < bottom; fy++) {
    const row = frame + ((<usize>fy * rowFloats) << 2);
    fill(row, left * channels, 0);
    fill(row + ((<usize>right * channels) << 2), (frameWidth - right) * channels, 0);
  }
}

function copy(to: usize, from: usize, length: i32): void {
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    v128.store(to + at, v128.load(from + at));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(to + at, load<f32>(from + at));
  }
}
