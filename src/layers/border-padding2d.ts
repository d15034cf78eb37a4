// Rows and columns added at an image's borders from its own pixels, as PyTorch's ReflectionPad2d
// and ReplicationPad2d (and F.pad's 'reflect' and 'replicate') add them and ONNX's Pad modes
// reflect and edge: 'reflect' mirrors the image about its first and last pixel (which are not
// repeated), 'edge' repeats the edge pixel. Style-transfer and image-to-image nets pad so before
// their convolutions. Forward places the image in the middle of the frame, copies the border
// columns of its rows from their source columns, then whole border rows from their source rows
// (so corners take both reflections). Backward adds each border pixel's gradient into the pixel it
// was copied from.
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type Borders, type Borders2DSides, resolveBorders } from './borders2d.js';
import { Layer, type LayerConfig, checkSetting } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';

export type BorderPaddingMode = 'reflect' | 'edge';
const MODES: readonly BorderPaddingMode[] = ['reflect', 'edge'];

export interface BorderPadding2DOptions {
  /** n on every side, [height, width], or [[top, bottom], [left, right]], as ZeroPadding2D takes it. Default 1. */
  padding?: Borders;
  mode: BorderPaddingMode;
  name?: string;
}

/** The pixel of an axis of `size` that position i (from −before, before the first pixel) copies. */
function sourceIndex(i: number, size: number, mode: BorderPaddingMode): number {
  if (i < 0) return mode === 'reflect' ? -i : 0;
  if (i >= size) return mode === 'reflect' ? 2 * (size - 1) - i : size - 1;
  return i;
}

export class BorderPadding2D extends Layer {
  readonly className = 'BorderPadding2D';
  readonly borders: Borders2DSides;
  readonly mode: BorderPaddingMode;
  private y = 0;
  private dx = 0;
  /** For each row of the frame, the image's row it copies (the image's first row at frame row `top`). */
  private rowsFrom: number[] = [];
  /** For each column of the frame, the image's column it copies. */
  private columnsFrom: number[] = [];
  /** The frame's border rows, above the image and below it. */
  private borderRows: number[] = [];
  /** The frame's border columns, left of the image and right of it. */
  private borderColumns: number[] = [];

  constructor(options: BorderPadding2DOptions) {
    super(options?.name, 'border_padding2d');
    this.borders = resolveBorders(options?.padding ?? 1, this.name, 'padding');
    checkSetting(MODES.includes(options?.mode), this.name, `mode must be one of ${MODES.join(', ')} (zeros: zeroPadding2d), got ${shownValue(options?.mode)}`);
    this.mode = options.mode;
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 3, this.name, `${this.className} takes [height, width, channels] per example, got ${formatShape(input)}`);
    const [[top, bottom], [left, right]] = this.borders;
    if (this.mode === 'reflect') {
      // A mirror reaches size − 1 pixels past the edge: farther, there is nothing to reflect.
      checkSetting(Math.max(top, bottom) < input[0] && Math.max(left, right) < input[1], this.name,
        `reflect padding ${shownValue(this.borders)} of ${formatShape(input)}: each side must pad fewer rows or columns than the image has`);
    }
    return [input[0] + top + bottom, input[1] + left + right, input[2]];
  }

  // The index tables depend on the shapes only: made here, once, so a training step allocates nothing.
  protected planBuffers(capacity: number): void {
    this.y = this.outputBuffer(capacity * this.outputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    const [h, w] = this.inputShape, [frameH, frameW] = this.outputShape, [[top], [left]] = this.borders;
    this.rowsFrom = this.sources(frameH, h, top);
    this.columnsFrom = this.sources(frameW, w, left);
    this.borderRows = BorderPadding2D.borderPositions(frameH, h, top);
    this.borderColumns = BorderPadding2D.borderPositions(frameW, w, left);
  }

  /** For each column (or row) of the frame along an axis, the image's column it copies, with the image at `before`. */
  private sources(frameSize: number, size: number, before: number): number[] {
    return Array.from({ length: frameSize }, (_, i) => sourceIndex(i - before, size, this.mode));
  }

  /** The frame's border positions along an axis: before the image, and after it. */
  private static borderPositions(frameSize: number, size: number, before: number): number[] {
    return Array.from({ length: frameSize }, (_, i) => i).filter((i) => i < before || i >= before + size);
  }

  forward([x]: number[], batch: number): number {
    const [h, w, c] = this.inputShape, [frameH, frameW] = this.outputShape, [[top], [left]] = this.borders;
    const { kernels: k, rowsFrom, columnsFrom, borderRows, borderColumns } = this, pixelBytes = c * 4, rowBytes = frameW * pixelBytes;
    k.frameImages(x, batch, h, w, c, this.y, frameH, frameW, top, left);
    for (let b = 0; b < batch; b++) {
      const frame = this.y + b * frameH * rowBytes, imageTop = frame + top * rowBytes;
      for (const j of borderColumns) k.copyRuns(imageTop + (left + columnsFrom[j]) * pixelBytes, frameW * c, imageTop + j * pixelBytes, frameW * c, h, c);
      for (const i of borderRows) k.copyRuns(frame + (top + rowsFrom[i]) * rowBytes, 0, frame + i * rowBytes, 0, 1, frameW * c);
    }
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!needInputGradients) return this.inputGradient(0);
    const [h, w, c] = this.inputShape, [frameH, frameW] = this.outputShape, [[top], [left]] = this.borders;
    const { kernels: k, rowsFrom, columnsFrom, borderRows, borderColumns } = this;
    const pixelBytes = c * 4, frameRowBytes = frameW * pixelBytes, imageRowBytes = w * pixelBytes;
    for (let b = 0; b < batch; b++) {
      const frame = dy + b * frameH * frameRowBytes, image = this.dx + b * h * imageRowBytes;
      // The middle of the frame is the image; each border pixel adds into the one it copied.
      k.copyRuns(frame + top * frameRowBytes + left * pixelBytes, frameW * c, image, w * c, h, w * c);
      for (const j of borderColumns) k.addRuns(frame + top * frameRowBytes + j * pixelBytes, frameW * c, image + columnsFrom[j] * pixelBytes, w * c, h, c);
      for (const i of borderRows) {
        const from = frame + i * frameRowBytes, to = image + rowsFrom[i] * imageRowBytes;
        k.addRuns(from + left * pixelBytes, 0, to, 0, 1, w * c);
        for (const j of borderColumns) k.addRuns(from + j * pixelBytes, 0, to + columnsFrom[j] * pixelBytes, 0, 1, c);
      }
    }
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, padding: this.borders, mode: this.mode };
  }
}

/** TensorFlow.js has no such layer: a model with one saves in the convas and ONNX formats. */
export const borderPadding2dDescriptor: LayerDescriptor = {
  className: 'BorderPadding2D',
  fromConfig: (c) => new BorderPadding2D(c as unknown as BorderPadding2DOptions),
};
