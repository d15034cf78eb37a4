// How well a model classifies a held-out set: accuracy and confusion matrix, as printed by
// `convas train` and `convas evaluate`.
import type { Dataset } from '../data/dataset.js';
import { argmaxRows } from '../metrics.js';
import type { Model } from '../model/model.js';
import { inferenceBatchSize } from '../model/transfer.js';
import { accuracyOf, confusionMatrix, formatConfusionMatrix } from './confusion-matrix.js';
import { imagesTensor } from './data.js';

/** `classNames` (image folders) are listed under the matrix, whose rows and columns number them. */
export function testReport(model: Model, test: Dataset, classNames?: string[]): { accuracy: number; text: string } {
  const x = imagesTensor(test);
  const output = model.predict(x, { batchSize: inferenceBatchSize(model.inputShape, 128) });
  const predicted = argmaxRows(output.dataSync(), output.size / test.count);
  x.dispose();
  output.dispose();
  const matrix = confusionMatrix(test.labels, predicted, test.classes);
  const accuracy = accuracyOf(matrix);
  const correct = Math.round(accuracy * test.count);
  const text = `Test accuracy: ${(accuracy * 100).toFixed(2)}% (${correct} of ${test.count})\n\n` +
    `Confusion matrix (rows: true class, columns: predicted class)\n${formatConfusionMatrix(matrix)}` +
    (classNames ? `\nClasses: ${classNames.map((name, i) => `${i} ${name}`).join(', ')}` : '');
  return { accuracy, text };
}
