// Resampling images as layers call it, as jobs over the batch (job-writer.ts): nearest up-sampling
// by whole factors, resizing to any size, and affine maps (the random augmentation layers): x
// [batch, height, width, channels] → y [batch, outHeight, outWidth, channels] and back for gradients.
import type { JobWriter } from './job-writer.js';

/** The images and the sampling of affineTransformImages (fillMode and interpolation in its numbering). */
export interface AffineImagesGeometry {
  height: number;
  width: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  fillMode: number;
  interpolation: number;
}

/** Resizing to any size (up-sampling: by whole factors); `batch` is the one field that changes from call to call. */
export interface ResizeGeometry {
  batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

export class ResamplingJobs {
  constructor(private readonly jobs: JobWriter) {}

  /** Forward reads x and writes y; backward reads dy (output-sized) and writes dx (input-sized). */
  upSampling2d(kernel: 'upSampling2dForward' | 'upSampling2dBackward', from: number, to: number, g: ResizeGeometry): void {
    const { outBytes, fromBytes, toBytes } = exampleBytes(g, kernel === 'upSampling2dBackward');
    const slices = this.jobs.start(g.batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(from + this.jobs.first * fromBytes).arg(to + this.jobs.first * toBytes)
        .arg(this.jobs.count).arg(g.inHeight).arg(g.inWidth).arg(g.channels).arg(g.outHeight / g.inHeight).arg(g.outWidth / g.inWidth);
    }
    this.jobs.run(kernel, g.batch * outBytes / 4);
  }

  // --- resizing: x [batch, inHeight, inWidth, channels] → y [batch, outHeight, outWidth, channels]

  /** Forward reads x and writes y; backward reads dy (output-sized) and writes dx (input-sized). */
  resize(kernel: 'resizeForward' | 'resizeBackward', from: number, to: number, interpolation: number, coordinates: number,
    params: number, g: ResizeGeometry): void {
    const backward = kernel === 'resizeBackward';
    const { inBytes, outBytes, fromBytes, toBytes } = exampleBytes(g, backward);
    const slices = this.jobs.start(g.batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(from + this.jobs.first * fromBytes).arg(to + this.jobs.first * toBytes).arg(interpolation).arg(coordinates).arg(params)
        .arg(this.jobs.count).arg(g.inHeight).arg(g.inWidth).arg(g.channels).arg(g.outHeight).arg(g.outWidth);
    }
    // Bicubic reads sixteen pixels per output element, bilinear four, nearest one (backward also clears dx).
    this.jobs.run(kernel, [1, 8, 32][interpolation & 3] * g.batch * outBytes / 4 + (backward ? g.batch * inBytes / 4 : 0));
  }

  // --- affine image sampling: x [batch, height, width, channels] → y [batch, outHeight, outWidth, channels]

  /**
   * affineTransformImages (x → y) or its backward (dy → dx) over the batch's examples, each with its
   * own 6-float map in transforms; `fill` is the f32 fill value's address (forward only).
   */
  affineTransformImages(kernel: 'affineTransformImages' | 'affineTransformImagesBackward', from: number, to: number, transforms: number,
    batch: number, g: AffineImagesGeometry, fill = 0): void {
    const inBytes = g.height * g.width * g.channels * 4, outBytes = g.outHeight * g.outWidth * g.channels * 4;
    const backward = kernel === 'affineTransformImagesBackward';
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(from + this.jobs.first * (backward ? outBytes : inBytes)).arg(to + this.jobs.first * (backward ? inBytes : outBytes))
        .arg(transforms + this.jobs.first * 24).arg(this.jobs.count).arg(g.height).arg(g.width).arg(g.channels).arg(g.outHeight).arg(g.outWidth)
        .arg(g.fillMode).arg(g.interpolation).arg(fill);
    }
    // Bilinear reads four pixels per output element, nearest one.
    this.jobs.run(kernel, (g.interpolation ? 4 : 1) * batch * outBytes / 4);
  }
}

/** An example's bytes in and out, and those a pass reads and writes: backward reads dy (output-sized) and writes dx. */
function exampleBytes(g: ResizeGeometry, backward: boolean) {
  const inBytes = g.inHeight * g.inWidth * g.channels * 4, outBytes = g.outHeight * g.outWidth * g.channels * 4;
  return { inBytes, outBytes, fromBytes: backward ? outBytes : inBytes, toBytes: backward ? inBytes : outBytes };
}
