// A layer that slides a kernel over an image (conv2d, depthwiseConv2d): the geometry its kernels run,
// and the reading of a ZeroPadding2D's input in place. Where the padding's output is read by this
// layer alone, the graph's executor pairs the two (absorbPadding) and skips the padding: the layer
// runs on the unpadded input with the borders added to its own padding (window.ts withoutBorders) —
// the same output and gradients, one pass over memory and the padded copy's buffer less. Its kernels
// skip the taps over padding (depthwise) or place the image in the zero frame they build anyway (conv2d).
import type { Conv2dGeometry, Padding } from '../window.js';
import { withoutBorders } from '../window.js';
import type { Borders2DSides } from './borders2d.js';
import { KernelLayer } from './channel-affine-folding.js';

export abstract class ConvolutionLayer extends KernelLayer {
  abstract readonly padding: Padding;
  /** Kept as one object whose batch is updated, so calls allocate nothing (set by computeOutputShape). */
  protected geometry!: Conv2dGeometry;
  /** The geometry on the input of a ZeroPadding2D this layer reads through (absorbPadding). */
  private unpadded?: Conv2dGeometry;
  /** The last forward's geometry, which backward follows. */
  private last?: Conv2dGeometry;

  /** The convolution on x, with `geometry` (its batch set); returns the output's address. */
  protected abstract convolve(x: number, training: boolean, geometry: Conv2dGeometry): number;

  forward([x]: number[], batch: number, training: boolean): number {
    return this.convolve(x, training, this.passGeometry(false, batch));
  }

  /** Called by a graph's executor: a ZeroPadding2D adding `borders` is the only one to read this layer's input. */
  absorbPadding(borders: Borders2DSides): void {
    this.unpadded = withoutBorders(this.geometry, borders, this.padding, this.name);
    this.replan();
  }

  /** forward on the input of the padding absorbed (the executor then skips the padding). */
  forwardUnpadded([x]: number[], batch: number, training: boolean): number {
    return this.convolve(x, training, this.passGeometry(true, batch));
  }

  /** The geometry of a forward pass on `batch` examples, on the unpadded input or not: backward's from then on. */
  protected passGeometry(unpadded: boolean, batch: number): Conv2dGeometry {
    const geometry = unpadded ? this.unpadded! : this.geometry;
    geometry.batch = batch;
    this.last = geometry;
    return geometry;
  }

  /** The geometry of the last forward pass, on `batch` examples. */
  protected backwardGeometry(batch: number): Conv2dGeometry {
    const geometry = this.last ?? this.geometry;
    geometry.batch = batch;
    return geometry;
  }

  /** Every geometry a pass may run, with `capacity` examples: what workspaces are planned for. */
  protected plannedGeometries(capacity: number): Conv2dGeometry[] {
    const geometries = this.unpadded ? [this.geometry, this.unpadded] : [this.geometry];
    for (const g of geometries) g.batch = capacity;
    return geometries;
  }
}
