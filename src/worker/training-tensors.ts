// A request's data as the tensors fit takes. The images say how many examples there are; the
// labels are read by their length against that count: one class id per image (ids for a sparse
// loss, one-hot over the outputs for any other, the targets themselves for a one-unit output),
// or count × outputs values, the targets as they are. A sparse loss takes an id per position of an
// output of [H, W, C] (a segmentation net's pixels), as fit does. Sample weights, when given, are
// read the same way: one per image, or one per position.
import { type Model, ShapeError, type Tensor, oneHot, tensor } from '../index.js';
import { shownValue } from '../shown-value.js';
import type { TrainingData } from './protocol.js';

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** x, y and the sample weights if any: fit's x, y and sampleWeight, or its validationData. */
export type TrainingTensors = [Tensor, Tensor] | [Tensor, Tensor, Tensor];

/** `where` names the data in messages (data, data.validation); `loss` is the compiled loss's name. */
export function trainingTensors(data: TrainingData, model: Model, loss: string, where: string): TrainingTensors {
  if (data === null || typeof data !== 'object') throw new ShapeError(`${where} must be { images, labels }, got ${String(data)}`);
  const { images, labels } = data;
  for (const [name, values] of Object.entries({ images, labels })) {
    if (typeof (values as { length?: unknown } | undefined)?.length !== 'number') {
      throw new ShapeError(`${where}.${name} must be a typed array or an array of numbers, got ${values === undefined ? 'nothing' : typeof values}`);
    }
  }
  const inputSize = sizeOf(model.inputShape);
  const count = images.length / inputSize;
  if (!Number.isInteger(count) || count === 0) {
    throw new ShapeError(`${where}.images: ${images.length === 0 ? 'no values' : `${images.length} values are not a whole number of images`}; ` +
      `expected count × ${inputSize} values (count images of ${shownValue(model.inputShape)})`);
  }
  const outputShape = model.outputShape, outputs = sizeOf(outputShape);
  const ids = labels.length === count;
  const sparse = loss === 'sparseCategoricalCrossentropy';
  // The positions of an output, each with a class id of a sparse loss (one for an output of [classes]).
  const positions = outputShape.slice(0, -1), perPosition = sizeOf(positions);
  const sparseIds = labels.length === count * perPosition;
  const targets = labels.length === count * outputs;
  if (sparse ? !sparseIds : !targets && !(ids && outputShape.length === 1)) {
    const one = perPosition === 1 ? 'one class id per image' : `one class id per position, ${count} × ${shownValue(positions)}`;
    const expected = sparse ? `${count * perPosition} (${one}, as ${loss} takes${targets ? '; one-hot targets go with categoricalCrossentropy' : ''})`
      : outputShape.length === 1 ? `${count} (one class id per image) or ${count * outputs} (${count} × ${outputs} outputs)`
        : `${count * outputs} (${count} × ${shownValue(outputShape)} outputs)`;
    throw new ShapeError(`${where}.labels: ${labels.length} values for ${count} images; expected ${expected}`);
  }
  const y = sparse ? tensor(labels, [count, ...positions])
    : targets ? tensor(labels, [count, ...outputShape])
      : tensor(oneHot(labels, outputs), [count, outputs]);
  const x = tensor(images, [count, ...model.inputShape]);
  const { sampleWeights } = data;
  if (sampleWeights === undefined) return [x, y];
  const weightsShape = sampleWeights?.length === count ? [count] : sampleWeights?.length === count * perPosition ? [count, ...positions] : undefined;
  if (!weightsShape) {
    const expected = perPosition === 1 ? `${count} (one per image)` : `${count} (one per image) or ${count * perPosition} (one per position, ${count} × ${JSON.stringify(positions)})`;
    throw new ShapeError(`${where}.sampleWeights: ${describeLength(sampleWeights)} for ${count} images; expected ${expected}`);
  }
  return [x, y, tensor(sampleWeights, weightsShape)];
}

const describeLength = (values: unknown) =>
  typeof (values as { length?: unknown })?.length === 'number' ? `${(values as ArrayLike<number>).length} values` : `not an array (${typeof values})`;
