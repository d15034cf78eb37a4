// Whether a model takes a data set's images and gives one output per class: checked before a run
// trains or scores anything (and so before a checkpoint replaces what --out held), naming both.
import type { Dataset } from '../data/dataset.js';
import { ConfigError } from '../errors.js';
import type { Model } from '../model/model.js';
import { formatShape } from '../shape.js';

export function checkModelTakesData(model: Model, data: Dataset, modelName: string, dataName: string): void {
  const images = [data.height, data.width, data.channels];
  if (formatShape(model.inputShape) !== formatShape(images)) {
    throw new ConfigError(`${modelName} takes inputs of ${formatShape(model.inputShape)}, but the images of ${dataName} are ` +
      `${formatShape(images)}; the model's input must match them`);
  }
  if (model.outputShape.length !== 1 || model.outputShape[0] !== data.classes) {
    throw new ConfigError(`${modelName} gives outputs of ${formatShape(model.outputShape)}, but there are ${data.classes} classes in ${dataName}; ` +
      `the model must end in ${data.classes} outputs, one per class`);
  }
}
