// `convas evaluate`: accuracy and confusion matrix of a saved model on held-out images.
import { loadModel } from '../io/load.js';
import { loadData } from './data.js';
import { testReport } from './test-report.js';

export async function evaluate(options: { model: string; data?: string }, print: (text: string) => void): Promise<void> {
  const model = await loadModel(options.model);
  const { test, source } = await loadData(options.data);
  print(`Evaluating ${options.model} on ${test.count} held-out images from ${source}\n`);
  print(testReport(model, test).text);
}
