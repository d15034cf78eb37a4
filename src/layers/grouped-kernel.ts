// A grouped convolution's kernel (Keras's `groups`: [kh, kw, in/groups, filters], filter o reading
// the in/groups channels of its group, o / (filters/groups)) as the full kernel [kh, kw, in, filters]
// the conv2d kernels take: block-diagonal, zero where a filter would meet another group's channels.
// The zeros are written when the buffers are made; each pass copies the groups' blocks in (the
// weights may have changed since), and the full kernel's gradient gives the grouped one's by taking
// the blocks back out. Every output sums its group's products and exact zeros, so it is the grouped
// convolution's, at `groups` times its multiplications.
import { getBackend } from '../backend/wasm.js';

export class GroupedKernel {
  /** The full kernel, and its gradient (0 where backward does not run): per plan. */
  private full = 0;
  private fullGradient = 0;
  /** Each row of a group's block: its byte offset in the grouped kernel, then in the full one. */
  private readonly blocks: Int32Array;
  private readonly outPerGroup: number;
  readonly fullSize: number;

  constructor(taps: number, inChannels: number, filters: number, groups: number) {
    const inPerGroup = inChannels / groups, outPerGroup = filters / groups;
    this.outPerGroup = outPerGroup;
    this.fullSize = taps * inChannels * filters;
    this.blocks = new Int32Array(2 * taps * inChannels);
    let k = 0;
    for (let t = 0; t < taps; t++) {
      for (let r = 0; r < inPerGroup; r++) {
        for (let g = 0; g < groups; g++) {
          this.blocks[k++] = ((t * inPerGroup + r) * filters + g * outPerGroup) * 4;
          this.blocks[k++] = ((t * inChannels + g * inPerGroup + r) * filters + g * outPerGroup) * 4;
        }
      }
    }
  }

  /** Takes the buffers of a plan (the gradient's 0 when backward does not run) and zeroes them. */
  plan(full: number, fullGradient: number): void {
    const { kernels } = getBackend();
    this.full = full;
    this.fullGradient = fullGradient;
    kernels.fill(full, this.fullSize, 0);
    if (fullGradient) kernels.fill(fullGradient, this.fullSize, 0);
  }

  /** The full kernel of the grouped one at `kernel` (the layer's, or a folded copy): its address. */
  expand(kernel: number): number {
    const { memory } = getBackend(), { blocks, outPerGroup } = this;
    for (let k = 0; k < blocks.length; k += 2) memory.copyFloats(this.full + blocks[k + 1], kernel + blocks[k], outPerGroup);
    return this.full;
  }

  /** The full kernel as the last expand() left it. */
  get expanded(): number {
    return this.full;
  }

  /** Where backward writes the full kernel's gradient. */
  get gradient(): number {
    return this.fullGradient;
  }

  /** The grouped kernel's gradient into `grad`, from the full one's. */
  gatherGradient(grad: number): void {
    const { memory } = getBackend(), { blocks, outPerGroup } = this;
    for (let k = 0; k < blocks.length; k += 2) memory.copyFloats(grad + blocks[k], this.fullGradient + blocks[k + 1], outPerGroup);
  }
}
