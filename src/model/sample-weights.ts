// Keras's sample_weight for fit and evaluate: a weight per example ([n], or [n, 1]), or, for a loss that scores each
// position of an [H, W, C] output on its own, a weight per position ([n, H, W]: the per-position
// loss's shape, as Keras takes it, e.g. to mask or reweight pixels in segmentation). Each loss row
// — an example, or a position of one — has its loss and gradient multiplied by its weight, and the
// batch's loss is still the sum divided by the rows (Keras's sum_over_batch_size, as class
// weights). A per-example weight covers each of the example's positions. Keras 3 refuses
// sample_weight with class_weight, and so does convas; the metrics are not weighted (Keras's
// `metrics`, unlike its `weighted_metrics`).
import { getBackend } from '../backend/wasm.js';
import { ConfigError, ShapeError, ValueError } from '../errors.js';
import { type Shape, formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { copyRows } from './batch-buffers.js';
import { classIdShape } from './data-checks.js';
import { type Loss, type OutputRows, lossRows } from './losses.js';
import { shownValue } from '../shown-value.js';

export class SampleWeights {
  /** How the loss reads each example's output: the rows each example's weights cover. */
  private readonly rows: OutputRows;
  /** Whether there is a weight per position (else one per example, covering its positions). */
  private readonly perPosition: boolean;
  /** The largest weight, which bounds how far a batch's weighted loss may exceed an unweighted one (divergence.ts). */
  readonly largest: number;

  /** `weights` for the n examples of x, an output of `outputShape` per example scored by `loss`. */
  constructor(private readonly weights: Tensor, n: number, outputShape: Shape, loss: Loss, who: string) {
    if (!(weights instanceof Tensor)) {
      throw new ConfigError(`${who}: sampleWeight must be a tensor, as x and y are (tensor(weights, [${n}])), got ${shownValue(weights)}`);
    }
    this.rows = lossRows(loss, outputShape);
    const positions = classIdShape(outputShape);
    // [n, 1] is a weight per example too, as Keras takes it (a column, as y often is).
    const perExample = weights.rank === 1 || (weights.rank === 2 && weights.shape[1] === 1);
    this.perPosition = !perExample && positions.length > 0 && weights.rank === positions.length + 1 &&
      positions.every((d, i) => weights.shape[i + 1] === d);
    if (weights.shape[0] !== n || !(perExample || this.perPosition)) {
      const perPositionShape = formatShape([n, ...positions]);
      const expected = positions.length > 0 ? `[${n}] (one per example) or ${perPositionShape} (one per position of the ` +
        `${formatShape(outputShape)} output)` : `[${n}] (one per example)`;
      throw new ShapeError(`${who}: sampleWeight has shape ${formatShape(weights.shape)}; expected ${expected}`);
    }
    if (this.perPosition && this.rows.positions === 1) {
      throw new ConfigError(`${who}: sampleWeight of shape ${formatShape(weights.shape)} weighs each position, but loss ${loss.type} scores ` +
        `each example's ${formatShape(outputShape)} output as one; weigh positions with a loss that scores each of them (the ` +
        `cross-entropies, categoricalHinge, kullbackLeiblerDivergence, cosineProximity), or pass one weight per example, [${n}]`);
    }
    const values = getBackend().memory.f32(weights.ptr, weights.size);
    const bad = values.findIndex((w) => !Number.isFinite(w) || w < 0);
    if (bad >= 0) throw new ValueError(`${who}: sampleWeight holds ${values[bad]} at flat index ${bad}; weights must be finite numbers ≥ 0`);
    this.largest = values.reduce((most, w) => Math.max(most, w), 0);
  }

  /** Writes the weights of examples order[from … from+size) (from … in order without one) at `rowWeights`, one per loss row. */
  fill(rowWeights: number, order: Uint32Array | undefined, from: number, size: number): void {
    copyRows(this.weights, rowWeights, order, from, size);
    const spread = this.perPosition ? 1 : this.rows.positions;
    if (spread === 1) return;
    // Each example's weight over its positions, in place: last to first, so none is overwritten before it is read (r ≤ r·spread).
    const heap = getBackend().memory.heapF32;
    const w = rowWeights >>> 2;
    for (let r = size - 1; r >= 0; r--) heap.fill(heap[w + r], w + r * spread, w + (r + 1) * spread);
  }
}
