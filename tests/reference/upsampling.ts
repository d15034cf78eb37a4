// Naive references for up-sampling by whole factors, in f64: every output pixel as a weighted sum
// of input pixels (nearest: one pixel, weight 1; bilinear: tf.image.resize with half-pixel centres),
// and backward as the transpose of the same weights.

export interface UpSamplingShape {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  sizeHeight: number;
  sizeWidth: number;
}

/** [input index along the axis, weight] pairs that output `o` reads. */
function axisWeights(o: number, inSize: number, size: number, bilinear: boolean): Array<[number, number]> {
  if (!bilinear) return [[Math.floor(o / size), 1]];
  // Half-pixel centres: output o's centre (o + ½) lies at (o + ½)/size in input units, whose pixel centres are at i + ½.
  const at = Math.max((o + 0.5) / size - 0.5, 0);
  const low = Math.floor(at), fraction = at - low;
  return [[low, 1 - fraction], [Math.min(low + 1, inSize - 1), fraction]];
}

/** Calls visit(inputIndex, outputIndex, weight) for every input pixel an output pixel reads, channel by channel. */
function forEachWeight(s: UpSamplingShape, bilinear: boolean, visit: (inIndex: number, outIndex: number, weight: number) => void) {
  const outHeight = s.inHeight * s.sizeHeight, outWidth = s.inWidth * s.sizeWidth;
  for (let b = 0; b < s.batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (const [iy, wy] of axisWeights(oy, s.inHeight, s.sizeHeight, bilinear)) {
          for (const [ix, wx] of axisWeights(ox, s.inWidth, s.sizeWidth, bilinear)) {
            for (let c = 0; c < s.channels; c++) {
              visit(((b * s.inHeight + iy) * s.inWidth + ix) * s.channels + c, ((b * outHeight + oy) * outWidth + ox) * s.channels + c, wy * wx);
            }
          }
        }
      }
    }
  }
}

const outLength = (s: UpSamplingShape) => s.batch * s.inHeight * s.sizeHeight * s.inWidth * s.sizeWidth * s.channels;
const inLength = (s: UpSamplingShape) => s.batch * s.inHeight * s.inWidth * s.channels;

export function upSampling2dForward(x: Float32Array, s: UpSamplingShape, bilinear: boolean): Float32Array {
  const y = new Float64Array(outLength(s));
  forEachWeight(s, bilinear, (i, o, w) => { y[o] += w * x[i]; });
  return Float32Array.from(y);
}

export function upSampling2dBackward(dy: Float32Array, s: UpSamplingShape, bilinear: boolean): Float32Array {
  const dx = new Float64Array(inLength(s));
  forEachWeight(s, bilinear, (i, o, w) => { dx[i] += w * dy[o]; });
  return Float32Array.from(dx);
}
