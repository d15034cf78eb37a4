// Keras's class_weight: each example's loss, and so its gradient, is multiplied by the weight of
// its class, and the batch's loss is still the sum over the batch divided by its size (Keras's and
// TF.js's reduction). An example's class is the argmax of its target row, or the target itself
// rounded as Keras rounds it when the output is one value (a yes/no); class ids are one-hot by the
// time this reads them. A class missing from the weights weighs 1, as in Keras (TF.js refuses it).
// An output of more than one position ([H, W, C], [steps, C]) has no one class per example: Keras
// and TF.js refuse class weights for such targets (of rank above 2) whatever the loss, and so does convas.
import { getBackend } from '../backend/wasm.js';
import { ConfigError } from '../errors.js';
import { argmaxRow } from '../metrics.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { rowsAlongLastAxis } from './losses.js';

/** NumPy's round, by which Keras finds a yes/no target's class: a half goes to the even neighbour, so 0.5 is class 0 (Math.round says 1). */
function roundHalfToEven(value: number): number {
  const rounded = Math.round(value);
  return rounded - value === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}

/** A weight per class: { [class]: weight } (TF.js's ClassWeight) or an array indexed by class. */
export type ClassWeight = Record<number, number> | number[];

export class ClassWeights {
  private readonly weights = new Map<number, number>();
  private readonly cols: number;

  /** For outputs of `outputShape` per example (its classes: a class per value, or one yes/no when 1). */
  constructor(given: ClassWeight, outputShape: Shape, who: string) {
    if (!given || typeof given !== 'object') {
      throw new ConfigError(`${who}: classWeight must be { [class]: weight } or an array of weights, got ${shownValue(given)}`);
    }
    const rows = rowsAlongLastAxis(outputShape);
    if (rows.positions > 1) {
      throw new ConfigError(`${who}: classWeight weighs each example by its class, but the model outputs ${formatShape(outputShape)} per ` +
        `example, ${rows.positions} positions of ${rows.classes}, each with a class of its own; as in Keras and TF.js, class weights are ` +
        'not supported for targets with more than one position (rank above 2): leave classWeight out; fit(x, y, { sampleWeight }) ' +
        `weighs each position with weights of shape ${formatShape(['n', ...outputShape.slice(0, -1)] as never)}, for a loss that scores each position`);
    }
    const cols = this.cols = rows.classes;
    const classes = cols > 1 ? cols : 2;
    for (const [key, weight] of Object.entries(given)) {
      const id = Number(key);
      if (!Number.isInteger(id) || id < 0 || id >= classes) {
        throw new ConfigError(`${who}: classWeight names class ${shownValue(key)}; the model's classes are 0 to ${classes - 1}`);
      }
      if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
        throw new ConfigError(`${who}: classWeight of class ${id} must be a finite number ≥ 0, got ${shownValue(weight)}`);
      }
      this.weights.set(id, weight);
    }
  }

  /** Writes the weight of each of `rows` target rows (prepared: class ids one-hot) at `rowWeights`. */
  fill(target: number, rowWeights: number, rows: number): void {
    const heap = getBackend().memory.heapF32;
    const t = target >>> 2, w = rowWeights >>> 2, cols = this.cols;
    for (let r = 0; r < rows; r++) {
      const id = cols > 1 ? argmaxRow(heap, t + r * cols, cols) : roundHalfToEven(heap[t + r]);
      heap[w + r] = this.weights.get(id) ?? 1;
    }
  }
}
